using System.Text.RegularExpressions;
using Octokit;

namespace MlOps.Platforms.GitHub;

/// <summary>
/// Alerts as GitHub issues, through Octokit, with the workflow's own token and
/// <c>permissions: issues: write</c>: one open issue per alert, labeled <see cref="Label"/>,
/// found again by the hidden marker in its body.
/// </summary>
public sealed partial class GitHubIssueAlerts(IGitHubClient client, GitHubContext context, RetryPolicy retry) : IAlertTracker
{
    /// <summary>The label every alert issue carries (GitHub creates it on first use).</summary>
    public const string Label = "mlops-monitor";

    /// <inheritdoc/>
    public async Task<AlertSync> SyncAsync(string scope, IReadOnlyList<Alert> firing, Func<string, bool> resolved, CancellationToken cancellationToken = default)
    {
        var request = new RepositoryIssueRequest { State = ItemStateFilter.Open };
        request.Labels.Add(Label);
        var listed = await CallAsync("listing alert issues", _ => client.Issue.GetAllForRepository(context.Owner, context.Repository, request, new ApiOptions { PageSize = 100 }), cancellationToken);
        var open = new Dictionary<string, Issue>(StringComparer.Ordinal);
        foreach (var issue in listed.Where(i => i.PullRequest is null).OrderBy(i => i.Number))
        {
            if (Marker().Match(issue.Body ?? string.Empty) is { Success: true } m && Uri.UnescapeDataString(m.Groups["scope"].Value) == scope)
            {
                open.TryAdd(Uri.UnescapeDataString(m.Groups["key"].Value), issue); // the oldest wins, as for sticky comments
            }
        }

        List<string> opened = [], updated = [], unchanged = [], closed = [];
        foreach (var alert in firing)
        {
            var title = alert.Title.Length <= 256 ? alert.Title : alert.Title[..255] + "…";
            var body = $"{alert.Body}\n\n<!-- mlops-alert scope={Uri.EscapeDataString(scope)} key={Uri.EscapeDataString(alert.Key)} -->\n";
            if (open.TryGetValue(alert.Key, out var issue))
            {
                if (issue.Title == title && issue.Body == body)
                {
                    unchanged.Add(issue.HtmlUrl);
                    continue;
                }

                var edited = await CallAsync("updating an alert issue", _ => client.Issue.Update(context.Owner, context.Repository, issue.Number, new IssueUpdate { Title = title, Body = body }), cancellationToken);
                updated.Add(edited.HtmlUrl);
            }
            else
            {
                var create = new NewIssue(title) { Body = body };
                create.Labels.Add(Label);
                var created = await CallAsync("opening an alert issue", _ => client.Issue.Create(context.Owner, context.Repository, create), cancellationToken);
                opened.Add(created.HtmlUrl);
            }
        }

        var now = firing.Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, issue) in open.Where(o => !now.Contains(o.Key) && resolved(o.Key)))
        {
            await CallAsync("commenting on a recovered alert", _ => client.Issue.Comment.Create(context.Owner, context.Repository, issue.Number, "Recovered: the latest `mlops monitor` run passed this check. Closing; it reopens as a new issue if the problem returns."), cancellationToken);
            var done = await CallAsync("closing a recovered alert", _ => client.Issue.Update(context.Owner, context.Repository, issue.Number, new IssueUpdate { State = ItemState.Closed, StateReason = ItemStateReason.Completed }), cancellationToken);
            closed.Add(done.HtmlUrl);
        }

        return new AlertSync(opened, updated, unchanged, closed);
    }

    private Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        GitHubReporter.CallAsync(retry, context, operation, "issues: write", $"{context.Owner}/{context.Repository} was not found, or the token cannot see its issues", call, cancellationToken);

    [GeneratedRegex("<!-- mlops-alert scope=(?<scope>[^ ]+) key=(?<key>[^ ]+) -->")]
    private static partial Regex Marker();
}
