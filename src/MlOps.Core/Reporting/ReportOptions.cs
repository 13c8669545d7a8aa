namespace MlOps.Reporting;

/// <summary>How to render a report.</summary>
public sealed record ReportOptions
{
    /// <summary>GitHub's limit on an issue or pull-request comment body, in characters.</summary>
    public const int GitHubCommentLimit = 65_536;

    /// <summary>
    /// Identifies the report among comments: one sticky comment per key. Use different keys for
    /// different reports on one pull request (for example one per model).
    /// </summary>
    public string Key { get; init; } = "mlops";

    /// <summary>How charts are drawn.</summary>
    public ChartStyle Charts { get; init; } = ChartStyle.Mermaid;

    /// <summary>Where the full report and artifacts can be downloaded (the CI run page), if known.</summary>
    public string? ArtifactsUrl { get; init; }

    /// <summary>The commit the report is about, if known.</summary>
    public string? Commit { get; init; }
}
