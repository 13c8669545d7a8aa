using System.Text.Json.Nodes;
using MlOps.Platforms;
using MlOps.Platforms.GitHub;
using MlOps.Tests.Support;

namespace MlOps.Tests.Reporting;

/// <summary>
/// mlops report against GitHub's REST API as described by GitHub's own OpenAPI document (Prism),
/// with comment state, races and failures added by the test front (see <see cref="GitHubApi"/>).
/// </summary>
[Collection(GitHubApiCollection.Name)]
[Trait("Category", "Integration")]
public sealed class GitHubReportTests : IDisposable
{
    private const string Repo = "octo-org/penguins";
    private const int PullRequest = 7;
    private readonly GitHubApi _api;
    private readonly TempDir _dir = new();

    public GitHubReportTests(GitHubApi api)
    {
        _api = api;
        _api.Reset();
    }

    public void Dispose() => _dir.Dispose();

    private async Task<Dictionary<string, string>> RunnerAsync(bool blessed = true, bool fork = false, string token = "ghs_secret-token-value")
    {
        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed));
        StageArtifacts.WriteValidation(_dir.Combine("validation"), passed: true);
        var headRepo = fork ? "someone/penguins" : Repo;
        var sha = new string('d', 40);
        var payload = _dir.File("event.json", GitHubEvents.PullRequest(Repo, PullRequest, sha, headRepo).ToJsonString());
        return new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_REPOSITORY"] = Repo,
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_EVENT_PATH"] = payload,
            ["GITHUB_API_URL"] = _api.Url,
            ["GITHUB_SERVER_URL"] = "https://github.com",
            ["GITHUB_RUN_ID"] = "4242",
            ["GITHUB_SHA"] = new string('e', 40),
            ["GITHUB_TOKEN"] = token,
            ["GITHUB_OUTPUT"] = _dir.Combine("output.txt"),
            ["GITHUB_STEP_SUMMARY"] = _dir.Combine("summary.md"),
        };
    }

    private Task<(int Code, string Out, string Err)> ReportAsync(Dictionary<string, string> env, params string[] extra) =>
        Support.Cli.RunWithEnvironmentAsync(env, ["report", "--validation", _dir.Combine("validation"), "--evaluation", _dir.Combine("evaluation"), "--output", _dir.Combine("out/report.md"), .. extra]);

    private List<string> Ours() => _api.Comments.Values.Where(c => c.Issue == PullRequest && c.Body.Contains("<!-- mlops-report:mlops -->")).Select(c => c.Body).ToList();

    [Fact]
    public async Task A_pull_request_gets_one_comment_that_is_updated_in_place_on_the_next_push()
    {
        var env = await RunnerAsync(blessed: false);
        _api.AddComment(PullRequest, "LGTM, someone else's comment");

        var first = await ReportAsync(env);
        Assert.True(first.Code == 0, first.Err + string.Join("\n", _api.Violations));
        Assert.Contains("Pull-request comment created", first.Err);
        var comment = Assert.Single(Ours());
        Assert.Contains("## ❌ Not blessed", comment);
        var id = _api.Comments.Single(c => c.Value.Body == comment).Key;

        // The next push: the candidate is blessed now.
        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed: true));
        var second = await ReportAsync(env);
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains("Pull-request comment updated", second.Err);
        var updated = Assert.Single(Ours());
        Assert.Contains("## ✅ Blessed", updated);
        Assert.Equal(updated, _api.Comments[id].Body); // the same comment, edited
        Assert.Equal(2, _api.Comments.Count); // the other comment is untouched

        var third = await ReportAsync(env);
        Assert.Contains("Pull-request comment unchanged", third.Err);
        Assert.Single(_api.Requests, r => r.StartsWith("PATCH", StringComparison.Ordinal)); // only the second run edited
        Assert.Empty(_api.Violations);
        Assert.All(_api.Requests, r => Assert.DoesNotContain("/api/v3", r));
    }

    [Fact]
    public async Task The_runner_gets_a_summary_outputs_annotations_and_a_masked_token()
    {
        var env = await RunnerAsync(blessed: false);
        var (code, stdout, _) = await ReportAsync(env);
        Assert.Equal(0, code);

        Assert.Contains("::add-mask::ghs_secret-token-value", stdout);
        Assert.Single(stdout.Split('\n'), l => l.Contains("ghs_secret-token-value")); // only the mask command
        Assert.Contains("::error file=data.csv,line=42::Data anomaly in column 'sex': out-of-domain", stdout);
        Assert.Contains("::error::Model not blessed: accuracy (no significant regression)", stdout);
        Assert.Contains("::warning::Drift in column 'body_mass_g'", stdout);

        var summary = File.ReadAllText(env["GITHUB_STEP_SUMMARY"]);
        Assert.StartsWith("<!-- mlops-report:mlops -->", summary);
        Assert.Contains("[full report and artifacts](https://github.com/octo-org/penguins/actions/runs/4242)", summary);

        var outputs = ActionRunner.ParseOutputs(File.ReadAllText(env["GITHUB_OUTPUT"]));
        Assert.Equal("false", outputs["blessed"]);
        Assert.Equal("false", outputs["passed"]);
        Assert.Equal(Path.GetFullPath(_dir.Combine("out/report.md")), outputs["report"]);
        Assert.StartsWith("https://github.com/", outputs["comment-url"]);
    }

    [Fact]
    public async Task Duplicates_left_by_an_earlier_race_collapse_into_the_oldest()
    {
        var env = await RunnerAsync();
        _api.AddComment(PullRequest, "<!-- mlops-report:mlops -->\nold one");
        _api.AddComment(PullRequest, "<!-- mlops-report:mlops -->\nold two");
        var oldest = _api.Comments.Keys.Min();

        var (code, _, err) = await ReportAsync(env);
        Assert.True(code == 0, err);
        Assert.Single(Ours());
        Assert.Contains("## ✅ Blessed", _api.Comments[oldest].Body);
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Two_jobs_racing_on_the_same_pull_request_leave_exactly_one_comment()
    {
        var env = await RunnerAsync();
        _api.SynchronizeListings(2); // both jobs list before either creates
        var context = GitHubContext.FromEnvironment(n => env.GetValueOrDefault(n))!;
        var a = new GitHubReporter(GitHubReporter.CreateClient(_api.Url, "t"), context, PullRequest, new RetryPolicy());
        var b = new GitHubReporter(GitHubReporter.CreateClient(_api.Url, "t"), context, PullRequest, new RetryPolicy());
        const string marker = "<!-- mlops-report:race -->";

        var results = await Task.WhenAll(a.UpsertAsync(marker, marker + "\nfrom job A"), b.UpsertAsync(marker, marker + "\nfrom job B"));

        Assert.Equal(2, _api.Requests.Count(r => r == $"POST /repos/{Repo}/issues/{PullRequest}/comments")); // both created
        var left = Assert.Single(_api.Comments.Values, c => c.Body.StartsWith(marker, StringComparison.Ordinal));
        Assert.Contains(left.Body, new[] { marker + "\nfrom job A", marker + "\nfrom job B" });
        Assert.Contains(results, r => r.Action == CommentAction.Updated); // the later one moved into the older comment
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task A_fork_with_a_read_only_token_falls_back_to_the_summary_with_a_warning_and_exit_0()
    {
        var env = await RunnerAsync(fork: true);
        _api.Fail("POST", $"^/repos/{Repo}/issues/{PullRequest}/comments$", 403, prismCode: true); // GitHub's own 403 example

        var (code, stdout, err) = await ReportAsync(env);
        Assert.Equal(0, code);
        Assert.Contains("::warning::GitHub refused creating the pull-request comment", stdout);
        Assert.Contains("a pull request from a fork gets a read-only token", err);
        Assert.Empty(Ours());
        Assert.Contains("## ✅ Blessed", File.ReadAllText(env["GITHUB_STEP_SUMMARY"]));
        Assert.DoesNotContain("comment-url", File.ReadAllText(env["GITHUB_OUTPUT"]));
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Rate_limits_are_waited_out_as_github_asks_and_5xx_is_retried()
    {
        var env = await RunnerAsync();
        var reset = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _api.Fail("GET", "/comments$", 403, headers: new Dictionary<string, string> { ["x-ratelimit-limit"] = "1000", ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = reset }, message: "API rate limit exceeded for installation ID 1.");
        _api.Fail("POST", "/comments$", 429, headers: new Dictionary<string, string> { ["retry-after"] = "1" }, message: "You have exceeded a secondary rate limit.");
        _api.Fail("GET", "/comments$", 502, message: "Bad Gateway");

        var (code, _, err) = await ReportAsync(env);
        Assert.True(code == 0, err);
        Assert.Contains("API rate limit exhausted", err);
        Assert.Contains("Retry-After 1 s", err);
        Assert.Contains("HTTP 502", err);
        Assert.Single(Ours());
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task A_server_that_keeps_failing_ends_in_one_clear_exit_4_error()
    {
        var env = await RunnerAsync();
        _api.Fail("GET", "/comments$", 503, times: 10, message: "Service Unavailable");
        var context = GitHubContext.FromEnvironment(n => env.GetValueOrDefault(n))!;
        var reporter = new GitHubReporter(GitHubReporter.CreateClient(_api.Url, "t"), context, PullRequest, new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(20) });

        var e = await Assert.ThrowsAsync<ExternalServiceException>(() => reporter.UpsertAsync("<!-- x -->", "body"));
        Assert.Equal(ExitCodes.ExternalServiceError, e.ExitCode);
        Assert.StartsWith("GitHub: listing pull-request comments failed after 4 attempts: HTTP 503", e.Message);
        Assert.Equal(4, _api.Requests.Count(r => r.StartsWith("GET", StringComparison.Ordinal)));

        // A reset an hour away is not waited for: the job fails now instead of hanging.
        _api.Reset();
        var later = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _api.Fail("GET", "/comments$", 403, headers: new Dictionary<string, string> { ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = later }, message: "API rate limit exceeded");
        var limited = await Assert.ThrowsAsync<ExternalServiceException>(() => reporter.UpsertAsync("<!-- x -->", "body"));
        Assert.Contains("more than the 60 s we allow", limited.Message);
    }

    [Fact]
    public async Task The_verdict_can_be_a_commit_status_on_the_pull_requests_head()
    {
        var env = await RunnerAsync(blessed: false);
        var (code, _, err) = await ReportAsync(env, "--commit-status", "--comment", "never");
        Assert.True(code == 0, err);
        var (sha, body) = Assert.Single(_api.Statuses);
        Assert.Equal(new string('d', 40), sha); // the PR head, not the merge commit
        Assert.Equal("failure", (string?)body["state"]);
        Assert.Equal("mlops/mlops", (string?)body["context"]);
        Assert.Equal("https://github.com/octo-org/penguins/actions/runs/4242", (string?)body["target_url"]);
        Assert.Empty(Ours());
        Assert.Empty(_api.Violations);
    }

    [Fact]
    public async Task Comment_always_outside_a_pull_request_is_a_usage_error()
    {
        var env = await RunnerAsync();
        env["GITHUB_EVENT_NAME"] = "push";
        env.Remove("GITHUB_EVENT_PATH");
        var (code, _, err) = await ReportAsync(env, "--comment", "always");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("the 'push' event is not about a pull request (pass --pull-request)", err);

        var auto = await ReportAsync(env);
        Assert.Equal(0, auto.Code);
        Assert.Empty(_api.Requests);
    }
}
