namespace MlOps.Validation.Schema;

/// <summary>One way the data breaks its schema: which column, what was expected, what was found, and where.</summary>
public sealed record Anomaly
{
    /// <summary>The column, or null for dataset-level anomalies (row count).</summary>
    public string? Column { get; init; }

    /// <summary>missing-column, new-column, type-mismatch, out-of-domain, out-of-range, missing-rate, row-count.</summary>
    public required string Kind { get; init; }

    /// <summary>What the schema expects.</summary>
    public required string Expected { get; init; }

    /// <summary>What the data has.</summary>
    public required string Actual { get; init; }

    /// <summary>How many values or rows are affected (0 when not countable).</summary>
    public long Count { get; init; }

    /// <summary>The file of a sample occurrence.</summary>
    public string? File { get; init; }

    /// <summary>The 1-based data row of a sample occurrence in <see cref="File"/>.</summary>
    public long? Row { get; init; }
}
