using System.Text;

namespace MlOps.Cli;

/// <summary>
/// What works on which platform: the runtimes we publish and, for each feature that needs a
/// native library, the runtimes whose build carries it. One table for three readers: the error a
/// user gets when a library is missing (<see cref="NativeLibraries"/>), the build, which checks
/// every publish against it (build/Program.cs compiles this file), and README's support matrix,
/// which a test keeps equal to <see cref="Markdown"/>. Only the BCL here: the build compiles it alone.
/// </summary>
internal static class SupportMatrix
{
    /// <summary>The runtimes a release publishes, with the GitHub-hosted runner label that runs each.</summary>
    public static readonly IReadOnlyList<(string Runtime, string Runner)> Runtimes =
    [
        ("linux-x64", "ubuntu-latest"),
        ("linux-arm64", "ubuntu-24.04-arm"),
        ("win-x64", "windows-latest"),
        ("win-arm64", "windows-11-arm"),
        ("osx-x64", "macos-13"),
        ("osx-arm64", "macos-latest"),
    ];

    /// <summary>The features that need a native library, and where the library exists (from the NuGet packages: LightGBM and FastTree ship x64 only, ONNX Runtime no osx-x64).</summary>
    public static readonly IReadOnlyList<NativeFeature> Features =
    [
        new("trainer: lightgbm", "lib_lightgbm", ["linux-x64", "win-x64", "osx-x64"], "trainer: sdca or lbfgs",
            new Dictionary<string, string> { ["osx-x64"] = "libomp (brew install libomp)", ["linux-x64"] = "libgomp (on every hosted runner)" }),
        new("trainer: fasttree", "FastTreeNative", ["linux-x64", "win-x64", "osx-x64"], "trainer: sdca or lbfgs", new Dictionary<string, string>()),
        new("ONNX models (evaluate, predict, serve)", "onnxruntime", ["linux-x64", "linux-arm64", "win-x64", "win-arm64", "osx-arm64"], "an ML.NET model (model.zip)", new Dictionary<string, string>()),
    ];

    /// <summary>The features every runtime has: managed code only.</summary>
    public const string Everywhere = "validate, split, report, registry, deploy, monitor; trainers sdca, lbfgs, poisson; ML.NET models in evaluate, predict, serve";

    /// <summary>The feature whose library file this is (by name, any platform's spelling), or null.</summary>
    public static NativeFeature? ForLibrary(string name) =>
        Features.FirstOrDefault(f => name.Contains(f.Library, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Where a publish for <paramref name="runtime"/> in <paramref name="folder"/> disagrees with the
    /// matrix: a promised library that is missing, or a library the matrix says does not exist
    /// (the packages changed: update the matrix and README). Reads a runtime's own publish (libraries
    /// beside mlops) and the portable build (under runtimes/RUNTIME/native).
    /// </summary>
    public static IReadOnlyList<string> Check(string folder, string runtime)
    {
        var problems = new List<string>();
        foreach (var feature in Features)
        {
            var file = feature.FileName(runtime);
            var present = File.Exists(Path.Combine(folder, file)) || File.Exists(Path.Combine(folder, "runtimes", runtime, "native", file));
            var promised = feature.Runtimes.Contains(runtime);
            if (promised && !present) problems.Add($"{runtime}: {file} is missing, but the support matrix says {feature.Name} works there.");
            if (!promised && present) problems.Add($"{runtime}: {file} is there, but the support matrix says {feature.Name} does not work there; update src/MlOps.Cli/SupportMatrix.cs and README.");
        }

        return problems;
    }

    /// <summary>The support matrix as README shows it (OS and architecture across, features down).</summary>
    public static string Markdown()
    {
        var md = new StringBuilder();
        md.Append("| feature |");
        foreach (var (runtime, _) in Runtimes) md.Append($" {runtime} |");
        md.Append("\n| --- |");
        foreach (var _ in Runtimes) md.Append(" :---: |");
        md.Append("\n| GitHub runner |");
        foreach (var (_, runner) in Runtimes) md.Append($" `{runner}` |");
        md.Append($"\n| {Everywhere} |");
        foreach (var _ in Runtimes) md.Append(" yes |");
        foreach (var feature in Features)
        {
            md.Append($"\n| {feature.Name} |");
            foreach (var (runtime, _) in Runtimes)
            {
                md.Append(!feature.Runtimes.Contains(runtime) ? " no |" : feature.Notes.TryGetValue(runtime, out var note) ? $" yes, needs {note} |" : " yes |");
            }
        }

        return md.Append('\n').ToString();
    }
}

/// <summary>A feature that needs a native library.</summary>
/// <param name="Name">What users call it.</param>
/// <param name="Library">The library's name as .NET probes it (lib prefix and extension added per OS).</param>
/// <param name="Runtimes">The runtimes whose build has the library.</param>
/// <param name="Instead">What to use where it does not exist.</param>
/// <param name="Notes">Per runtime, what else the library needs from the machine.</param>
internal sealed record NativeFeature(string Name, string Library, IReadOnlyList<string> Runtimes, string Instead, IReadOnlyDictionary<string, string> Notes)
{
    /// <summary>The library's file on <paramref name="runtime"/>: name.dll on Windows, libname.so on Linux, libname.dylib on macOS.</summary>
    public string FileName(string runtime)
    {
        if (runtime.StartsWith("win", StringComparison.Ordinal)) return Library + ".dll";
        var stem = Library.StartsWith("lib", StringComparison.Ordinal) ? Library : "lib" + Library;
        return stem + (runtime.StartsWith("osx", StringComparison.Ordinal) ? ".dylib" : ".so");
    }
}
