using System.Security.Cryptography;

namespace MlOps.Registry;

/// <summary>
/// The registry in a local folder (the default, <c>.mlops/registry</c>). Conditional creates and
/// replaces run under an exclusive per-key lock file (flock), and land by atomic rename, so
/// several processes can register and promote at once without losing an update.
/// </summary>
public sealed class LocalFolderStore(string root) : IRegistryStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private readonly string _root = Path.GetFullPath(root);

    /// <inheritdoc/>
    public string Location => _root;

    /// <inheritdoc/>
    public string UriOf(string key) => new Uri(PathOf(key)).AbsoluteUri;

    /// <inheritdoc/>
    public async Task<StoredObject?> ReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        try
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
            return new StoredObject(bytes, Tag(bytes));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> TryCreateAsync(string key, byte[] content, CancellationToken cancellationToken = default)
    {
        // .NET's no-overwrite File.Move checks then renames, which two processes can both pass;
        // the per-key lock makes check-and-create one step, as If-None-Match is on Azure.
        var path = PathOf(key);
        await using var gate = await LockAsync(path + ".lock", cancellationToken);
        if (File.Exists(path)) return false;
        var temp = await WriteTempAsync(path, content, cancellationToken);
        File.Move(temp, path, overwrite: false);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> TryReplaceAsync(string key, byte[] content, string etag, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        await using var gate = await LockAsync(path + ".lock", cancellationToken);
        var current = await ReadAsync(key, cancellationToken);
        if (current is null || current.ETag != etag) return false;
        var temp = await WriteTempAsync(path, content, cancellationToken);
        File.Move(temp, path, overwrite: true);
        return true;
    }

    /// <summary>How old an interrupted write's temporary file must be before a later write removes it (no live writer is that slow to rename).</summary>
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);

    /// <inheritdoc/>
    public Task UploadIfAbsentAsync(string key, string file, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (Touch(path)) return Task.CompletedTask;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SweepStaleTemps(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            File.Copy(file, temp);
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Someone stored the same content first; content-addressed, so theirs is ours.
        }
        finally
        {
            File.Delete(temp);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        return Task.FromResult<Stream?>(File.Exists(path) ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous) : null);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        (await ListEntriesAsync(prefix, cancellationToken)).Select(e => e.Key).Where(k => !k.EndsWith(".tmp", StringComparison.Ordinal)).ToList();

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredEntry>> ListEntriesAsync(string prefix, CancellationToken cancellationToken = default)
    {
        // Blob-store semantics: every key that starts with the prefix, whether or not it ends at a folder.
        var slash = prefix.LastIndexOf('/');
        var dir = slash < 0 ? _root : PathOf(prefix[..slash]);
        if (!Directory.Exists(dir)) return Task.FromResult<IReadOnlyList<StoredEntry>>([]);
        var entries = new List<StoredEntry>();
        foreach (var f in new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (f.Name.EndsWith(".lock", StringComparison.Ordinal)) continue;
            var key = Path.GetRelativePath(_root, f.FullName).Replace('\\', '/');
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
            try
            {
                entries.Add(new StoredEntry(key, f.Length, f.LastWriteTimeUtc));
            }
            catch (FileNotFoundException)
            {
                // A concurrent writer renamed its temporary file between the listing and the size: it is not an entry.
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return Task.FromResult<IReadOnlyList<StoredEntry>>(entries);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    // An existing content-addressed blob is reused; touching it tells a concurrent 'mlops gc' it is new.
    private static bool Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
    }

    // Temporary files of writes killed before their rename (kill -9, a lost runner) would pile up.
    private static void SweepStaleTemps(string dir)
    {
        var cutoff = DateTime.UtcNow - StaleTempAge;
        foreach (var temp in Directory.EnumerateFiles(dir, "*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(temp) < cutoff) File.Delete(temp);
            }
            catch (IOException)
            {
                // Another process removed or holds it: not ours to worry about.
            }
        }
    }

    private static string Tag(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string PathOf(string key)
    {
        // Keys come from RegistryNames; this is the last line of defence against traversal.
        var full = Path.GetFullPath(Path.Combine(_root, key));
        return full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || full == _root
            ? full
            : throw Errors.Config("registry", $"the key '{key}' leaves the registry folder.");
    }

    private static async Task<string> WriteTempAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        return temp;
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + LockTimeout;
        var delay = 5;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Random.Shared.Next(delay, delay * 2), cancellationToken);
                delay = Math.Min(delay * 2, 200);
            }
            catch (IOException)
            {
                throw Errors.Config(path, "the registry is locked by another process for over a minute; if no mlops is running, delete this lock file.");
            }
        }
    }
}
