using System.Net;
using Octokit;
using static System.FormattableString;

namespace MlOps.Platforms.GitHub;

/// <summary>
/// The sticky pull-request comment and commit status on GitHub, through Octokit. Works with the
/// workflow's own <c>GITHUB_TOKEN</c> and <c>permissions: pull-requests: write</c> (plus
/// <c>statuses: write</c> for the status); no personal token needed.
/// </summary>
public sealed class GitHubReporter : IPullRequestCommenter
{
    private readonly IGitHubClient _client;
    private readonly GitHubContext _context;
    private readonly int _pullRequest;
    private readonly RetryPolicy _retry;

    /// <summary>Creates a reporter for one pull request.</summary>
    /// <param name="client">An authenticated client (see <see cref="CreateClient"/>).</param>
    /// <param name="context">The repository.</param>
    /// <param name="pullRequest">The pull request number.</param>
    /// <param name="retry">Retries for rate limits, 5xx and network errors.</param>
    public GitHubReporter(IGitHubClient client, GitHubContext context, int pullRequest, RetryPolicy retry)
    {
        _client = client;
        _context = context;
        _pullRequest = pullRequest;
        _retry = retry;
    }

    /// <summary>A client for <paramref name="apiUrl"/>; Octokit adds <c>/api/v3/</c> for GitHub Enterprise Server hosts.</summary>
    public static IGitHubClient CreateClient(string apiUrl, string token)
    {
        var client = new GitHubClient(new ProductHeaderValue("mlops-ci", Artifacts.ToolInfo.Version), new Uri(apiUrl))
        {
            Credentials = new Credentials(token),
        };
        client.SetRequestTimeout(TimeSpan.FromSeconds(30));
        return client;
    }

    /// <inheritdoc/>
    public async Task<CommentResult> UpsertAsync(string marker, string body, CancellationToken cancellationToken = default)
    {
        var ours = await FindAsync(marker, cancellationToken);
        if (ours.Count > 0)
        {
            var keep = ours[0];
            await DeleteAllButAsync(ours, keep.Id, cancellationToken);
            if (keep.Body == body) return new CommentResult(CommentAction.Unchanged, keep.HtmlUrl);
            var updated = await CallAsync("updating the pull-request comment", _ => _client.Issue.Comment.Update(_context.Owner, _context.Repository, keep.Id, body), cancellationToken, write: true);
            return new CommentResult(CommentAction.Updated, updated.HtmlUrl);
        }

        var created = await CallAsync("creating the pull-request comment", _ => _client.Issue.Comment.Create(_context.Owner, _context.Repository, _pullRequest, body), cancellationToken, write: true);

        // Two jobs may both have found nothing and both created. Everyone converges on the oldest
        // comment: a job whose comment is not the oldest writes its body there and deletes its own.
        var after = await FindAsync(marker, cancellationToken);
        if (after.Count > 1 && after[0].Id != created.Id)
        {
            var oldest = after[0];
            var updated = await CallAsync("updating the pull-request comment", _ => _client.Issue.Comment.Update(_context.Owner, _context.Repository, oldest.Id, body), cancellationToken, write: true);
            await DeleteAllButAsync(after, oldest.Id, cancellationToken);
            return new CommentResult(CommentAction.Updated, updated.HtmlUrl);
        }

        return new CommentResult(CommentAction.Created, created.HtmlUrl);
    }

    /// <summary>Sets a commit status (context <c>mlops/KEY</c>) with the verdict, linking to the run.</summary>
    public Task SetStatusAsync(string sha, string statusContext, bool success, string description, string? targetUrl, CancellationToken cancellationToken = default)
    {
        var status = new NewCommitStatus
        {
            State = success ? CommitState.Success : CommitState.Failure,
            Context = statusContext,
            Description = description.Length <= 140 ? description : description[..139] + "…",
            TargetUrl = targetUrl,
        };
        return CallAsync("setting the commit status", _ => _client.Repository.Status.Create(_context.Owner, _context.Repository, sha, status), cancellationToken, write: true);
    }

    private async Task<IReadOnlyList<IssueComment>> FindAsync(string marker, CancellationToken cancellationToken)
    {
        var all = await CallAsync("listing pull-request comments", _ => _client.Issue.Comment.GetAllForIssue(_context.Owner, _context.Repository, _pullRequest, new ApiOptions { PageSize = 100 }), cancellationToken, write: false);
        return all.Where(c => c.Body?.Contains(marker, StringComparison.Ordinal) == true).OrderBy(c => c.Id).ToList();
    }

