using MlOps.Validation.Drift;
using MlOps.Validation.Schema;
using MlOps.Validation.Statistics;

namespace MlOps.Validation;

/// <summary>What <c>mlops validate</c> found: statistics, anomalies, drift, and the verdict.</summary>
public sealed record ValidationResult
{
    /// <summary>The current dataset's profile.</summary>
    public required DatasetProfile Profile { get; init; }

    /// <summary>The schema checked against (declared) or proposed (inferred).</summary>
    public required DatasetSchema Schema { get; init; }

    /// <summary>Whether <see cref="Schema"/> was declared by the user (else inferred).</summary>
    public required bool SchemaDeclared { get; init; }

    /// <summary>Schema anomalies (none when the schema was inferred).</summary>
    public required IReadOnlyList<Anomaly> Anomalies { get; init; }

    /// <summary>Drift against the baseline, when one was given.</summary>
    public DriftReport? Drift { get; init; }

    /// <summary>The gates passed: no anomalies and no dataset drift.</summary>
    public bool Passed => Anomalies.Count == 0 && Drift is not { Drifted: true };

    /// <summary>The SHA-256 fingerprint of the validated files (as train's run.json records it), so later stages can tell it is the same data; null for a shard.</summary>
    public string? Fingerprint { get; init; }

    /// <summary>The artifact folder.</summary>
    public required string OutputDirectory { get; init; }
}
