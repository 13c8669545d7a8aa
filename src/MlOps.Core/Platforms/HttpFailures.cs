using static System.FormattableString;

namespace MlOps.Platforms;

/// <summary>
/// The one map from a failed HTTP call to what mlops does about it, for every outbound client
/// (GitHub, Azure DevOps, a model server): which statuses are retried, and the typed exception,
/// whose message always reads "SERVICE: OPERATION failed with HTTP STATUS: WHAT TO DO."
/// </summary>
public static class HttpFailures
{
    /// <summary>Retry throttling (429) and server errors (5xx), waiting as the service asks; nothing else.</summary>
    public static RetryDecision Classify(int status, TimeSpan? retryAfter) => status switch
    {
        429 => new RetryDecision(true, retryAfter, "HTTP 429 rate limited"),
        >= 500 => new RetryDecision(true, retryAfter, Invariant($"HTTP {status}")),
        _ => RetryDecision.GiveUp,
    };

    /// <summary>The message for a failed call; <paramref name="hint"/> says what to do (default: the status's meaning).</summary>
    public static string Message(string service, string operation, int status, string? hint = null) =>
        Invariant($"{service}: {operation} failed with HTTP {status}: {(hint is { Length: > 0 } h ? h.TrimEnd('.') : Describe(status))}.");

    /// <summary>The typed exception for a failed call: a refused write (403) is <see cref="CommentForbiddenException"/> when the caller can do without it, anything else <see cref="ExternalServiceException"/> (exit 4).</summary>
    public static MlOpsException For(string service, string operation, int status, string? hint = null, Exception? inner = null, bool forbiddenIsOptional = false) =>
        status == 403 && forbiddenIsOptional
            ? new CommentForbiddenException(Message(service, operation, status, hint))
            : new ExternalServiceException(Message(service, operation, status, hint), inner);

    private static string Describe(int status) => status switch
    {
        400 => "the request was refused as malformed",
        401 => "the credentials were rejected",
        403 => "the credentials may not do this",
        404 => "not found",
        409 or 412 => "a conflicting change happened first",
        429 => "rate limited; try again later",
        >= 500 => "the service failed",
        _ => "unexpected status",
    };
}
