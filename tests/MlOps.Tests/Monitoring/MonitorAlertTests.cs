using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Monitoring;

/// <summary>
/// mlops monitor's alert issues against GitHub's REST API as its OpenAPI description defines it
/// (Prism, with issue state kept by the test front): opened once per model and rule, updated in
/// place on the next failing run, closed with a comment when the check passes again.
/// </summary>
[Collection(GitHubApiCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MonitorAlertTests(GitHubApi api) : IDisposable
{
    private const string Repo = "octo-org/penguins";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string> Runner() => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_REPOSITORY"] = Repo,
        ["GITHUB_EVENT_NAME"] = "schedule",
        ["GITHUB_API_URL"] = api.Url,
        ["GITHUB_SERVER_URL"] = "https://github.com",
        ["GITHUB_RUN_ID"] = "77",
        ["GITHUB_TOKEN"] = "ghs_job-token",
        ["GITHUB_OUTPUT"] = _dir.Combine("output.txt"),
        ["GITHUB_STEP_SUMMARY"] = _dir.Combine("summary.md"),
    };

    private Task<(int Code, string Out, string Err)> MonitorAsync(string config, string log, string output) =>
        Support.Cli.RunWithEnvironmentAsync(Runner(), ["monitor", "--config", config, "--log", log, "--output", _dir.Combine(output)]);

    [Fact]
    public async Task A_drift_opens_one_issue_per_rule_that_is_updated_in_place_and_closed_on_recovery()
    {
        api.Reset();
        var config = await MonitorTests.ProductionAsync(_dir);
        await MonitorTests.ServeAsync(_dir, _dir.Combine("heavy.jsonl"), 1500);
        await MonitorTests.ServeAsync(_dir, _dir.Combine("normal.jsonl"), 0);
        api.Issues[1] = new IssueState("Someone's bug", "not ours", "open", ["mlops-monitor"]); // labeled, but no marker

        var (code, o, e) = await MonitorAsync(config, _dir.Combine("heavy.jsonl"), "mon1");
        Assert.True(code == ExitCodes.GateFailed, o + e + string.Join("\n", api.Violations));
        var findings = JsonDocument.Parse(File.ReadAllText(_dir.Combine("mon1/monitoring.json"))).RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("rule").GetString(), f.GetProperty("subject").GetString())).Distinct().ToList();
        var ours = api.Issues.Where(i => i.Key != 1).ToList();
        Assert.Equal(findings.Count, ours.Count);
        var drift = Assert.Single(ours, i => i.Value.Title == "Model penguins v1: input drift in body_mass_g");
        Assert.Equal("open", drift.Value.State);
        Assert.Contains("mlops-monitor", drift.Value.Labels);
        Assert.Contains("psi", drift.Value.Body, StringComparison.Ordinal);
        Assert.Contains("https://github.com/octo-org/penguins/actions/runs/77", drift.Value.Body, StringComparison.Ordinal);
        Assert.Contains($"{findings.Count} opened, 0 updated", e, StringComparison.Ordinal);
        Assert.Contains("::error::Model penguins v1: input drift in body_mass_g", o, StringComparison.Ordinal);

        // Still drifting the next day: the same issues, edited or left as they are; none added.
        var (again, _, e2) = await MonitorAsync(config, _dir.Combine("heavy.jsonl"), "mon2");
        Assert.Equal(ExitCodes.GateFailed, again);
        Assert.Contains("0 opened", e2, StringComparison.Ordinal);
        Assert.Equal(ours.Count, api.Issues.Count(i => i.Key != 1));

        // Back to normal traffic: every alert closes with a comment; the other issue is untouched.
        var (ok, oo, oe) = await MonitorAsync(config, _dir.Combine("normal.jsonl"), "mon3");
        Assert.True(ok == 0, oo + oe);
        Assert.Contains($"{findings.Count} closed", oe, StringComparison.Ordinal);
        Assert.All(api.Issues.Where(i => i.Key != 1), i => Assert.Equal("closed", i.Value.State));
        Assert.Equal("open", api.Issues[1].State);
        Assert.Contains(api.Comments.Values, c => c.Issue == drift.Key && c.Body.StartsWith("Recovered", StringComparison.Ordinal));
        Assert.Empty(api.Violations);
    }

    [Fact]
    public async Task A_token_without_issues_write_is_one_line_naming_the_permission()
    {
        api.Reset();
        var config = await MonitorTests.ProductionAsync(_dir);
        await MonitorTests.ServeAsync(_dir, _dir.Combine("heavy.jsonl"), 1500);
        api.Fail("POST", "/issues$", 403, times: 10, message: "Resource not accessible by integration");
        var (code, _, e) = await MonitorAsync(config, _dir.Combine("heavy.jsonl"), "mon");
        Assert.Equal(ExitCodes.ExternalServiceError, code);
        Assert.Contains("permissions: issues: write", e, StringComparison.Ordinal);
        Assert.DoesNotContain("ghs_job-token", e, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.Combine("mon/report.md"))); // the verdict is written before the alert fails
    }
}
