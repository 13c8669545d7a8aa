using MlOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Cli.Actions;

/// <summary>
/// Every action.yml and GitHub workflow (ours and the templates users copy) passes a real
/// validator: @action-validator/cli checks them against the schemas of GitHub's action and
/// workflow syntax. Azure Pipelines templates must at least be well-formed YAML with steps.
/// </summary>
[Trait("Category", "Integration")]
public class ActionAndWorkflowTests
{
    public static TheoryData<string> GitHubFiles()
    {
        var root = Support.Cli.RepoRoot;
        var files = Directory.GetFiles(Path.Combine(root, "actions"), "action.yml", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, ".github", "workflows"), "*.yml"))
            .Concat(Directory.GetFiles(Path.Combine(root, "templates", "github"), "*.yml"))
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal);
        var data = new TheoryData<string>();
        foreach (var f in files) data.Add(f);
        return data;
    }

    [Theory]
    [MemberData(nameof(GitHubFiles))]
    public async Task Passes_the_action_validator(string file)
    {
        var (code, output) = await ValidateAsync(Path.Combine(Support.Cli.RepoRoot, file));
        Assert.True(code == 0, $"{file}: {output}");
    }

    [Fact]
    public async Task The_validator_rejects_a_broken_workflow()
    {
        using var dir = new TempDir();
        var (code, output) = await ValidateAsync(dir.File("bad.yml", "name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n"));
        Assert.NotEqual(0, code);
        Assert.Contains("stepz", output);
    }

    [Fact]
    public void Every_action_has_a_readme_that_documents_each_input_and_output()
    {
        var expected = new[] { "setup", "validate-data", "train", "evaluate", "report", "register", "deploy", "predict", "monitor" };
        var actions = Path.Combine(Support.Cli.RepoRoot, "actions");
        Assert.Equal(expected.Order(), Directory.GetDirectories(actions).Select(Path.GetFileName).Where(n => n != "azure-devops").Order()!);
        foreach (var name in expected)
        {
            var yaml = YamlFiles.Load(Path.Combine(actions, name, "action.yml"));
            var readme = File.ReadAllText(Path.Combine(actions, name, "README.md"));
            Assert.Contains($"actions/{name}@", readme);
            foreach (var section in new[] { "inputs", "outputs" })
            {
                if (!yaml.Children.TryGetValue(new YamlScalarNode(section), out var node)) continue;
                foreach (var key in ((YamlMappingNode)node).Children.Keys) Assert.Contains($"| `{key}` |", readme);
            }

            Assert.True(yaml.Children.ContainsKey(new YamlScalarNode("branding")), $"{name}: branding");
        }
    }

    [Theory]
    [InlineData("templates/azure-pipelines/pull-request.yml")]
    [InlineData("templates/azure-pipelines/release.yml")]
    [InlineData("templates/azure-pipelines/continuous-training.yml")]
    public void Azure_pipelines_templates_use_tasks_and_inputs_the_extension_has(string file)
    {
        var yaml = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, file));
        Assert.True(yaml.Children.ContainsKey(new YamlScalarNode("steps")) || yaml.Children.ContainsKey(new YamlScalarNode("stages")));
        Assert.True(yaml.Children.ContainsKey(new YamlScalarNode("trigger")));

        var tasks = Directory.GetFiles(Path.Combine(Support.Cli.RepoRoot, "actions", "azure-devops", "tasks"), "task.json", SearchOption.AllDirectories)
            .Select(f => System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f))!)
            .ToDictionary(t => $"{t["name"]}@{t["version"]!["Major"]}", t => t["inputs"]!.AsArray().Select(i => i!["name"]!.GetValue<string>()).ToHashSet());
        var used = 0;
        foreach (var step in Descendants(yaml).OfType<YamlMappingNode>())
        {
            if (!step.Children.TryGetValue(new YamlScalarNode("task"), out var task) || !((YamlScalarNode)task).Value!.StartsWith("MlOps", StringComparison.Ordinal)) continue;
            var reference = ((YamlScalarNode)task).Value!;
            Assert.True(tasks.TryGetValue(reference, out var inputs), $"{file}: the extension has no task {reference}");
            used++;
            if (!step.Children.TryGetValue(new YamlScalarNode("inputs"), out var given)) continue;
            foreach (var key in ((YamlMappingNode)given).Children.Keys) Assert.True(inputs.Contains(((YamlScalarNode)key).Value!), $"{file}: {reference} has no input '{key}'");
        }

        Assert.True(used >= 2, $"{file} uses no MlOps.CI task");
    }

    [Theory]
    [MemberData(nameof(GitHubFiles))]
    public void Steps_that_use_our_actions_pass_only_inputs_the_actions_have(string file)
    {
        var yaml = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, file));
        foreach (var step in Descendants(yaml).OfType<YamlMappingNode>())
        {
            if (!step.Children.TryGetValue(new YamlScalarNode("uses"), out var uses)) continue;
            var match = System.Text.RegularExpressions.Regex.Match(((YamlScalarNode)uses).Value!, @"^(?:mlops-ci/mlops-ci/|\./)actions/([a-z-]+)(?:@|$)");
            if (!match.Success) continue;
            var action = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, "actions", match.Groups[1].Value, "action.yml"));
            var inputs = ((YamlMappingNode)action["inputs"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
            if (!step.Children.TryGetValue(new YamlScalarNode("with"), out var with)) continue;
            foreach (var key in ((YamlMappingNode)with).Children.Keys) Assert.True(inputs.Contains(((YamlScalarNode)key).Value), $"{file}: actions/{match.Groups[1].Value} has no input '{key}'");
        }
    }

    [Theory]
    [MemberData(nameof(GitHubFiles))]
    public void Step_and_job_outputs_a_workflow_reads_exist(string file)
    {
        var text = File.ReadAllText(Path.Combine(Support.Cli.RepoRoot, file));
        var yaml = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, file));
        if (!yaml.Children.TryGetValue(new YamlScalarNode("jobs"), out var jobs)) return; // an action.yml
        var jobOutputs = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (name, node) in ((YamlMappingNode)jobs).Children)
        {
            var job = (YamlMappingNode)node;
            jobOutputs[((YamlScalarNode)name).Value!] = job.Children.TryGetValue(new YamlScalarNode("outputs"), out var o) ? ((YamlMappingNode)o).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet() : [];
            var ours = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var step in ((YamlSequenceNode)job["steps"]).OfType<YamlMappingNode>())
            {
                if (!step.Children.TryGetValue(new YamlScalarNode("id"), out var id) || !step.Children.TryGetValue(new YamlScalarNode("uses"), out var uses)) continue;
                var m = System.Text.RegularExpressions.Regex.Match(((YamlScalarNode)uses).Value!, @"^mlops-ci/mlops-ci/actions/([a-z-]+)@");
                if (!m.Success) continue;
                var action = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, "actions", m.Groups[1].Value, "action.yml"));
                ours[((YamlScalarNode)id).Value!] = ((YamlMappingNode)action["outputs"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet();
            }

            var serialized = new YamlStream(new YamlDocument(job));
            using var writer = new StringWriter();
            serialized.Save(writer, assignAnchors: false);
            foreach (System.Text.RegularExpressions.Match r in System.Text.RegularExpressions.Regex.Matches(writer.ToString(), @"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)"))
            {
                if (ours.TryGetValue(r.Groups[1].Value, out var outputs)) Assert.True(outputs.Contains(r.Groups[2].Value), $"{file}: step '{r.Groups[1].Value}' has no output '{r.Groups[2].Value}'");
            }
        }

        foreach (System.Text.RegularExpressions.Match r in System.Text.RegularExpressions.Regex.Matches(text, @"needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)"))
        {
            Assert.True(jobOutputs.TryGetValue(r.Groups[1].Value, out var outputs) && outputs.Contains(r.Groups[2].Value), $"{file}: job '{r.Groups[1].Value}' has no output '{r.Groups[2].Value}'");
        }
    }

    private static IEnumerable<YamlNode> Descendants(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.Values.SelectMany(Descendants).Prepend(m),
        YamlSequenceNode s => s.Children.SelectMany(Descendants).Prepend(s),
        _ => [node],
    };

    private static async Task<(int Code, string Output)> ValidateAsync(string path)
    {
        var (code, stdout, stderr) = await Processes.RunAsync(NodeService.Bin("action-validator"), [path], TimeSpan.FromSeconds(60));
        return (code, stdout + stderr);
    }
}
