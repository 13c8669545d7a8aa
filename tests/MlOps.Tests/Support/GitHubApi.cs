using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlOps.Tests.Support;

/// <summary>
/// GitHub's REST API for tests: Prism serving GitHub's official OpenAPI description
/// (@octokit/openapi) validates every request we send, and a thin loopback front on top of it
/// (test-only) does what a stateless mock cannot:
/// - strips the /api/v3 prefix Octokit adds for GitHub Enterprise hosts (Prism serves the spec at the root);
/// - keeps pull-request comments and statuses, so update-in-place, duplicates and races are real;
/// - injects failures (rate limits, 5xx, a fork's 403) in the shapes GitHub documents.
/// Responses are Prism's spec examples with our state written into them, so they stay spec-shaped.
/// A request Prism finds invalid is recorded in <see cref="Violations"/>; tests assert it stays empty.
/// </summary>
public sealed partial class GitHubApi : IAsyncLifetime
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private Process? _prism;
    private WebApplication? _front;
    private string _prismUrl = string.Empty;
    private long _nextId = 1000;

    /// <summary>The API base URL to give mlops as GITHUB_API_URL.</summary>
    public string Url { get; private set; } = string.Empty;

    /// <summary>Requests Prism said break GitHub's spec.</summary>
    public ConcurrentQueue<string> Violations { get; } = new();

    /// <summary>Every request, as "METHOD /path".</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Comments by id: (issue, body).</summary>
    public ConcurrentDictionary<long, (int Issue, string Body)> Comments { get; } = new();

    /// <summary>Issues by number (alert issues): title, body, open or closed, labels.</summary>
    public ConcurrentDictionary<int, IssueState> Issues { get; } = new();

    /// <summary>Commit statuses set: (sha, body JSON).</summary>
    public ConcurrentQueue<(string Sha, JsonNode Body)> Statuses { get; } = new();

    private readonly List<Fault> _faults = [];
    private Rendezvous? _listRendezvous;

    public async Task InitializeAsync()
    {
        var spec = Path.Combine(Cli.RepoRoot, "tools", "test-services", "node_modules", "@octokit", "openapi", "generated", "api.github.com.json");
        if (!File.Exists(spec)) throw new InvalidOperationException($"GitHub's OpenAPI description is not installed at {spec}; run './build.sh test'.");
        var prismPort = NodeService.FreePort();
        _prism = await NodeService.StartAsync("prism", ["mock", "-h", "127.0.0.1", "-p", prismPort.ToString(CultureInfo.InvariantCulture), spec], prismPort, TimeSpan.FromSeconds(180));
        _prismUrl = $"http://127.0.0.1:{prismPort}";

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _front = builder.Build();
        _front.Run(async context =>
        {
            try
            {
                await HandleAsync(context);
            }
            catch (Exception e)
            {
                // A broken test front must not look like a GitHub outage.
                Violations.Enqueue($"test front failed on {context.Request.Method} {context.Request.Path}: {e}");
                throw;
            }
        });
        await _front.StartAsync();
        Url = _front.Urls.First();
    }

    public async Task DisposeAsync()
    {
        if (_front is not null) await _front.DisposeAsync();
        if (_prism is { HasExited: false }) _prism.Kill(entireProcessTree: true);
        _prism?.Dispose();
    }

    /// <summary>Forgets all state and faults (each test starts clean).</summary>
    public void Reset()
    {
        Comments.Clear();
        Issues.Clear();
        Requests.Clear();
        Violations.Clear();
        while (Statuses.TryDequeue(out _))
        {
        }

        lock (_faults) _faults.Clear();
        _listRendezvous = null;
    }

    /// <summary>The next <paramref name="times"/> requests matching <paramref name="method"/> and <paramref name="path"/> (a regex) fail.</summary>
    /// <param name="prismCode">Ask Prism for its spec example of this status (the body then comes from GitHub's spec).</param>
    public void Fail(string method, string path, int status, int times = 1, IReadOnlyDictionary<string, string>? headers = null, string? message = null, bool prismCode = false)
    {
        lock (_faults) _faults.Add(new Fault(method, new Regex(path), status, times, headers ?? new Dictionary<string, string>(), message ?? "Server Error", prismCode));
    }

    /// <summary>The first <paramref name="parties"/> comment listings wait for each other, so racing jobs all see the same state.</summary>
    public void SynchronizeListings(int parties) => _listRendezvous = new Rendezvous(parties);

    public void AddComment(int issue, string body) => Comments[Interlocked.Increment(ref _nextId)] = (issue, body);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        if (path.StartsWith("/api/v3/", StringComparison.Ordinal)) path = path["/api/v3".Length..];
        Requests.Enqueue($"{request.Method} {path}");
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        var fault = TakeFault(request.Method, path);

        // 1. Prism checks the request against GitHub's spec and gives a spec-shaped response.
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), _prismUrl + path + request.QueryString);
        foreach (var h in new[] { "Authorization", "User-Agent" })
        {
            if (request.Headers.TryGetValue(h, out var v)) forward.Headers.TryAddWithoutValidation(h, v.ToArray());
        }

        // GitHub serves JSON for its vendor media types (application/vnd.github.v3+json, which Octokit
        // sends); the spec lists the responses as application/json, and Prism matches Accept literally.
        var accept = request.Headers.Accept.ToString();
        forward.Headers.TryAddWithoutValidation("Accept", accept.Contains("application/vnd.github", StringComparison.Ordinal) || accept.Length == 0 ? "application/json" : accept);

        if (fault is { PrismCode: true }) forward.Headers.TryAddWithoutValidation("Prefer", $"code={fault.Status}");
        // Octokit labels its JSON bodies application/x-www-form-urlencoded (GitHub parses them as JSON
        // anyway); forward them as JSON so Prism validates the body against the spec's schema.
        if (body.Length > 0) forward.Content = new StringContent(body, Encoding.UTF8, body.TrimStart().StartsWith('{') ? "application/json" : request.ContentType ?? "application/json");
        using var prism = await Http.SendAsync(forward);
        var prismBody = await prism.Content.ReadAsStringAsync();
        if (prism.Headers.TryGetValues("sl-violations", out var violations))
        {
            var errors = JsonNode.Parse(string.Join(string.Empty, violations))!.AsArray().Where(v => (string?)v!["severity"] == "Error").ToList();
            if (errors.Count > 0) Violations.Enqueue($"{request.Method} {path}: {string.Join("; ", errors.Select(e => (string?)e!["message"]))}");
        }

        // 2. Injected failures.
        if (fault is { PrismCode: true })
        {
            await Respond(context, (int)prism.StatusCode, prismBody);
            return;
        }

        if (fault is not null)
        {
            foreach (var (k, v) in fault.Headers) context.Response.Headers[k] = v;
            await Respond(context, fault.Status, JsonSerializer.Serialize(new { message = fault.Message, documentation_url = "https://docs.github.com/rest" }));
            return;
        }

        // 3. State the stateless mock cannot keep, written into Prism's examples.
        var m = CommentsRoute().Match(path);
        if (m.Success && request.Method == "GET")
        {
            if (_listRendezvous is { } r) await r.ArriveAsync();
            var issue = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            var parsed = JsonNode.Parse(prismBody);
            var template = parsed is JsonArray { Count: > 0 } array ? array[0]! : throw new InvalidOperationException($"Prism answered {(int)prism.StatusCode}: {prismBody}");
            var list = new JsonArray(Comments.Where(c => c.Value.Issue == issue).OrderBy(c => c.Key).Select(c => Comment(template, c.Key, c.Value.Body, path)).ToArray<JsonNode?>());
            await Respond(context, 200, list.ToJsonString());
            return;
        }

        if (m.Success && request.Method == "POST" && prism.IsSuccessStatusCode)
        {
            var id = Interlocked.Increment(ref _nextId);
            var text = (string)JsonNode.Parse(body)!["body"]!;
            Comments[id] = (int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture), text);
            await Respond(context, 201, Comment(JsonNode.Parse(prismBody)!, id, text, path).ToJsonString());
            return;
        }

        var one = CommentRoute().Match(path);
        if (one.Success && prism.IsSuccessStatusCode)
        {
            var id = long.Parse(one.Groups["id"].Value, CultureInfo.InvariantCulture);
            if (!Comments.TryGetValue(id, out var existing))
            {
                await Respond(context, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}""");
                return;
            }

            if (request.Method == "DELETE")
            {
                Comments.TryRemove(id, out _);
                await Respond(context, 204, string.Empty);
                return;
            }

            var text = (string)JsonNode.Parse(body)!["body"]!;
            Comments[id] = (existing.Issue, text);
            await Respond(context, 200, Comment(JsonNode.Parse(prismBody)!, id, text, path).ToJsonString());
            return;
        }

        if (IssuesRoute().IsMatch(path) && prism.IsSuccessStatusCode)
        {
            if (request.Method == "GET")
            {
                // GitHub's filters: state (default open) and labels (all of them).
                var state = request.Query["state"].ToString() is { Length: > 0 } st ? st : "open";
                var labels = request.Query["labels"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
                var template = JsonNode.Parse(prismBody)!.AsArray()[0]!;
                var list = Issues.Where(i => (state == "all" || i.Value.State == state) && labels.All(i.Value.Labels.Contains)).OrderBy(i => i.Key).Select(i => Issue(template, i.Key, i.Value, path)).ToArray<JsonNode?>();
                await Respond(context, 200, new JsonArray(list).ToJsonString());
                return;
            }

            var posted = JsonNode.Parse(body)!;
            var number = Issues.IsEmpty ? 1 : Issues.Keys.Max() + 1;
            Issues[number] = new IssueState((string)posted["title"]!, (string?)posted["body"] ?? string.Empty, "open", posted["labels"]?.AsArray().Select(l => (string)l!).ToList() ?? []);
            await Respond(context, 201, Issue(JsonNode.Parse(prismBody)!, number, Issues[number], path).ToJsonString());
            return;
        }

        var issueMatch = IssueRoute().Match(path);
        if (issueMatch.Success && request.Method == "PATCH" && prism.IsSuccessStatusCode)
        {
            var number = int.Parse(issueMatch.Groups["n"].Value, CultureInfo.InvariantCulture);
            var patch = JsonNode.Parse(body)!;
            var current = Issues[number];
            Issues[number] = current with { Title = (string?)patch["title"] ?? current.Title, Body = (string?)patch["body"] ?? current.Body, State = (string?)patch["state"] ?? current.State };
            await Respond(context, 200, Issue(JsonNode.Parse(prismBody)!, number, Issues[number], path).ToJsonString());
            return;
        }

        var status = StatusRoute().Match(path);
        if (status.Success && prism.IsSuccessStatusCode) Statuses.Enqueue((status.Groups["sha"].Value, JsonNode.Parse(body)!));

        // Prism's examples carry Link headers to api.github.com; never pass them on.
        await Respond(context, (int)prism.StatusCode, prismBody);
    }

    private static JsonNode Issue(JsonNode template, int number, IssueState issue, string path)
    {
        var c = template.DeepClone().AsObject();
        c["number"] = number;
        c["id"] = 5000 + number;
        c["title"] = issue.Title;
        c["body"] = issue.Body;
        c["state"] = issue.State;
        c.Remove("pull_request");
        var label = template["labels"] is JsonArray { Count: > 0 } ls && ls[0] is JsonObject lo ? lo : new JsonObject();
        c["labels"] = new JsonArray(issue.Labels.Select(l => { var x = label.DeepClone(); x["name"] = l; return x; }).ToArray<JsonNode?>());
        c["html_url"] = $"https://github.com{Regex.Replace(path, "^/repos", string.Empty).Split("/issues")[0]}/issues/{number}";
        return c;
    }

    private static JsonNode Comment(JsonNode template, long id, string body, string path)
    {
        var c = template.DeepClone();
        c["id"] = id;
        c["body"] = body;
        c["html_url"] = $"https://github.com{Regex.Replace(path, "^/repos", string.Empty).Split("/issues")[0]}/pull/0#issuecomment-{id}";
        return c;
    }

    private static async Task Respond(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        if (body.Length == 0) return;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body);
    }

    private Fault? TakeFault(string method, string path)
    {
        lock (_faults)
        {
            var f = _faults.FirstOrDefault(f => f.Method == method && f.Path.IsMatch(path) && f.Remaining > 0);
            if (f is not null) f.Remaining--;
            return f;
        }
    }

    [GeneratedRegexAttribute(@"^/repos/[^/]+/[^/]+/issues/(?<n>\d+)/comments$")]
    private static partial Regex CommentsRoute();

    [GeneratedRegexAttribute(@"^/repos/[^/]+/[^/]+/issues/comments/(?<id>\d+)$")]
    private static partial Regex CommentRoute();

    [GeneratedRegexAttribute(@"^/repos/[^/]+/[^/]+/issues$")]
    private static partial Regex IssuesRoute();

    [GeneratedRegexAttribute(@"^/repos/[^/]+/[^/]+/issues/(?<n>\d+)$")]
    private static partial Regex IssueRoute();

    [GeneratedRegexAttribute(@"^/repos/[^/]+/[^/]+/statuses/(?<sha>[0-9a-f]+)$")]
    private static partial Regex StatusRoute();

    private sealed class Fault(string method, Regex path, int status, int times, IReadOnlyDictionary<string, string> headers, string message, bool prismCode)
    {
        public string Method { get; } = method;
        public Regex Path { get; } = path;
        public int Status { get; } = status;
        public int Remaining { get; set; } = times;
        public IReadOnlyDictionary<string, string> Headers { get; } = headers;
        public string Message { get; } = message;
        public bool PrismCode { get; } = prismCode;
    }

    private sealed class Rendezvous(int parties)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public Task ArriveAsync()
        {
            if (Interlocked.Increment(ref _arrived) == parties) _all.TrySetResult();
            return _arrived <= parties ? _all.Task.WaitAsync(TimeSpan.FromSeconds(10)) : Task.CompletedTask;
        }
    }
}

/// <summary>An issue the test front keeps.</summary>
public sealed record IssueState(string Title, string Body, string State, IReadOnlyList<string> Labels);

[CollectionDefinition(Name)]
public sealed class GitHubApiCollection : ICollectionFixture<GitHubApi>
{
    public const string Name = "github-api";
}