    private async Task DeleteAllButAsync(IReadOnlyList<IssueComment> comments, long keep, CancellationToken cancellationToken)
    {
        foreach (var extra in comments.Where(c => c.Id != keep))
        {
            try
            {
                await CallAsync("deleting a duplicate comment", async _ => { await _client.Issue.Comment.Delete(_context.Owner, _context.Repository, extra.Id); return true; }, cancellationToken, write: true);
            }
            catch (ExternalServiceException e) when (e.InnerException is NotFoundException)
            {
                // Another job deleted it first: the outcome we wanted.
            }
        }
    }

    private Task<T> CallAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool write) =>
        CallAsync(
            _retry,
            _context,
            operation,
            write ? operation.Contains("status", StringComparison.Ordinal) ? "statuses: write" : "pull-requests: write" : null,
            Invariant($"{_context.Owner}/{_context.Repository} pull request #{_pullRequest} was not found, or the token cannot see it"),
            call,
            cancellationToken);

    /// <summary>One GitHub call with retries; a refused write names the permission the workflow needs.</summary>
    /// <param name="retry">Retries for rate limits, 5xx and network errors.</param>
    /// <param name="context">The repository.</param>
    /// <param name="operation">What the call does, for messages.</param>
    /// <param name="permission">The workflow permission a write needs (null: a read).</param>
    /// <param name="notFound">What a 404 means here.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels it.</param>
    internal static async Task<T> CallAsync<T>(RetryPolicy retry, GitHubContext context, string operation, string? permission, string notFound, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await retry.RunAsync("GitHub", operation, call, Classify, cancellationToken);
        }
        catch (ApiException e) when (permission is not null && e.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new CommentForbiddenException(Invariant($"GitHub refused {operation} ({e.Message}). The token cannot write to {context.Owner}/{context.Repository}: a pull request from a fork gets a read-only token, or the workflow lacks 'permissions: {permission}'."));
        }
        catch (ApiException e)
        {
            var hint = e.StatusCode switch
            {
                HttpStatusCode.Unauthorized => "the token was rejected; pass a valid token (the workflow's GITHUB_TOKEN)",
                HttpStatusCode.NotFound => notFound,
                _ => e.Message,
            };
            throw HttpFailures.For("GitHub", operation, (int)e.StatusCode, hint, e);
        }
    }

    /// <summary>Retry 5xx, 429, rate limits (waiting as GitHub asks) and network errors; nothing else.</summary>
    internal static RetryDecision Classify(Exception e) => e switch
    {
        ApiException api => ClassifyResponse((int)api.StatusCode, api.Message, api.HttpResponse?.Headers),
        _ => RetryPolicy.Transport(e) ?? RetryDecision.GiveUp,
    };

    /// <summary>GitHub's documented rate-limit signals: Retry-After, then x-ratelimit-remaining 0 with x-ratelimit-reset, then the secondary-limit message.</summary>
    internal static RetryDecision ClassifyResponse(int status, string message, IReadOnlyDictionary<string, string>? headers)
    {
        if (status is 403 or 429)
        {
            if (Header(headers, "Retry-After") is { } after && int.TryParse(after, out var seconds))
            {
                return new RetryDecision(true, TimeSpan.FromSeconds(Math.Max(0, seconds)), Invariant($"HTTP {status} rate limited (Retry-After {seconds} s)"));
            }

            if (Header(headers, "X-RateLimit-Remaining") == "0" && Header(headers, "X-RateLimit-Reset") is { } reset && long.TryParse(reset, out var epoch))
            {
                var at = DateTimeOffset.FromUnixTimeSeconds(epoch);
                var wait = at - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
                return new RetryDecision(true, wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Invariant($"HTTP {status} API rate limit exhausted (resets at {at:HH:mm:ss} UTC)"));
            }

            if (message.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase))
            {
                // GitHub: without Retry-After, wait at least a minute.
                return new RetryDecision(true, TimeSpan.FromSeconds(60), Invariant($"HTTP {status} secondary rate limit"));
            }

            return status == 429 ? new RetryDecision(true, null, "HTTP 429 too many requests") : RetryDecision.GiveUp;
        }

        return status >= 500 ? new RetryDecision(true, null, Invariant($"HTTP {status} {message}")) : RetryDecision.GiveUp;
    }

    private static string? Header(IReadOnlyDictionary<string, string>? headers, string name) =>
        headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
