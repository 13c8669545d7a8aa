namespace MlOps.Platforms;

/// <summary>One problem that should be in front of the team until it is fixed.</summary>
/// <param name="Key">Stable while the problem lasts (rule and subject), unique within its scope.</param>
/// <param name="Title">The issue title.</param>
/// <param name="Body">Markdown; untrusted text in it is already escaped.</param>
public sealed record Alert(string Key, string Title, string Body);

/// <summary>What an alert sync did, by issue link or number.</summary>
public sealed record AlertSync(IReadOnlyList<string> Opened, IReadOnlyList<string> Updated, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Closed);

/// <summary>
/// Keeps one open issue per alert: opened when an alert first fires, updated in place while it
/// fires, closed with a comment when its check passes again. Issues are found by a hidden marker
/// with the scope (the model) and the key, so renamed titles and other tools' issues do not matter.
/// </summary>
public interface IAlertTracker
{
    /// <summary>Brings the open issues of <paramref name="scope"/> in line with <paramref name="firing"/>.</summary>
    /// <param name="scope">Whose alerts these are (the model name).</param>
    /// <param name="firing">The alerts that fire now.</param>
    /// <param name="resolved">For an open issue whose key is not firing: true when its check ran and passed, so it may be closed (a check that did not run says nothing).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <exception cref="CommentForbiddenException">The token may not write issues.</exception>
    /// <exception cref="ExternalServiceException">The service kept failing after retries.</exception>
    Task<AlertSync> SyncAsync(string scope, IReadOnlyList<Alert> firing, Func<string, bool> resolved, CancellationToken cancellationToken = default);
}
