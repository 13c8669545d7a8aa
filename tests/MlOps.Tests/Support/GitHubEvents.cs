using System.Text.Json.Nodes;

namespace MlOps.Tests.Support;

/// <summary>Event payloads as the runner writes them to GITHUB_EVENT_PATH (the fields mlops reads).</summary>
public static class GitHubEvents
{
    /// <summary>A push to a pull request: <paramref name="headRepo"/> differs from <paramref name="repo"/> for a fork.</summary>
    public static JsonObject PullRequest(string repo, int number, string headSha, string? headRepo = null) => new()
    {
        ["action"] = "synchronize",
        ["number"] = number,
        ["pull_request"] = new JsonObject
        {
            ["number"] = number,
            ["head"] = new JsonObject { ["sha"] = headSha, ["repo"] = new JsonObject { ["full_name"] = headRepo ?? repo } },
            ["base"] = new JsonObject { ["repo"] = new JsonObject { ["full_name"] = repo } },
        },
    };
}
