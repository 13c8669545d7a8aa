namespace MlOps.Tabular;

/// <summary>
/// The distinct texts of a column's rows, in first-occurrence order. The table loader gives
/// equal texts of a column one string (up to its interning limit), so the rows are first told
/// apart by reference, a pointer's hash rather than the characters', and only the distinct
/// references are then compared by value: the same answer as comparing every row by value,
/// several times faster on the usual column of a few categories.
/// </summary>
internal static class DistinctTexts
{
    /// <summary>The non-missing texts of <paramref name="rows"/>, each once, in the order they first occur.</summary>
    public static List<string> Of(string?[] texts, int[] rows)
    {
        var references = new HashSet<string>(ReferenceEqualityComparer.Instance);
        var candidates = new List<string>();
        foreach (var r in rows)
        {
            if (texts[r] is { } s && references.Add(s)) candidates.Add(s);
        }

        // The first reference of each value is that value's first occurrence.
        var values = new HashSet<string>(candidates.Count, StringComparer.Ordinal);
        return candidates.Where(values.Add).ToList();
    }
}
