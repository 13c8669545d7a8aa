namespace MlOps.Deployment;

/// <summary>deployment.json's canary: what each version answered and each rule's verdict.</summary>
public sealed record CanaryRecord
{
    /// <summary>The candidate's share of requests in percent.</summary>
    public required double Percent { get; init; }

    /// <summary>The planned analysis, in seconds.</summary>
    public required double AnalyzeSeconds { get; init; }

    /// <summary>How long it ran (shorter when a rule failed early).</summary>
    public double RanSeconds { get; init; }

    /// <summary>The production version it was compared with.</summary>
    public required string Production { get; init; }

    /// <summary>The candidate version.</summary>
    public required string Candidate { get; init; }

    /// <summary>What each version answered, per replica.</summary>
    public IReadOnlyList<CanaryVersionAnswers> Answers { get; init; } = [];

    /// <summary>The rules: traffic, error rate, p95 latency, prediction drift.</summary>
    public IReadOnlyList<CanaryRule> Rules { get; init; } = [];

    /// <summary>True when every rule passed: the candidate was promoted.</summary>
    public bool Passed { get; init; }
}

/// <summary>One version's answers on one replica since the canary started.</summary>
/// <param name="Server">The replica.</param>
/// <param name="Version">The version.</param>
/// <param name="Role">production or candidate.</param>
/// <param name="Requests">Requests answered.</param>
/// <param name="Failed">Requests answered with status 400 or more.</param>
/// <param name="Rows">Rows whose predictions were profiled.</param>
/// <param name="P50">Median latency in seconds, when any.</param>
/// <param name="P95">95th percentile latency in seconds, when any.</param>
public sealed record CanaryVersionAnswers(string Server, string Version, string Role, long Requests, long Failed, long Rows, double? P50, double? P95);

/// <summary>One rule of the analysis.</summary>
/// <param name="Rule">traffic, error rate, p95 latency or prediction drift.</param>
/// <param name="Passed">False fails the canary; a rule that could not be checked fails too.</param>
/// <param name="Detail">The figures, in words.</param>
public sealed record CanaryRule(string Rule, bool Passed, string Detail);
