using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>
/// Proposes a schema from a profile, TFDV-style: types from the values; a domain for text columns
/// with few distinct values (at most <see cref="MaxDomainSize"/>, seen exactly); min 0 for numeric
/// columns that were never negative; a missing-rate limit of twice what was seen (0 if none were
/// missing). A starting point for people to review and commit.
/// </summary>
public static class SchemaInference
{
    /// <summary>The largest number of distinct values recorded as a domain.</summary>
    public const int MaxDomainSize = 50;

    /// <summary>Infers a schema.</summary>
    public static DatasetSchema Infer(DatasetProfile profile) => new()
    {
        MinRows = 1,
        Columns = profile.Columns.Select(Column).ToList(),
    };

    private static ColumnSchema Column(ColumnProfile c)
    {
        var type = c.InferredType == ColumnType.Unknown ? ColumnType.String : c.InferredType;
        var missingRate = c.Count == 0 ? 0 : (double)c.Missing / c.Count;
        List<string>? domain = null;
        if (type == ColumnType.String)
        {
            var (counts, exact) = c.CategoryCounts();
            // A domain only makes sense for categories: few values, each seen more than once on average.
            if (exact && counts.Count <= MaxDomainSize && counts.Count * 2 <= c.Present)
            {
                domain = counts.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            }
        }

        return new ColumnSchema
        {
            Name = c.Name,
            Type = type,
            MaxMissingRate = missingRate == 0 ? 0 : Math.Min(1, Math.Ceiling(missingRate * 2 * 100) / 100),
            Domain = domain,
            Identifier = c.LooksLikeIdentifier,
            Min = type.IsNumeric() && c.Moments.Count > 0 && c.Moments.Min >= 0 ? 0 : null,
        };
    }
}
