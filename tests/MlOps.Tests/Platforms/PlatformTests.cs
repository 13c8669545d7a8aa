using MlOps.Platforms;
using MlOps.Platforms.GitHub;
using MlOps.Tests.Support;

namespace MlOps.Tests.Platforms;

[Trait("Category", "Integration")]
public class PlatformTests
{
    [Fact]
    public void Workflow_commands_escape_what_the_runner_unescapes()
    {
        var stdout = new StringWriter();
        var gh = new GitHubActions(_ => null, stdout);
        gh.Annotate(AnnotationLevel.Error, "100% wrong\nsecond line", "data/a,b:c.csv", 7);
        Assert.Equal("::error file=data/a%2Cb%3Ac.csv,line=7::100%25 wrong%0Asecond line", stdout.ToString().Trim());

        var ado = new StringWriter();
        new AzurePipelines(_ => null, ado).Annotate(AnnotationLevel.Notice, "50%;]\r\nx", "a;b].csv");
        Assert.Equal("##vso[task.logissue type=warning;sourcepath=a%3Bb%5D.csv;]50%AZP25;]%0D%0Ax", ado.ToString().Trim());
    }

    [Fact]
    public void Outputs_use_a_random_heredoc_delimiter_so_multiline_values_are_safe()
    {
        using var dir = new TempDir();
        var file = dir.Combine("out.txt");
        var gh = new GitHubActions(n => n == "GITHUB_OUTPUT" ? file : null, TextWriter.Null);
        gh.SetOutput("reasons", "line one\nEOF\nline three");
        gh.SetOutput("blessed", "true");
        var outputs = ActionRunner.ParseOutputs(File.ReadAllText(file));
        Assert.Equal("line one\nEOF\nline three", outputs["reasons"]);
        Assert.Equal("true", outputs["blessed"]);
        Assert.Matches("^reasons<<ghadelimiter_[0-9a-f]{32}\n", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("pull_request_target", """{"pull_request":{"number":5,"head":{"sha":"abc","repo":{"full_name":"fork/r"}},"base":{"repo":{"full_name":"o/r"}}}}""", 5, "abc", true)]
    [InlineData("issue_comment", """{"issue":{"number":9,"pull_request":{"url":"x"}},"comment":{"body":"/mlops report"}}""", 9, "sha0", false)]
    [InlineData("issue_comment", """{"issue":{"number":9},"comment":{"body":"on an issue, not a PR"}}""", null, "sha0", false)]
    [InlineData("workflow_run", """{"workflow_run":{"head_sha":"def","pull_requests":[{"number":3}]}}""", 3, "def", false)]
    [InlineData("push", """{"ref":"refs/heads/main"}""", null, "sha0", false)]
    public void The_pull_request_comes_from_the_event_payload(string eventName, string payload, int? number, string sha, bool fork)
    {
        using var dir = new TempDir();
        var env = new Dictionary<string, string> { ["GITHUB_REPOSITORY"] = "o/r", ["GITHUB_EVENT_NAME"] = eventName, ["GITHUB_EVENT_PATH"] = dir.File("e.json", payload), ["GITHUB_SHA"] = "sha0", ["GITHUB_API_URL"] = "https://ghes.example.com/api/v3" };
        var context = GitHubContext.FromEnvironment(n => env.GetValueOrDefault(n))!;
        Assert.Equal(number, context.PullRequest);
        Assert.Equal(sha, context.HeadSha);
        Assert.Equal(fork, context.FromFork);
        Assert.Equal("https://ghes.example.com/api/v3", context.ApiUrl);
    }

    [Fact]
    public void Rate_limit_signals_are_read_as_github_documents_them()
    {
        var retryAfter = GitHubReporter.ClassifyResponse(429, "slow down", new Dictionary<string, string> { ["retry-after"] = "7" });
        Assert.Equal(TimeSpan.FromSeconds(7), retryAfter.Wait);
        var reset = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds();
        var primary = GitHubReporter.ClassifyResponse(403, "API rate limit exceeded", new Dictionary<string, string> { ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(primary.Retry);
        Assert.InRange(primary.Wait!.Value.TotalSeconds, 25, 32);
        Assert.Equal(TimeSpan.FromSeconds(60), GitHubReporter.ClassifyResponse(403, "You have exceeded a secondary rate limit", null).Wait);
        Assert.False(GitHubReporter.ClassifyResponse(403, "Resource not accessible by integration", null).Retry); // a fork, not a limit
        Assert.False(GitHubReporter.ClassifyResponse(422, "Validation Failed", null).Retry);
        Assert.True(GitHubReporter.ClassifyResponse(502, "Bad Gateway", null) is { Retry: true, Wait: null });
    }
}
