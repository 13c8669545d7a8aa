using System.Text.Json;

namespace MlOps.Platforms.GitHub;

/// <summary>
/// Where a GitHub Actions step runs: repository, API URL (GitHub Enterprise sets
/// <c>GITHUB_API_URL</c>), and from the event payload the pull request, its head commit and
/// whether it comes from a fork.
/// </summary>
public sealed record GitHubContext
{
    /// <summary>The public API.</summary>
    public const string PublicApiUrl = "https://api.github.com";

    /// <summary>The REST API base URL.</summary>
    public required string ApiUrl { get; init; }

    /// <summary>The repository owner.</summary>
    public required string Owner { get; init; }

    /// <summary>The repository name.</summary>
    public required string Repository { get; init; }

    /// <summary>The event that started the workflow.</summary>
    public string? EventName { get; init; }

    /// <summary>The pull request number, when the event is about one.</summary>
    public int? PullRequest { get; init; }

    /// <summary>The commit to attach a status to: the pull request's head, else <c>GITHUB_SHA</c>.</summary>
    public string? HeadSha { get; init; }

    /// <summary>True for a pull request whose head lives in another repository (its token is read-only on <c>pull_request</c>).</summary>
    public bool FromFork { get; init; }

    /// <summary>Reads the context; null when <c>GITHUB_REPOSITORY</c> is not set (not on GitHub).</summary>
    /// <exception cref="DataException">The event file is named but unreadable.</exception>
    public static GitHubContext? FromEnvironment(Func<string, string?> environment)
    {
        if (environment("GITHUB_REPOSITORY") is not { } repository || repository.Split('/') is not [var owner, var name]) return null;
        var context = new GitHubContext
        {
            ApiUrl = environment("GITHUB_API_URL") is { Length: > 0 } api ? api : PublicApiUrl,
            Owner = owner,
            Repository = name,
            EventName = environment("GITHUB_EVENT_NAME"),
            HeadSha = environment("GITHUB_SHA"),
        };
        return environment("GITHUB_EVENT_PATH") is { Length: > 0 } eventPath && File.Exists(eventPath) ? context.WithEvent(eventPath) : context;
    }

    private GitHubContext WithEvent(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw Errors.Data(path, $"the event payload is not JSON ({e.Message.Split('\n')[0]}).");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.TryGetProperty("pull_request", out var pr) && pr.ValueKind == JsonValueKind.Object)
            {
                // pull_request and pull_request_target (and pull_request_review*).
                var head = Get(pr, "head", "repo", "full_name");
                var baseRepo = Get(pr, "base", "repo", "full_name");
                return this with
                {
                    PullRequest = Int(pr, "number"),
                    HeadSha = Get(pr, "head", "sha") ?? HeadSha,
                    FromFork = head is not null && baseRepo is not null && !string.Equals(head, baseRepo, StringComparison.OrdinalIgnoreCase),
                };
            }

            if (root.TryGetProperty("issue", out var issue) && issue.ValueKind == JsonValueKind.Object && issue.TryGetProperty("pull_request", out _))
            {
                // issue_comment on a pull request ("/mlops report" style commands).
                return this with { PullRequest = Int(issue, "number") };
            }

            if (root.TryGetProperty("workflow_run", out var run) && run.TryGetProperty("pull_requests", out var prs) && prs.ValueKind == JsonValueKind.Array && prs.GetArrayLength() > 0)
            {
                // The safe fork pattern: a privileged workflow_run reports on the untrusted run's pull request.
                // GitHub leaves pull_requests empty for forks; pass --pull-request from an uploaded artifact then.
                return this with { PullRequest = Int(prs[0], "number"), HeadSha = Get(run, "head_sha") ?? HeadSha };
            }

            return this;
        }
    }

    private static string? Get(JsonElement e, params string[] path)
    {
        foreach (var p in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) ? n : null;
}
