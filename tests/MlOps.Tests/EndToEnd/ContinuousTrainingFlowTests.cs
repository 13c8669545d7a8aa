using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOps.Tests.Monitoring;
using MlOps.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace MlOps.Tests.EndToEnd;

/// <summary>
/// templates/github/continuous-training.yml as the runner runs it: the scheduled monitor job's
/// steps on production traffic that drifted (its output says so and an alert issue opens), then
/// the retrain job's steps, which register the blessed candidate as staging for the promotion.
/// Steps that use our actions run through <see cref="ActionRunner"/> with the template's own
/// <c>with:</c> and <c>if:</c>; checkout, setup and upload steps are the runner's business.
/// </summary>
[Collection(GitHubApiCollection.Name)]
[Trait("Category", "Integration")]
public sealed partial class ContinuousTrainingFlowTests(GitHubApi api) : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Drift_in_production_fails_the_monitor_job_and_the_retrain_job_stages_a_blessed_candidate()
    {
        api.Reset();
        var template = YamlFiles.Load(Path.Combine(Support.Cli.RepoRoot, "templates", "github", "continuous-training.yml"));
        var jobs = (YamlMappingNode)template["jobs"];
        var config = await MonitorTests.ProductionAsync(_dir);
        await MonitorTests.ServeAsync(_dir, _dir.Combine("logs/predictions.jsonl"), 1500); // what the fetch step would have brought
        var runner = new ActionRunner(_dir.Path, _dir.Combine("runner-temp"), Runner(), "ghs_ct-token");

        var monitor = await RunJobAsync(runner, (YamlMappingNode)jobs["monitor"]);
        Assert.True(monitor.Succeeded, monitor.Log); // continue-on-error: the failed monitor does not fail the run
        Assert.Equal("false", monitor.Outputs["passed"]);
        Assert.Contains(api.Issues.Values, i => i.Title == "Model penguins v1: input drift in body_mass_g");
        Assert.Empty(api.Violations);

        // The retrain job runs after a failed monitor (and on new data), never after a passing one.
        var retrain = (YamlMappingNode)jobs["retrain"];
        var condition = ((YamlScalarNode)retrain["if"]).Value!;
        Assert.Contains("needs.monitor.outputs.passed == 'false'", condition, StringComparison.Ordinal);
        Assert.Contains("github.event_name != 'schedule'", condition, StringComparison.Ordinal);
        var staged = await RunJobAsync(runner, retrain);
        Assert.True(staged.Succeeded, staged.Log);
        Assert.Equal("2", staged.Outputs["version"]);
        var aliases = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.Path, ".mlops", "registry", "models", "penguins", "aliases.json")))!["aliases"]!;
        Assert.Equal(2, (int?)aliases["staging"]);
        Assert.Equal(1, (int?)aliases["production"]); // promotion waits for the reviewed release
        Assert.Contains("needs.retrain.outputs.version != ''", ((YamlScalarNode)((YamlMappingNode)jobs["propose"])["if"]).Value!, StringComparison.Ordinal);
    }

    // One job: our action steps in order, with the template's inputs, if: and continue-on-error.
    private static async Task<JobRun> RunJobAsync(ActionRunner runner, YamlMappingNode job)
    {
        var steps = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        var log = new System.Text.StringBuilder();
        var failed = false;
        foreach (YamlMappingNode step in (YamlSequenceNode)job["steps"])
        {
            if (!step.Children.TryGetValue(new YamlScalarNode("uses"), out var uses) || OurAction().Match(((YamlScalarNode)uses).Value!) is not { Success: true } action) continue;
            if (action.Groups[1].Value == "setup") continue; // it puts mlops on PATH: the launcher already is
            if (step.Children.TryGetValue(new YamlScalarNode("if"), out var ifNode) && !Condition(((YamlScalarNode)ifNode).Value!, steps)) continue;
            if (failed) break;
            var with = step.Children.TryGetValue(new YamlScalarNode("with"), out var w)
                ? ((YamlMappingNode)w).Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!)
                : [];
            Assert.All(with.Values, v => Assert.DoesNotContain("${{", v, StringComparison.Ordinal));
            var run = await runner.RunAsync(action.Groups[1].Value, with);
            log.Append(run.Log);
            if (step.Children.TryGetValue(new YamlScalarNode("id"), out var id)) steps[((YamlScalarNode)id).Value!] = run.Outputs;
            var tolerated = step.Children.TryGetValue(new YamlScalarNode("continue-on-error"), out var c) && ((YamlScalarNode)c).Value == "true";
            failed = run.Code != 0 && !tolerated;
        }

        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (job.Children.TryGetValue(new YamlScalarNode("outputs"), out var o))
        {
            foreach (var (k, v) in ((YamlMappingNode)o).Children)
            {
                var m = StepOutput().Match(((YamlScalarNode)v).Value!);
                Assert.True(m.Success, $"job output {k} is not a step output");
                outputs[((YamlScalarNode)k).Value!] = steps.TryGetValue(m.Groups[1].Value, out var s) ? s.GetValueOrDefault(m.Groups[2].Value, string.Empty) : string.Empty;
            }
        }

        return new JobRun(!failed, outputs, log.ToString());
    }

    // The step conditions the template uses: steps.ID.outputs.NAME == 'value'.
    private static bool Condition(string text, Dictionary<string, IReadOnlyDictionary<string, string>> steps)
    {
        var m = Regex.Match(text, @"^steps\.([a-z-]+)\.outputs\.([a-z-]+) == '([^']*)'$");
        Assert.True(m.Success, $"the test does not understand the condition '{text}'");
        return steps.TryGetValue(m.Groups[1].Value, out var s) && s.GetValueOrDefault(m.Groups[2].Value) == m.Groups[3].Value;
    }

    private Dictionary<string, string> Runner()
    {
        var bin = MlopsLauncher.Create(_dir.Combine("bin"));
        Directory.CreateDirectory(_dir.Combine("runner-temp"));
        return ActionRunner.JobEnvironment(bin, _dir.Path, "octo-org/penguins", "schedule", _dir.File("event.json", """{"schedule":"17 4 * * *"}"""), "main", new string('c', 40), api.Url, "888");
    }

    [GeneratedRegex(@"^mlops-ci/mlops-ci/actions/([a-z-]+)@main$")]
    private static partial Regex OurAction();

    [GeneratedRegex(@"^\$\{\{\s*steps\.([a-z-]+)\.outputs\.([a-z-]+)\s*\}\}$")]
    private static partial Regex StepOutput();

    private sealed record JobRun(bool Succeeded, IReadOnlyDictionary<string, string> Outputs, string Log);
}
