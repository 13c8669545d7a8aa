using System.Globalization;

namespace MlOps;

/// <summary>
/// Builds every user-facing error so they read alike: where (file, row, column), what was
/// found, and what was expected.
/// </summary>
public static class Errors
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A data problem at a known place in a file.</summary>
    public static DataException Data(string file, long row, string problem, string? column = null)
    {
        var where = row > 0 ? string.Format(Inv, "{0}, row {1}", file, row) : file;
        if (column is not null)
        {
            where += string.Format(Inv, ", column \"{0}\"", column);
        }

        return new DataException($"{where}: {problem}");
    }

    /// <summary>A data problem about a whole file or dataset.</summary>
    public static DataException Data(string file, string problem) => new($"{file}: {problem}");

    /// <summary>A configuration value that is wrong.</summary>
    public static ConfigException Config(string where, string problem) => new($"{where}: {problem}");

    /// <summary>A configuration key nobody knows, with the closest valid one when it is close.</summary>
    public static ConfigException UnknownKey(string where, string key, IEnumerable<string> validKeys)
    {
        var suggestion = Suggest(key, validKeys);
        var hint = suggestion is null
            ? $" Valid keys: {string.Join(", ", validKeys)}."
            : $" Did you mean '{suggestion}'?";
        return new ConfigException($"{where}: unknown key '{key}'.{hint}");
    }

    /// <summary>The closest candidate by edit distance, or null when none is close enough to help.</summary>
    public static string? Suggest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = EditDistance(input.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }

        return best is not null && bestDistance <= Math.Max(2, best.Length / 3) ? best : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
