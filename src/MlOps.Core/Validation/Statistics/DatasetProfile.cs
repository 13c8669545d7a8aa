using MlOps.Validation.Schema;

namespace MlOps.Validation.Statistics;

/// <summary>The statistics of a whole dataset: what stats.json holds.</summary>
public sealed class DatasetProfile
{
    /// <summary>What the user pointed at (a file, folder or glob).</summary>
    public required string Source { get; init; }

    /// <summary>The files read, in order.</summary>
    public required IReadOnlyList<string> Files { get; init; }

    /// <summary>Rows read.</summary>
    public required long Rows { get; init; }

    /// <summary>One profile per column, in order of first appearance.</summary>
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }

    /// <summary>Value-level schema violations by column (empty without a schema).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Violation>> Violations { get; init; } = new Dictionary<string, IReadOnlyList<Violation>>();

    /// <summary>"i/n" when this is a partial profile of one shard.</summary>
    public string? Shard { get; init; }

    /// <summary>What was skipped or changed on the way in (an unsupported column type), once each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    private Dictionary<string, ColumnProfile>? _byName;

    /// <summary>Looks a column up by name (a dictionary, so wide tables stay linear).</summary>
    public ColumnProfile? Find(string name)
    {
        _byName ??= Columns.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return _byName.GetValueOrDefault(name);
    }
}
