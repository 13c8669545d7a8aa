using static System.FormattableString;

namespace MlOps.Platforms;

/// <summary>What to do after a failed call: retry after a wait, or give up.</summary>
/// <param name="Retry">True to try again.</param>
/// <param name="Wait">How long the service asked us to wait (Retry-After, rate-limit reset), or null for exponential backoff.</param>
/// <param name="Reason">The failure in words, for the log and the final error.</param>
public sealed record RetryDecision(bool Retry, TimeSpan? Wait, string Reason)
{
    /// <summary>Do not retry (the failure is permanent, such as 404 or 422).</summary>
    public static readonly RetryDecision GiveUp = new(false, null, string.Empty);
}

/// <summary>
/// Bounded retries with exponential backoff and jitter, honouring the waits services ask for;
/// a wait longer than <see cref="MaxWait"/> fails at once instead of hanging the job.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Attempts in all, the first included.</summary>
    public int Attempts { get; init; } = 4;

    /// <summary>The first backoff; doubles each time.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest single wait we accept.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Receives one line per retry.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Runs <paramref name="call"/>, retrying as <paramref name="classify"/> says.</summary>
    /// <param name="service">The service, for messages ("GitHub").</param>
    /// <param name="operation">What we were doing ("updating the pull-request comment").</param>
    /// <param name="call">The call.</param>
    /// <param name="classify">Decides, for a failure, whether to retry and how long to wait.</param>
    /// <param name="cancellationToken">Cancels waits and calls.</param>
    /// <exception cref="ExternalServiceException">Retries exhausted, or a wait longer than <see cref="MaxWait"/>.</exception>
    public async Task<T> RunAsync<T>(string service, string operation, Func<CancellationToken, Task<T>> call, Func<Exception, RetryDecision> classify, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var decision = classify(e);
                if (!decision.Retry) throw;
                if (attempt >= Attempts)
                {
                    throw new ExternalServiceException(Invariant($"{service}: {operation} failed after {Attempts} attempts: {decision.Reason}."));
                }

                var wait = decision.Wait ?? Backoff(attempt);
                if (wait > MaxWait)
                {
                    throw new ExternalServiceException(Invariant($"{service}: {operation} failed: {decision.Reason}; the service asks to wait {wait.TotalSeconds:0} s, more than the {MaxWait.TotalSeconds:0} s we allow."));
                }

                Log?.Invoke(Invariant($"{service}: {decision.Reason}; retrying {operation} in {wait.TotalSeconds:0.#} s (attempt {attempt + 1} of {Attempts})."));
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>Network errors and timeouts are worth retrying with any service; null for anything else.</summary>
    public static RetryDecision? Transport(Exception e) => e switch
    {
        HttpRequestException h => new RetryDecision(true, null, $"network error ({h.Message})"),
        TaskCanceledException => new RetryDecision(true, null, "request timed out"),
        _ => null,
    };

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.8 + (0.4 * Random.Shared.NextDouble())));
}
