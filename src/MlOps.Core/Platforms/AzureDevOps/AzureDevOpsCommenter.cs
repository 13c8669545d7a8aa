using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using static System.FormattableString;

namespace MlOps.Platforms.AzureDevOps;

/// <summary>
/// The sticky comment as a pull-request thread, through the Azure DevOps REST API (api-version
/// 7.1) with the job's <c>System.AccessToken</c>: the thread whose first comment holds the
/// marker is edited in place, else a new active thread is created.
/// </summary>
public sealed class AzureDevOpsCommenter(HttpClient http, AzureDevOpsContext context, string token, RetryPolicy retry) : IPullRequestCommenter
{
    private const string ApiVersion = "api-version=7.1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public async Task<CommentResult> UpsertAsync(string marker, string body, CancellationToken cancellationToken = default)
    {
        var ours = await FindAsync(marker, cancellationToken);
        if (ours.Count > 0)
        {
            var (thread, comment) = ours[0];
            await DeleteAllButAsync(ours, thread.Id, cancellationToken);
            if (comment.Content == body) return new CommentResult(CommentAction.Unchanged, context.ThreadLink(thread.Id));
            await SendAsync("updating the pull-request comment", HttpMethod.Patch, Invariant($"{context.ThreadsUrl}/{thread.Id}/comments/{comment.Id}?{ApiVersion}"), new { content = body }, cancellationToken);
            return new CommentResult(CommentAction.Updated, context.ThreadLink(thread.Id));
        }

        // status 1 = active; commentType 1 = text; parentCommentId 0 = a top-level comment.
        var created = await SendAsync("creating the pull-request thread", HttpMethod.Post, $"{context.ThreadsUrl}?{ApiVersion}", new { comments = new[] { new { parentCommentId = 0, content = body, commentType = 1 } }, status = 1 }, cancellationToken);
        var createdId = created.GetProperty("id").GetInt64();
        var after = await FindAsync(marker, cancellationToken);
        if (after.Count > 1 && after[0].Thread.Id != createdId)
        {
            var (oldest, comment) = after[0];
            await SendAsync("updating the pull-request comment", HttpMethod.Patch, Invariant($"{context.ThreadsUrl}/{oldest.Id}/comments/{comment.Id}?{ApiVersion}"), new { content = body }, cancellationToken);
            await DeleteAllButAsync(after, oldest.Id, cancellationToken);
            return new CommentResult(CommentAction.Updated, context.ThreadLink(oldest.Id));
        }

        return new CommentResult(CommentAction.Created, context.ThreadLink(createdId));
    }

    private async Task<List<(Thread Thread, Comment Comment)>> FindAsync(string marker, CancellationToken cancellationToken)
    {
        var list = await SendAsync("listing pull-request threads", HttpMethod.Get, $"{context.ThreadsUrl}?{ApiVersion}", null, cancellationToken);
        var threads = list.GetProperty("value").Deserialize<List<Thread>>(Json) ?? [];
        return threads
            .Where(t => t.IsDeleted != true && t.Comments is [var first, ..] && first.IsDeleted != true && first.Content?.Contains(marker, StringComparison.Ordinal) == true)
            .Select(t => (t, t.Comments![0]))
            .OrderBy(t => t.Item1.Id)
            .ToList();
    }

    private async Task DeleteAllButAsync(List<(Thread Thread, Comment Comment)> found, long keep, CancellationToken cancellationToken)
    {
        foreach (var (thread, comment) in found.Where(f => f.Thread.Id != keep))
        {
            await SendAsync("deleting a duplicate comment", HttpMethod.Delete, Invariant($"{context.ThreadsUrl}/{thread.Id}/comments/{comment.Id}?{ApiVersion}"), null, cancellationToken, notFoundIsFine: true);
        }
    }

    private async Task<JsonElement> SendAsync(string operation, HttpMethod method, string url, object? body, CancellationToken cancellationToken, bool notFoundIsFine = false)
    {
        try
        {
            return await retry.RunAsync("Azure DevOps", operation, ct => SendOnceAsync(operation, method, url, body, notFoundIsFine, ct), Classify, cancellationToken);
        }
        catch (AzureDevOpsException e) when (e.Status == HttpStatusCode.Forbidden)
        {
            throw new CommentForbiddenException(e.Message);
        }
        catch (AzureDevOpsException e)
        {
            throw new ExternalServiceException(e.Message, e);
        }
    }

    private async Task<JsonElement> SendOnceAsync(string operation, HttpMethod method, string url, object? body, bool notFoundIsFine, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        using var response = await http.SendAsync(request, ct);
        if (notFoundIsFine && response.StatusCode == HttpStatusCode.NotFound) return default;
        if (!response.IsSuccessStatusCode) throw new AzureDevOpsException(response.StatusCode, response.Headers.RetryAfter?.Delta, operation, context);
        if (response.Content.Headers.ContentLength == 0) return default;
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        return doc.RootElement.Clone();
    }

    private static RetryDecision Classify(Exception e) => e switch
    {
        AzureDevOpsException a => HttpFailures.Classify((int)a.Status, a.RetryAfter),
        _ => RetryPolicy.Transport(e) ?? RetryDecision.GiveUp,
    };

    private sealed record Thread(long Id, bool? IsDeleted, List<Comment>? Comments);

    private sealed record Comment(long Id, string? Content, bool? IsDeleted);
}

/// <summary>An Azure DevOps call that failed, with what the caller can do about it.</summary>
public sealed class AzureDevOpsException(HttpStatusCode status, TimeSpan? retryAfter, string operation, AzureDevOpsContext context)
    : MlOpsException(Message(status, operation, context))
{
    /// <inheritdoc/>
    public override int ExitCode => ExitCodes.ExternalServiceError;

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The wait the service asked for.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    private static new string Message(HttpStatusCode status, string operation, AzureDevOpsContext context) => status switch
    {
        HttpStatusCode.Unauthorized => HttpFailures.Message("Azure DevOps", operation, 401, "the token was rejected; map System.AccessToken into the step's env as SYSTEM_ACCESSTOKEN"),
        HttpStatusCode.Forbidden => HttpFailures.Message("Azure DevOps", operation, 403, $"the build identity needs 'Contribute to pull requests' on repository {context.RepositoryName ?? context.RepositoryId}"),
        HttpStatusCode.NotFound => HttpFailures.Message("Azure DevOps", operation, 404, $"pull request {context.PullRequest} not found in {context.Project}"),
        _ => HttpFailures.Message("Azure DevOps", operation, (int)status),
    };
}
