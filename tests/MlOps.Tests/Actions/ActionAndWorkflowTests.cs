using MlOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Actions;

/// <summary>
/// Every action.yml and GitHub workflow (ours and the templates users copy) passes a real
/// validator: @action-validator/cli checks them against the schemas of GitHub's action and
/// workflow syntax. Azure Pipelines templates must at least be well-formed YAML with steps.
/// </summary>
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
        var expected = new[] { "setup", "validate-data", "train", "evaluate", "report", "register", "deploy" };
        var actions = Path.Combine(Support.Cli.RepoRoot, "actions");
        Assert.Equal(expected.Order(), Directory.GetDirectories(actions).Select(Path.GetFileName).Where(n => n != "azure-devops").Order()!);
        foreach (var name in expected)
        {
            var yaml = Load(Path.Combine(actions, name, "action.yml"));
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
    public void Azure_pipelines_templates_are_well_formed(string file)
    {
        var yaml = Load(Path.Combine(Support.Cli.RepoRoot, file));
        Assert.True(yaml.Children.ContainsKey(new YamlScalarNode("steps")) || yaml.Children.ContainsKey(new YamlScalarNode("stages")));
        Assert.True(yaml.Children.ContainsKey(new YamlScalarNode("trigger")));
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static async Task<(int Code, string Output)> ValidateAsync(string path)
    {
        var (code, stdout, stderr) = await Processes.RunAsync(NodeService.Bin("action-validator"), [path], TimeSpan.FromSeconds(60));
        return (code, stdout + stderr);
    }
}
