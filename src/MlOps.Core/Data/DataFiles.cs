
namespace MlOps.Data;

/// <summary>Opens data files with errors that name the file and say what to do.</summary>
internal static class DataFiles
{
    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw Errors.Data(path, "file not found.");
        }
        catch (DirectoryNotFoundException)
        {
            throw Errors.Data(path, "file not found (its folder does not exist).");
        }
        catch (UnauthorizedAccessException)
        {
            throw Errors.Data(path, "permission denied, or it is a folder where a file was expected.");
        }
        catch (IOException e)
        {
            throw new DataException($"{path}: cannot be read: {e.Message}");
        }
    }
}
