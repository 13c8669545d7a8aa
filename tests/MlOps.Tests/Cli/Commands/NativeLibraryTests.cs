using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>A build without a native library a feature needs: one line naming it and what works, exit 2, never an internal error.</summary>
[Trait("Category", "Integration")]
public sealed class NativeLibraryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Training_with_lightgbm_missing_is_exit_2_naming_the_library_and_the_trainers_that_work()
    {
        // The mlops build as installed, linked file by file (no copy), without LightGBM's native library.
        var build = _dir.Combine("mlops");
        var (cp, _, cpErr) = await Processes.RunAsync("cp", ["-al", AppContext.BaseDirectory.TrimEnd('/'), build], TimeSpan.FromSeconds(60));
        Assert.True(cp == 0, cpErr);
        foreach (var lib in Directory.GetFiles(build, "lib_lightgbm.*", SearchOption.AllDirectories)) File.Delete(lib);

        var (code, stdout, stderr) = await Processes.RunAsync("dotnet", [Path.Combine(build, "mlops.dll"), "train", "--config", Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "mlops.yaml"), "--output", _dir.Combine("out")], TimeSpan.FromSeconds(120), _dir.Path);
        Assert.True(code == ExitCodes.UsageError, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("error: the native library lib_lightgbm is missing on", stderr, StringComparison.Ordinal);
        Assert.Contains("trainer: sdca or lbfgs", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "lib_lightgbm.so")) || !OperatingSystem.IsLinux()); // the real build is untouched
    }
}
