using MlOps.Data;
using MlOps.Tests.Support;

namespace MlOps.Tests.Data;

/// <summary>A data folder is read file by file, each folder once, whatever links it holds.</summary>
public class FolderWalkTests
{
    [Fact]
    public void A_link_back_up_the_tree_and_a_second_link_to_a_folder_read_each_file_once()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need privileges there; the walk is the same code
        using var dir = new TempDir();
        dir.File("data/a.csv", "x\n1\n");
        dir.File("data/part/b.csv", "x\n2\n");
        Directory.CreateSymbolicLink(dir.Combine("data/part/loop"), dir.Combine("data"));  // loops back to the root
        Directory.CreateSymbolicLink(dir.Combine("data/again"), dir.Combine("data/part")); // the same folder twice
        var files = new DatasetSource { Path = dir.Combine("data") }.ResolveFiles();
        Assert.Equal(2, files.Count);
        Assert.Equal(["a.csv", "b.csv"], files.Select(Path.GetFileName).Order());

        var glob = new DatasetSource { Path = dir.Combine("data") + "/**/*.csv" }.ResolveFiles();
        Assert.Equal(2, glob.Count);
    }
}
