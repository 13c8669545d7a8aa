using MlOps.Data;
using MlOps.Validation.Drift;
using MlOps.Validation.Statistics;

namespace MlOps.Validation;

/// <summary>Everything <c>mlops validate</c> needs, bound once from mlops.yaml and flags.</summary>
public sealed record ValidateOptions
{
    /// <summary>The dataset to validate.</summary>
    public required DatasetSource Data { get; init; }

    /// <summary>A schema.json to check against; null to infer one (and check nothing).</summary>
    public string? SchemaPath { get; init; }

    /// <summary>A baseline dataset or stats.json for drift; null for no drift check.</summary>
    public string? Baseline { get; init; }

    /// <summary>Drift rules.</summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>Distinct numeric values per column counted exactly before the quantile sketch takes over.</summary>
    public int ExactValues { get; init; } = ColumnProfile.DefaultExactValues;

    /// <summary>The artifact folder.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Compute only this shard's partial statistics (no gates).</summary>
    public Shard? Shard { get; init; }
}
