using System.Reflection;
using MlOps.Artifacts;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Actions;

/// <summary>
/// Released actions and Azure tasks run the release's prebuilt mlops for the runner's OS and
/// architecture: downloaded once into the tool cache, its SHA-256 checked against the one written
/// at release time, never run when it differs. The actions run through <see cref="ActionRunner"/>
/// (as the GitHub runner runs them), the tasks through node (as the agent does), against a
/// release download folder on 127.0.0.1.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ReleasedActionsTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private ReleaseServer _release = null!;

    public async Task InitializeAsync() => _release = await ReleaseServer.StartAsync(_dir.Combine("release"), ToolInfo.Version, "linux-x64", "win-x64", "osx-arm64");

    public async Task DisposeAsync() => await _release.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private string Archive => $"/download/mlops-{ToolInfo.Version}-linux-x64.tar.gz";

    [Fact]
    public async Task A_released_action_downloads_checks_and_caches_the_binary_then_runs_its_stage()
    {
        var actions = await WriteReleasedActionsAsync();
        var env = File.ReadAllText(Path.Combine(actions, "release.env"));
        Assert.Contains($"version={ToolInfo.Version}\n", env);
        Assert.Contains($"url={_release.Url}\n", env);
        Assert.Matches("sha256.linux-x64=[0-9a-f]{64}\n", env);
        Assert.DoesNotContain("linux-arm64", env); // the release built none

        var workspace = _dir.Combine("workspace");
        Examples.CopyPenguins(workspace);
        var run = await Runner(actions, workspace).RunAsync("validate-data", new Dictionary<string, string> { ["output"] = "out/validation" });
        Assert.True(run.Code == 0, run.Log);
        Assert.Equal("true", run.Outputs["passed"]);
        Assert.Contains($"mlops: downloading {_release.Url}/mlops-{ToolInfo.Version}-linux-x64.tar.gz", run.Log);
        Assert.True(File.Exists(_dir.Combine($"tool-cache/mlops-ci/{ToolInfo.Version}/linux-x64/.complete")));
        Assert.Equal(1, _release.Requests[Archive]);

        // The next step (or job on this runner) finds it in the tool cache.
        run = await Runner(actions, workspace).RunAsync("validate-data", new Dictionary<string, string> { ["output"] = "out/validation2" });
        Assert.True(run.Code == 0, run.Log);
        Assert.Equal(1, _release.Requests[Archive]);
        Assert.DoesNotContain("downloading", run.Log);
    }

    [Fact]
    public async Task The_released_setup_action_needs_no_sdk_and_puts_the_release_on_path()
    {
        var actions = await WriteReleasedActionsAsync();
        var runner = Runner(actions, _dir.Combine("workspace"));
        var run = await runner.RunAsync("setup"); // setup-dotnet and the caches are skipped: the runner would fail the test on them
        Assert.True(run.Code == 0, run.Log);
        var folder = _dir.Combine($"tool-cache/mlops-ci/{ToolInfo.Version}/linux-x64");
        Assert.Equal([folder], runner.AddedPaths);
        Assert.Equal(folder, run.Outputs["path"]);
        var version = typeof(MlOps.Cli.Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, run.Outputs["version"]); // what the installed mlops --version printed
    }

    [Fact]
    public async Task A_tampered_download_is_never_run_and_leaves_nothing_in_the_cache()
    {
        var actions = await WriteReleasedActionsAsync();
        _release.Tamper = true;
        var workspace = _dir.Combine("workspace");
        Examples.CopyPenguins(workspace);
        var run = await Runner(actions, workspace).RunAsync("validate-data");
        Assert.Equal(4, run.Code);
        Assert.Contains($"mlops: mlops-{ToolInfo.Version}-linux-x64.tar.gz has SHA-256 ", run.Log);
        Assert.Contains("not running it.", run.Log);
        Assert.False(Directory.Exists(Path.Combine(workspace, "mlops-out")));
        Assert.True(NothingIn(_dir.Combine($"tool-cache/mlops-ci/{ToolInfo.Version}"))); // no install, no half-unpacked folder
    }

    [Theory]
    [InlineData("Linux", "ARM64", "has no build for linux-arm64", 2)]
    [InlineData("FreeBSD", "X64", "no mlops build for the OS 'FreeBSD'", 2)]
    public async Task A_runner_the_release_has_no_build_for_is_told_so(string os, string arch, string message, int exit)
    {
        var actions = await WriteReleasedActionsAsync();
        var run = await Runner(actions, _dir.Combine("workspace"), os, arch).RunAsync("validate-data");
        Assert.Equal(exit, run.Code);
        Assert.Contains(message, run.Log);
        Assert.Contains("support matrix", run.Log);
        Assert.Empty(_release.Requests);
    }

    [Fact]
    public async Task Release_checksums_that_are_not_what_publish_writes_are_refused()
    {
        var sums = _dir.File("bad/SHA256SUMS", $"{new string('a', 64)}  mlops-1.0.0-linux-x64.tar.gz\n{new string('b', 64)}  mlops-1.0.0-linux-mips.tar.gz\n");
        var (code, _, err) = await Support.Cli.RunAsync("action", "write", "--github", _dir.Combine("out"), "--release", _release.Url, "--checksums", sums);
        Assert.Equal(2, code);
        Assert.Contains($"error: {sums}: line 2: expected 'SHA256  mlops-VERSION-RUNTIME.tar.gz'", err);

        (code, _, err) = await Support.Cli.RunAsync("action", "write", "--azure", _dir.Combine("out"), "--release", _release.Url, "--checksums", _dir.File("old/SHA256SUMS", $"{new string('a', 64)}  mlops-0.0.9-linux-x64.tar.gz\n"));
        Assert.Equal(2, code);
        Assert.Contains($"the archives are mlops 0.0.9, but this mlops (the extension's version) is {ToolInfo.Version}", err);
        Assert.False(Directory.Exists(_dir.Combine("out/tasks")));
    }

    [Fact]
    public async Task A_released_azure_task_installs_its_own_version_from_the_release_or_a_mirror()
    {
        var extension = _dir.Combine("extension");
        var (code, _, err) = await Support.Cli.RunAsync("action", "write", "--azure", extension, "--release", _release.Url, "--checksums", _dir.Combine("release/SHA256SUMS"));
        Assert.True(code == 0, err);
        var workspace = _dir.Combine("s");
        Examples.CopyPenguins(workspace);

        var (exit, stdout, stderr) = await RunTaskAsync(extension, workspace, new() { ["MLOPS_CI_DOWNLOAD_URL"] = _release.MirrorUrl });
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("##vso[task.setvariable variable=passed;isOutput=true]true", stdout);
        Assert.Equal(1, _release.Requests[$"/mirror/mlops-{ToolInfo.Version}-linux-x64.tar.gz"]);
        Assert.False(_release.Requests.ContainsKey(Archive));
        Assert.True(File.Exists(_dir.Combine($"agent-tools/mlops-ci/{ToolInfo.Version}/linux-x64/.complete")));

        // Installed once per agent; a fresh agent gets the release itself.
        (exit, stdout, stderr) = await RunTaskAsync(extension, workspace, []);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(1, _release.Requests.Values.Sum());
        Directory.Delete(_dir.Combine("agent-tools"), recursive: true);
        (exit, stdout, stderr) = await RunTaskAsync(extension, workspace, []);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Equal(1, _release.Requests[Archive]);

        // A download that is not the release's bytes fails the task and is not run.
        Directory.Delete(_dir.Combine("agent-tools"), recursive: true);
        _release.Tamper = true;
        (exit, stdout, _) = await RunTaskAsync(extension, workspace, []);
        Assert.Equal(1, exit);
        Assert.Contains("##vso[task.complete result=Failed;]", stdout);
        Assert.Contains("has SHA-256 ", stdout);
        Assert.DoesNotContain("task.setvariable", stdout);
        Assert.True(NothingIn(_dir.Combine($"agent-tools/mlops-ci/{ToolInfo.Version}")));
    }

    [Fact]
    public async Task A_development_task_without_mlops_on_path_fails_with_what_to_do()
    {
        var workspace = _dir.Combine("s");
        Directory.CreateDirectory(workspace);
        var (exit, stdout, _) = await RunTaskAsync(Path.Combine(Support.Cli.RepoRoot, "actions", "azure-devops"), workspace, []);
        Assert.Equal(1, exit);
        Assert.Contains("carries no release binaries: put mlops on PATH before this task, or install a released extension.", stdout);
        Assert.Empty(_release.Requests);
    }

    /// <summary>The actions as a release commit has them: the catalog's action.yml files, mlops.sh and setup as committed, and release.env.</summary>
    private async Task<string> WriteReleasedActionsAsync()
    {
        var actions = _dir.Combine("actions");
        Directory.CreateDirectory(Path.Combine(actions, "setup"));
        File.Copy(Path.Combine(Support.Cli.RepoRoot, "actions", "mlops.sh"), Path.Combine(actions, "mlops.sh"));
        File.Copy(Path.Combine(Support.Cli.RepoRoot, "actions", "setup", "action.yml"), Path.Combine(actions, "setup", "action.yml"));
        var (code, _, err) = await Support.Cli.RunAsync("action", "write", "--github", actions, "--release", _release.Url, "--checksums", _dir.Combine("release/SHA256SUMS"));
        Assert.True(code == 0, err);
        return actions;
    }

    private ActionRunner Runner(string actions, string workspace, string os = "Linux", string arch = "X64")
    {
        // No mlops on PATH (an empty bin) and no SDK needed: the release's binary is what runs.
        var env = ActionRunner.JobEnvironment(_dir.Combine("empty-bin"), _dir.Path, "octo-org/penguins", "push", _dir.File("event.json", "{}"), "main", new string('a', 40), "http://127.0.0.1:9", "1");
        env["RUNNER_OS"] = os;
        env["RUNNER_ARCH"] = arch;
        env["RUNNER_TOOL_CACHE"] = _dir.Combine("tool-cache");
        Directory.CreateDirectory(_dir.Combine("tool-cache"));
        Directory.CreateDirectory(_dir.Combine("runner-temp"));
        Directory.CreateDirectory(workspace);
        return new ActionRunner(workspace, _dir.Combine("runner-temp"), env, "ghs_token", actions);
    }

    private static bool NothingIn(string folder) => !Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any();

    private async Task<(int Code, string Out, string Err)> RunTaskAsync(string extension, string workspace, Dictionary<string, string> variables) =>
        await Processes.RunAsync("node", [Path.Combine(extension, "tasks", "MlOpsValidateData", "index.js")], TimeSpan.FromMinutes(2), _dir.Path, info =>
        {
            info.Environment.Remove("GITHUB_ACTIONS");
            info.Environment["TF_BUILD"] = "True";
            info.Environment["SYSTEM_DEFAULTWORKINGDIRECTORY"] = workspace;
            info.Environment["AGENT_TOOLSDIRECTORY"] = _dir.Combine("agent-tools");
            info.Environment["AGENT_TEMPDIRECTORY"] = _dir.Combine("agent-temp");
            info.Environment["INPUT_OUTPUT"] = "out/validation";
            foreach (var (k, v) in variables) info.Environment[k] = v;
        });
}
