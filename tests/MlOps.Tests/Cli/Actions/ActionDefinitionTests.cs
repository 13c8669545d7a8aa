using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Cli.Actions;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Actions;

/// <summary>
/// The actions and the Azure DevOps extension are written from one catalog: the committed files
/// must be exactly what <c>mlops action write</c> writes, the extension must package with
/// tfx-cli without a warning, and each task must run its stage as the Azure agent runs it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ActionDefinitionTests : IDisposable
{
    private static readonly string Actions = Path.Combine(Support.Cli.RepoRoot, "actions");
    private static readonly string Extension = Path.Combine(Actions, "azure-devops");
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_committed_actions_and_tasks_are_what_mlops_action_write_writes()
    {
        var (code, _, err) = await Support.Cli.RunAsync("action", "write", "--github", _dir.Combine("github"), "--azure", _dir.Combine("azure"));
        Assert.True(code == 0, err);
        var written = Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories);
        Assert.Equal(ActionCatalog.All.Count * 3 + 1, written.Length); // action.yml, task.json, index.js each, and the manifest
        foreach (var file in written)
        {
            var relative = Path.GetRelativePath(_dir.Path, file);
            var committed = relative.StartsWith("github", StringComparison.Ordinal)
                ? Path.Combine(Actions, Path.GetRelativePath(_dir.Combine("github"), file))
                : Path.Combine(Extension, Path.GetRelativePath(_dir.Combine("azure"), file));
            Assert.True(File.Exists(committed), $"{committed} is missing: run ./build.sh actions");
            Assert.True(File.ReadAllText(committed) == File.ReadAllText(file), $"{committed} differs from the catalog: run ./build.sh actions");
        }
    }

    [Fact]
    public async Task Released_actions_run_the_published_image_and_pass_the_action_validator()
    {
        var (code, _, err) = await Support.Cli.RunAsync("action", "write", "--github", _dir.Path, "--image", "ghcr.io/mlops-ci/mlops-ci-action:v1.2.3");
        Assert.True(code == 0, err);
        foreach (var action in ActionCatalog.All)
        {
            var file = Path.Combine(_dir.Path, action.Name, "action.yml");
            var text = File.ReadAllText(file);
            Assert.Contains("image: 'docker://ghcr.io/mlops-ci/mlops-ci-action:v1.2.3'", text);
            Assert.Contains($"args: ['action', 'run', '{action.Name}']", text);
            Assert.DoesNotContain("value:", text); // container actions' outputs come from GITHUB_OUTPUT only
            var (valid, stdout, stderr) = await Processes.RunAsync(NodeService.Bin("action-validator"), [file], TimeSpan.FromSeconds(60));
            Assert.True(valid == 0, $"{action.Name}: {stdout}{stderr}");
        }
    }

    [Fact]
    public async Task The_extension_packages_with_tfx_cli_and_every_task_json_is_consistent()
    {
        var (code, stdout, stderr) = await Processes.RunAsync(NodeService.Bin("tfx"), ["extension", "create", "--root", Extension, "--manifest-globs", "vss-extension.json", "--output-path", _dir.Path, "--no-prompt", "--json"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, stdout + stderr);
        Assert.DoesNotContain("warning", stdout + stderr, StringComparison.OrdinalIgnoreCase); // tfx reports invalid task.json files as warnings
        var vsix = JsonNode.Parse(stdout)!["path"]!.GetValue<string>();
        using var zip = ZipFile.OpenRead(vsix);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("extension.vsomanifest", entries);

        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var action in ActionCatalog.All)
        {
            var folder = $"tasks/{action.AzureTaskName}";
            Assert.Contains($"{folder}/task.json", entries);
            Assert.Contains($"{folder}/index.js", entries);
            using var reader = new StreamReader(zip.GetEntry($"{folder}/task.json")!.Open());
            var task = JsonNode.Parse(await reader.ReadToEndAsync())!;
            Assert.True(ids.Add(task["id"]!.GetValue<string>()), $"{action.Name}: duplicate task id");
            Assert.Equal(action.AzureTaskName, task["name"]!.GetValue<string>());
            Assert.Equal("index.js", task["execution"]!["Node24"]!["target"]!.GetValue<string>());
            Assert.Equal("index.js", task["execution"]!["Node20_1"]!["target"]!.GetValue<string>()); // older agents
            Assert.Equal(["Node24", "Node20_1"], task["execution"]!.AsObject().Select(p => p.Key));

            var groups = task["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToHashSet();
            var inputs = task["inputs"]!.AsArray().Select(i => i!).ToList();
            var names = inputs.Select(i => i["name"]!.GetValue<string>()).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.Equal(action.InputsFor(ActionHosts.Azure).Select(i => i.AzureName), names);
            foreach (var input in inputs)
            {
                var name = input["name"]!.GetValue<string>();
                Assert.Matches("^[a-z][A-Za-z0-9]*$", name); // the agent passes INPUT_<NAME>: no separators to lose
                if (input["groupName"] is { } g) Assert.Contains(g.GetValue<string>(), groups);
                if (input["options"] is JsonObject options) Assert.Contains(input["defaultValue"]!.GetValue<string>(), options.Select(o => o.Key));
                if (input["type"]!.GetValue<string>() == "boolean") Assert.Contains(input["defaultValue"]!.GetValue<string>(), new[] { "true", "false" });
                if (input["visibleRule"]?.GetValue<string>() is { } rule)
                {
                    // "other != value": the other input exists and the value is one it can take.
                    var parts = rule.Split(' ', 3);
                    var other = inputs.Single(i => i["name"]!.GetValue<string>() == parts[0]);
                    Assert.Contains(parts[1], new[] { "=", "!=" });
                    Assert.Contains(parts[2], ((JsonObject)other["options"]!).Select(o => o.Key));
                }
            }

            // Output variables: what mlops sets through ##vso[task.setvariable] on Azure Pipelines.
            Assert.Equal(action.OutputsFor(ActionHosts.Azure).Select(o => MlOps.Platforms.AzurePipelines.VariableName(o.Name)), task["outputVariables"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()));
            Assert.DoesNotContain(task["inputs"]!.AsArray(), i => i!["name"]!.GetValue<string>() is "githubToken" or "commitStatus");
        }

        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Extension, "vss-extension.json")))!;
        Assert.Equal(MlOps.Artifacts.ToolInfo.Version, manifest["version"]!.GetValue<string>());
        Assert.Equal(ActionCatalog.All.Count, manifest["contributions"]!.AsArray().Count);
    }

    [Fact]
    public async Task An_azure_task_runs_its_stage_as_the_agent_runs_it_and_sets_output_variables()
    {
        var workspace = _dir.Combine("s");
        Examples.CopyPenguins(workspace);
        var (code, stdout, stderr) = await RunTaskAsync("MlOpsValidateData", workspace, new() { ["INPUT_OUTPUT"] = "out/validation" });
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("##vso[task.setvariable variable=passed;isOutput=true]true", stdout);
        Assert.Contains("##vso[task.setvariable variable=report;isOutput=true]out/validation/report.md", stdout);
        Assert.Contains($"##vso[task.uploadsummary]{Path.Combine(workspace, "out/validation/report.md")}", stdout);
        Assert.DoesNotContain("task.complete result=Failed", stdout);

        // A failing gate fails the task with the outputs still set.
        Examples.CopyPenguins(workspace, "data/planted/current.csv");
        (code, stdout, stderr) = await RunTaskAsync("MlOpsValidateData", workspace, new() { ["INPUT_OUTPUT"] = "out/validation" });
        Assert.Equal(1, code);
        Assert.Contains("##vso[task.setvariable variable=passed;isOutput=true]false", stdout);
        Assert.Contains("##vso[task.complete result=Failed;]mlops action run validate-data exited with 1.", stdout);
    }

    [Fact]
    public async Task The_report_task_masks_the_agent_token_and_names_outputs_in_camel_case()
    {
        var workspace = _dir.Combine("s");
        Directory.CreateDirectory(workspace);
        await StageArtifacts.WriteEvaluationAsync(Path.Combine(workspace, "mlops-out/evaluation"), StageArtifacts.Evaluation(blessed: true));
        var (code, stdout, stderr) = await RunTaskAsync("MlOpsReport", workspace, new()
        {
            ["INPUT_COMMENT"] = "never",
            ["ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN"] = "azure-secret-token-42",
        });
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("##vso[task.setsecret]azure-secret-token-42", stdout);
        Assert.Single(stdout.Split('\n'), l => l.Contains("azure-secret-token-42"));
        Assert.Contains("##vso[task.setvariable variable=blessed;isOutput=true]true", stdout);
        Assert.Contains("##vso[task.setvariable variable=passed;isOutput=true]true", stdout);
    }

    [Fact]
    public async Task Container_action_inputs_keep_their_hyphen_and_a_bad_switch_is_a_usage_error()
    {
        var env = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_OUTPUT"] = _dir.Combine("output.txt"),
            ["GITHUB_STEP_SUMMARY"] = _dir.Combine("summary.md"),
            ["INPUT_COMMENT"] = "never",
            ["INPUT_VALIDATION"] = _dir.Combine("none-here"),
            ["INPUT_TRAIN"] = _dir.Combine("none-here"),
            ["INPUT_EVALUATION"] = _dir.Combine("evaluation"),
            ["INPUT_OUTPUT"] = _dir.Combine("report.md"),
            ["INPUT_COMMIT-STATUS"] = "yes",
        };
        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed: false));
        var (code, _, err) = await Support.Cli.RunWithEnvironmentAsync(env, "action", "run", "report");
        Assert.Equal(2, code);
        Assert.Contains("input 'commit-status': expected true or false, got 'yes'.", err);

        env["INPUT_COMMIT-STATUS"] = "false";
        (code, _, err) = await Support.Cli.RunWithEnvironmentAsync(env, "action", "run", "report");
        Assert.True(code == 0, err);
        Assert.Contains("--validation none --train none --evaluation", err); // the command line it ran
        var outputs = ActionRunner.ParseOutputs(File.ReadAllText(env["GITHUB_OUTPUT"]));
        Assert.Equal("false", outputs["blessed"]);
    }

    [Fact]
    public async Task Outside_a_runner_config_on_the_command_line_stands_in_for_the_config_input()
    {
        var config = Examples.CopyPenguins(_dir.Combine("project"));
        var env = new Dictionary<string, string> { ["INPUT_OUTPUT"] = _dir.Combine("validation") };
        var (code, _, err) = await Support.Cli.RunWithEnvironmentAsync(env, "action", "run", "validate-data", "--config", config);
        Assert.True(code == 0, err);
        Assert.Contains($"mlops validate --config {config} --output {_dir.Combine("validation")}", err);
        Assert.True(File.Exists(_dir.Combine("validation/report.md")));
    }

    /// <summary>Runs a task's index.js with node as the agent does: TF_BUILD, INPUT_* variables, the sources folder.</summary>
    private async Task<(int Code, string Out, string Err)> RunTaskAsync(string task, string workspace, Dictionary<string, string> variables)
    {
        var bin = MlopsLauncher.Create(_dir.Combine("bin"));
        return await Processes.RunAsync("node", [Path.Combine(Extension, "tasks", task, "index.js")], TimeSpan.FromMinutes(2), _dir.Path, info =>
        {
            info.Environment.Remove("GITHUB_ACTIONS");
            info.Environment["TF_BUILD"] = "True";
            info.Environment["PATH"] = bin + Path.PathSeparator + info.Environment["PATH"];
            info.Environment["SYSTEM_DEFAULTWORKINGDIRECTORY"] = workspace;
            info.Environment["AGENT_TEMPDIRECTORY"] = _dir.Combine("agent-temp");
            foreach (var (k, v) in variables) info.Environment[k] = v;
        });
    }
}
