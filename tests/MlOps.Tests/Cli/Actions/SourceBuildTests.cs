using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Actions;

/// <summary>
/// On @main an action with no mlops on PATH builds this checkout once per job: from the
/// repository's root, so our global.json picks the SDK whatever the workspace pins, with obj and
/// bin in RUNNER_TEMP; actions/setup caches that build under a key that follows the sources.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SourceBuildTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Main_builds_once_per_job_ignoring_the_workspace_global_json()
    {
        // A workspace pinned to an SDK this machine does not have: a dotnet command run there fails.
        var workspace = _dir.Combine("workspace");
        Examples.CopyPenguins(workspace);
        File.WriteAllText(Path.Combine(workspace, "global.json"), """{ "sdk": { "version": "6.0.100", "rollForward": "disable" } }""");
        var (pinned, _, _) = await Processes.RunAsync("dotnet", ["--version"], TimeSpan.FromSeconds(60), workspace);
        Assert.NotEqual(0, pinned);

        var script = Path.Combine(Support.Cli.RepoRoot, "actions", "mlops.sh");
        var (code, stdout, stderr) = await RunAsync(script, workspace, "validate", "--output", "out/validation");
        Assert.True(code == 0, stdout + stderr);
        Assert.True(File.Exists(Path.Combine(workspace, "out/validation/report.md")));
        Assert.True(File.Exists(_dir.Combine("runner-temp/mlops-ci/mlops.dll")));
        Assert.True(Directory.Exists(_dir.Combine("runner-temp/mlops-ci-build/obj"))); // intermediate files stay out of the checkout
        var built = File.GetLastWriteTimeUtc(_dir.Combine("runner-temp/mlops-ci/mlops.dll"));

        // The next step of the job reuses the build.
        (code, stdout, stderr) = await RunAsync(script, workspace, "--version");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+", stdout);
        Assert.Equal(built, File.GetLastWriteTimeUtc(_dir.Combine("runner-temp/mlops-ci/mlops.dll")));

        // actions/setup's cache keys: the build's follows every source file, the packages' only the files that pin them.
        (code, stdout, stderr) = await RunAsync(script, workspace, "--keys");
        Assert.True(code == 0, stderr);
        var keys = ActionRunner.ParseOutputs(stdout);
        Assert.Equal("false", keys["released"]);
        Assert.Matches("^mlops-ci-build-linux-x64-[0-9a-f]{64}$", keys["build"]);
        Assert.Matches("^mlops-ci-nuget-linux-x64-[0-9a-f]{64}$", keys["packages"]);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(string script, string workspace, params string[] args) =>
        await Processes.RunAsync("bash", [script, .. args], TimeSpan.FromMinutes(5), workspace, info =>
        {
            info.Environment["RUNNER_TEMP"] = _dir.Combine("runner-temp");
            info.Environment["RUNNER_OS"] = "Linux";
            info.Environment["RUNNER_ARCH"] = "X64";
            // No mlops on PATH: only dotnet's folder and the system's.
            info.Environment["PATH"] = string.Join(Path.PathSeparator, (info.Environment["PATH"] ?? string.Empty).Split(Path.PathSeparator).Where(d => !File.Exists(Path.Combine(d, "mlops"))));
        });
}
