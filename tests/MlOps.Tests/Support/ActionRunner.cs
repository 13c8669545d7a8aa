using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.Support;

/// <summary>
/// Runs one of our composite actions the way the GitHub runner does (<c>shell: bash</c> is
/// <c>bash --noprofile --norc -eo pipefail</c>): each step's <c>env</c> with
/// its <c>${{ inputs.NAME }}</c> expressions resolved against the <c>with:</c> values and the
/// defaults, <c>run</c> in bash in the workspace, a fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
/// file per step, and the action's outputs read through their <c>value:</c> expressions. Only the
/// expressions our action.yml files use are understood; any other fails the test loudly.
/// </summary>
public sealed partial class ActionRunner(string workspace, string runnerTemp, IReadOnlyDictionary<string, string> runnerEnvironment, string token, string? actionsRoot = null)
{
    private readonly string _actions = actionsRoot ?? Path.Combine(Cli.RepoRoot, "actions");

    /// <summary>The job summary so far, as the runner concatenates each step's summary file.</summary>
    public string Summary { get; private set; } = string.Empty;

    /// <summary>The folders steps added to PATH through GITHUB_PATH, in order.</summary>
    public List<string> AddedPaths { get; } = [];

    /// <summary>The variables the runner gives every step of a job (a subset: the ones a step can read), with the mlops launcher in <paramref name="bin"/> first on PATH.</summary>
    public static Dictionary<string, string> JobEnvironment(string bin, string home, string repository, string eventName, string eventPath, string refName, string sha, string apiUrl, string runId) => new()
    {
        ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        ["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? home,
        ["DOTNET_ROOT"] = Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? string.Empty,
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["CI"] = "true",
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_REPOSITORY"] = repository,
        ["GITHUB_EVENT_NAME"] = eventName,
        ["GITHUB_EVENT_PATH"] = eventPath,
        ["GITHUB_REF_NAME"] = refName,
        ["GITHUB_SHA"] = sha,
        ["GITHUB_API_URL"] = apiUrl,
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_RUN_ID"] = runId,
        ["RUNNER_OS"] = "Linux",
    };

    /// <summary>Runs actions/NAME with the given <c>with:</c> values.</summary>
    public async Task<ActionRun> RunAsync(string name, IReadOnlyDictionary<string, string>? with = null)
    {
        var folder = Path.Combine(_actions, name);
        var action = YamlFiles.Load(Path.Combine(folder, "action.yml"));
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in ((YamlMappingNode)action["inputs"]).Children)
        {
            var input = ((YamlScalarNode)key).Value!;
            var def = ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode("default"), out var d) ? ((YamlScalarNode)d).Value ?? string.Empty : string.Empty;
            inputs[input] = with is not null && with.TryGetValue(input, out var given) ? given : Evaluate(def, inputs, null);
        }

