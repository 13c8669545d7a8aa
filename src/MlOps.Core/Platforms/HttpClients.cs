namespace MlOps.Platforms;

/// <summary>
/// The one HTTP client factory for mlops's own outbound calls (Azure DevOps, a model server):
/// one pooled client with a bounded timeout, so sockets are reused and no call hangs. Octokit and
/// the Azure SDK bring their own pipelines; their failures go through <see cref="HttpFailures"/> too.
/// </summary>
public static class HttpClients
{
    /// <summary>How long one call may take before it fails (and is retried where the caller retries).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>The shared client.</summary>
    public static HttpClient Shared { get; } = new() { Timeout = Timeout };
}
