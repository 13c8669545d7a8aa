using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.Tests.Support;

namespace MlOps.Tests.Reporting;

/// <summary>
/// mlops report in an Azure Pipelines pull-request build, against a loopback server that accepts
/// only the documented request shapes of the Pull Request Threads REST API (api-version 7.1).
/// </summary>
[Trait("Category", "Integration")]
public sealed class AzureDevOpsReportTests : IAsyncLifetime, IDisposable
{
    private const string Token = "ado-secret-token";
    private readonly TempDir _dir = new();
    private readonly ConcurrentDictionary<long, (long CommentId, string Content)> _threads = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private WebApplication? _server;
    private long _nextId = 1;
    private int _failNext;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.Run(HandleAsync);
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    public void Dispose() => _dir.Dispose();

    private const string ThreadsPath = "/org/Penguin%20Project/_apis/git/repositories/repo-guid/pullRequests/12/threads";

    private async Task HandleAsync(HttpContext context)
    {
        var r = context.Request;
        var path = r.Path.ToUriComponent();
        _requests.Enqueue($"{r.Method} {path}");
        if (r.Headers.Authorization != $"Bearer {Token}")
        {
            context.Response.StatusCode = 401;
            return;
        }

        if (r.Query["api-version"] != "7.1") _problems.Enqueue($"{r.Method} {path}: api-version is '{r.Query["api-version"]}'");
        if (_failNext > 0)
        {
            _failNext--;
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "0";
            return;
        }

        var text = await new StreamReader(r.Body).ReadToEndAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        if (body is not null && r.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true) _problems.Enqueue($"{r.Method} {path}: Content-Type is '{r.ContentType}'");
        if (path == ThreadsPath && r.Method == "GET")
        {
            var value = new JsonArray(_threads.OrderBy(t => t.Key).Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.Key,
                ["status"] = "active",
                ["comments"] = new JsonArray(new JsonObject { ["id"] = t.Value.CommentId, ["parentCommentId"] = 0, ["content"] = t.Value.Content, ["commentType"] = "text" }),
            }).ToArray());
            await context.Response.WriteAsJsonAsync(new JsonObject { ["value"] = value, ["count"] = value.Count });
            return;
        }

        if (path == ThreadsPath && r.Method == "POST")
        {
            // Documented shape: {"comments":[{"parentCommentId":0,"content":"...","commentType":1}],"status":1}
            var comments = body?["comments"] as JsonArray;
            if (comments is not [JsonObject c] || (int?)c["parentCommentId"] != 0 || (int?)c["commentType"] != 1 || c["content"] is null || (int?)body!["status"] != 1)
            {
                _problems.Enqueue($"POST threads: unexpected body {body?.ToJsonString()}");
                context.Response.StatusCode = 400;
                return;
            }

            var id = Interlocked.Increment(ref _nextId);
            _threads[id] = (1, (string)c["content"]!);
            await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = id, ["status"] = "active" });
            return;
        }

        if (path.StartsWith(ThreadsPath + "/", StringComparison.Ordinal) && r.Method == "PATCH")
        {
            var parts = path[(ThreadsPath.Length + 1)..].Split('/'); // {thread}/comments/{comment}
            if (parts is not [var t, "comments", var cid] || body?["content"] is null || !_threads.TryGetValue(long.Parse(t), out var thread) || thread.CommentId != long.Parse(cid))
            {
                _problems.Enqueue($"PATCH {path}: unexpected {body?.ToJsonString()}");
                context.Response.StatusCode = 404;
                return;
            }

            _threads[long.Parse(t)] = (thread.CommentId, (string)body["content"]!);
            await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = thread.CommentId, ["content"] = (string)body["content"]! });
            return;
        }

        _problems.Enqueue($"unexpected request {r.Method} {path}");
        context.Response.StatusCode = 404;
    }

    private async Task<Dictionary<string, string>> AgentAsync()
    {
        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed: false));
        StageArtifacts.WriteValidation(_dir.Combine("validation"));
        return new Dictionary<string, string>
        {
            ["TF_BUILD"] = "True",
            ["SYSTEM_COLLECTIONURI"] = _server!.Urls.First() + "/org/",
            ["SYSTEM_TEAMPROJECT"] = "Penguin Project",
            ["BUILD_REPOSITORY_ID"] = "repo-guid",
            ["BUILD_REPOSITORY_NAME"] = "penguins",
            ["BUILD_BUILDID"] = "99",
            ["BUILD_SOURCEVERSION"] = new string('f', 40),
            ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = "12",
            ["SYSTEM_ACCESSTOKEN"] = Token,
        };
    }

    private Task<(int Code, string Out, string Err)> ReportAsync(Dictionary<string, string> env) =>
        Support.Cli.RunWithEnvironmentAsync(env, "report", "--validation", _dir.Combine("validation"), "--evaluation", _dir.Combine("evaluation"), "--output", _dir.Combine("out/report.md"));

    [Fact]
    public async Task A_pull_request_build_keeps_one_thread_updated_in_place_and_speaks_the_agents_logging_commands()
    {
        var env = await AgentAsync();
        var first = await ReportAsync(env);
        Assert.True(first.Code == 0, first.Err);
        var (threadId, thread) = Assert.Single(_threads);
        Assert.StartsWith("<!-- mlops-report:mlops -->", thread.Content);
        Assert.DoesNotContain("```mermaid", thread.Content); // Azure DevOps threads get text charts
        Assert.Contains("```text", thread.Content);

        await StageArtifacts.WriteEvaluationAsync(_dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed: true));
        _failNext = 1; // one 503 on the way: retried
        var second = await ReportAsync(env);
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains("Pull-request comment updated", second.Err);
        Assert.Contains("HTTP 503", second.Err);
        Assert.Contains("## ✅ Blessed", Assert.Single(_threads).Value.Content);
        Assert.Equal(threadId, Assert.Single(_threads).Key);
        Assert.Empty(_problems);

        var stdout = first.Out;
        Assert.Contains("##vso[task.setsecret]ado-secret-token", stdout);
        Assert.Single(stdout.Split('\n'), l => l.Contains(Token));
        Assert.Contains("##vso[task.logissue type=error;sourcepath=data.csv;linenumber=42;]Data anomaly in column 'sex'", stdout);
        Assert.Contains("##vso[task.logissue type=warning;]Drift in column 'body_mass_g'", stdout);
        Assert.Contains("##vso[task.setvariable variable=blessed;isOutput=true]false", stdout);
        Assert.Contains($"##vso[task.uploadsummary]{Path.GetFullPath(_dir.Combine("out/report.md"))}", stdout);
        Assert.Contains($"?discussionId={threadId}", stdout);
    }

    [Fact]
    public async Task A_rejected_token_is_one_exit_4_line()
    {
        var env = await AgentAsync();
        env["SYSTEM_ACCESSTOKEN"] = "wrong";
        var (code, stdout, err) = await ReportAsync(env);
        Assert.Equal(MlOps.ExitCodes.ExternalServiceError, code);
        Assert.Equal("error: Azure DevOps: listing pull-request threads failed with HTTP 401: the token was rejected; map System.AccessToken into the step's env as SYSTEM_ACCESSTOKEN.", err.Trim());
        Assert.Single(_requests); // 401 is not retried
        Assert.True(File.Exists(_dir.Combine("out/report.md"))); // the report is written before any call
        Assert.DoesNotContain("wrong", err);
    }
}
