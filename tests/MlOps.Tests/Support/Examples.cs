namespace MlOps.Tests.Support;

/// <summary>The embedded example, copied where a test can change it.</summary>
public static class Examples
{
    /// <summary>Copies examples/penguins (without its registry and outputs) into <paramref name="folder"/>, reading <paramref name="dataPath"/>; returns mlops.yaml's path.</summary>
    public static string CopyPenguins(string folder, string dataPath = "data/current.csv")
    {
        var source = Path.Combine(Cli.RepoRoot, "examples", "penguins");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".mlops", StringComparison.Ordinal) && !f.Contains("mlops-out", StringComparison.Ordinal)))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }

        var config = Path.Combine(folder, "mlops.yaml");
        File.WriteAllText(config, File.ReadAllText(config).Replace("path: data/current.csv", $"path: {dataPath}", StringComparison.Ordinal));
        return config;
    }

    /// <summary>Copies examples/pytorch (config, data and the exported model.onnx) into <paramref name="folder"/>; returns mlops.yaml's path.</summary>
    public static string CopyPytorch(string folder)
    {
        var source = Path.Combine(Cli.RepoRoot, "examples", "pytorch");
        foreach (var file in new[] { "mlops.yaml", "model.onnx", "train.py", "data/penguins.csv" })
        {
            var target = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, file), target, overwrite: true);
        }

        return Path.Combine(folder, "mlops.yaml");
    }
}