        foreach (var given in with?.Keys ?? []) Assert.True(inputs.ContainsKey(given), $"actions/{name} has no input '{given}'");
        var runs = (YamlMappingNode)action["runs"];
        Assert.Equal("composite", ((YamlScalarNode)runs["using"]).Value);
        var stepOutputs = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var log = new System.Text.StringBuilder();
        var code = 0;
        foreach (YamlMappingNode step in (YamlSequenceNode)runs["steps"])
        {
            var id = step.Children.TryGetValue(new YamlScalarNode("id"), out var idNode) ? ((YamlScalarNode)idNode).Value! : Guid.NewGuid().ToString("N");
            if (step.Children.TryGetValue(new YamlScalarNode("if"), out var condition) && !Condition(((YamlScalarNode)condition).Value!, stepOutputs))
            {
                stepOutputs[id] = [];
                continue;
            }

            // Another action (setup-dotnet, cache) is the runner's business, not ours: a step that
            // would run one fails the test, so the tests run only paths that skip them.
            Assert.False(step.Children.ContainsKey(new YamlScalarNode("uses")), $"actions/{name}: the test runner does not run uses: steps ({id})");
            Assert.Equal("bash", ((YamlScalarNode)step["shell"]).Value);
            var output = Path.Combine(runnerTemp, $"output-{Guid.NewGuid():N}");
            var summary = Path.Combine(runnerTemp, $"summary-{Guid.NewGuid():N}");
            var addPath = Path.Combine(runnerTemp, $"path-{Guid.NewGuid():N}");
            File.WriteAllText(output, string.Empty);
            File.WriteAllText(summary, string.Empty);
            File.WriteAllText(addPath, string.Empty);
            var env = new Dictionary<string, string>(runnerEnvironment)
            {
                ["GITHUB_ACTION_PATH"] = folder,
                ["GITHUB_OUTPUT"] = output,
                ["GITHUB_STEP_SUMMARY"] = summary,
                ["GITHUB_PATH"] = addPath,
                ["GITHUB_WORKSPACE"] = workspace,
                ["RUNNER_TEMP"] = runnerTemp,
            };
            if (step.Children.TryGetValue(new YamlScalarNode("env"), out var envNode))
            {
                foreach (var (k, v) in ((YamlMappingNode)envNode).Children) env[((YamlScalarNode)k).Value!] = Evaluate(((YamlScalarNode)v).Value!, inputs, null);
            }

            var (exit, stdout, stderr) = await Processes.RunAsync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", ((YamlScalarNode)step["run"]).Value!], TimeSpan.FromMinutes(3), workspace, info =>
            {
                info.Environment.Clear();
                foreach (var (k, v) in env) info.Environment[k] = v;
            });
            log.Append(stdout).Append(stderr);
            stepOutputs[id] = ParseOutputs(File.ReadAllText(output));
            Summary += File.ReadAllText(summary);
            AddedPaths.AddRange(File.ReadAllLines(addPath).Where(l => l.Length > 0));
            code = exit;
            if (exit != 0) break;
        }

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (action.Children.TryGetValue(new YamlScalarNode("outputs"), out var outNode))
        {
            foreach (var (key, node) in ((YamlMappingNode)outNode).Children)
            {
                outputs[((YamlScalarNode)key).Value!] = Evaluate(((YamlScalarNode)((YamlMappingNode)node)["value"]).Value!, inputs, stepOutputs);
            }
        }

        return new ActionRun(code, outputs, log.ToString());
    }

    /// <summary>Reads a GITHUB_OUTPUT file: <c>name=value</c> lines and <c>name&lt;&lt;DELIMITER</c> blocks.</summary>
    public static Dictionary<string, string> ParseOutputs(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Split("<<", 2) is [var name, var delimiter] && !name.Contains('='))
            {
                var value = new List<string>();
                while (lines[++i] != delimiter) value.Add(lines[i]);
                result[name] = string.Join("\n", value);
            }
            else if (lines[i].Split('=', 2) is [var key, var v])
            {
                result[key] = v;
            }
        }

        return result;
    }

    /// <summary>An <c>if:</c> of the shapes our actions use: <c>steps.ID.outputs.NAME != 'value'</c> (or ==), joined by &amp;&amp;.</summary>
    private static bool Condition(string text, Dictionary<string, Dictionary<string, string>> steps) =>
        text.Split("&&").All(part =>
        {
            var m = ConditionPart().Match(part.Trim());
            Assert.True(m.Success, $"the test runner does not understand if: {text}");
            var value = steps.TryGetValue(m.Groups[1].Value, out var outputs) ? outputs.GetValueOrDefault(m.Groups[2].Value, string.Empty) : string.Empty;
            return (value == m.Groups[4].Value) == (m.Groups[3].Value == "==");
        });

    [GeneratedRegex(@"^steps\.([A-Za-z0-9_\-]+)\.outputs\.([A-Za-z0-9_\-]+) (==|!=) '([^']*)'$")]
    private static partial Regex ConditionPart();

    private string Evaluate(string text, Dictionary<string, string> inputs, Dictionary<string, Dictionary<string, string>>? steps) =>
        Expression().Replace(text, m =>
        {
            var path = m.Groups[1].Value.Split('.');
            return path switch
            {
                ["inputs", var name] => inputs.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"unknown input {name}"),
                ["github", "token"] => token,
                ["steps", var id, "outputs", var output] when steps is not null => steps[id].GetValueOrDefault(output, string.Empty),
                _ => throw new InvalidOperationException($"the test runner does not understand ${{{{ {m.Groups[1].Value} }}}}"),
            };
        });

    [GeneratedRegex(@"\$\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")]
    private static partial Regex Expression();
}

/// <summary>What one action run left: its exit code, its outputs and its log.</summary>
public sealed record ActionRun(int Code, IReadOnlyDictionary<string, string> Outputs, string Log);
