using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>
/// The expectations a dataset must meet (schema.json): columns with type, domain, range and
/// missing-rate limits, and bounds on the row count. Inferred by <c>mlops schema infer</c>, then
/// reviewed and committed by people.
/// </summary>
public sealed record DatasetSchema
{
    /// <summary>The version of the schema.json format.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The columns, in file order.</summary>
    public required IReadOnlyList<ColumnSchema> Columns { get; init; }

    /// <summary>The fewest rows acceptable; null for no limit.</summary>
    public long? MinRows { get; init; }

    /// <summary>The most rows acceptable; null for no limit.</summary>
    public long? MaxRows { get; init; }

    /// <summary>Whether columns that the schema does not list are acceptable.</summary>
    public bool AllowNewColumns { get; init; }

    /// <summary>Looks a column up by name.</summary>
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);
}

/// <summary>What one column must look like.</summary>
public sealed record ColumnSchema
{
    /// <summary>The column name, exactly as in the data.</summary>
    public required string Name { get; init; }

    /// <summary>The type every present value must have.</summary>
    public required ColumnType Type { get; init; }

    /// <summary>Whether the column must be present in the data.</summary>
    public bool Required { get; init; } = true;

    /// <summary>The largest acceptable share of missing values (0 to 1); null for no limit.</summary>
    public double? MaxMissingRate { get; init; }

    /// <summary>For categorical columns: the only values allowed; null for any.</summary>
    public IReadOnlyList<string>? Domain { get; init; }

    /// <summary>For numeric columns: the smallest value allowed; for time columns, in seconds since the epoch (written as ISO-8601 in schema.json); null for no limit.</summary>
    public double? Min { get; init; }

    /// <summary>For numeric columns: the largest value allowed; for time columns, in seconds since the epoch; null for no limit.</summary>
    public double? Max { get; init; }

    /// <summary>Whether the column looks like an identifier (distinct values ≈ values): said by schema inference, so people see it; drift leaves such columns out by default.</summary>
    public bool Identifier { get; init; }

    /// <summary>For time columns: the newest value may be at most this old at the run's clock (freshness); null for no limit.</summary>
    public TimeSpan? MaxAge { get; init; }
}
