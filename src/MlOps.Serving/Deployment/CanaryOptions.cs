using MlOps.Validation.Drift;

namespace MlOps.Deployment;

/// <summary>
/// <c>mlops deploy --canary PERCENT --analyze DURATION</c>: route a share of traffic to the
/// candidate, compare it with production for a while, and promote only if it is no worse.
/// </summary>
public sealed record CanaryOptions
{
    /// <summary>The candidate's share of requests, in percent (0 to 100, exclusive of 0).</summary>
    public required double Percent { get; init; }

    /// <summary>How long to compare.</summary>
    public required TimeSpan Analyze { get; init; }

    /// <summary>Fewer requests than this to either version, over every replica, and nothing can be compared: the canary fails closed.</summary>
    public long MinRequests { get; init; } = 100;

    /// <summary>The largest accepted rise of the error rate (status 400 or more), candidate minus production, as a fraction (0.01: one point).</summary>
    public double MaxErrorIncrease { get; init; } = 0.01;

    /// <summary>The largest accepted rise of p95 latency, as a fraction of production's (0.25: 25 %), on each replica; 1 ms on top absorbs timer noise.</summary>
    public double MaxLatencyIncrease { get; init; } = 0.25;

    /// <summary>The drift rules the prediction distributions are compared with (validate's, from mlops.yaml).</summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>How often the servers are read while the canary runs (a failing error rate stops it early).</summary>
    public TimeSpan Poll => TimeSpan.FromMilliseconds(Math.Clamp(Analyze.TotalMilliseconds / 5, 250, 30_000));
}
