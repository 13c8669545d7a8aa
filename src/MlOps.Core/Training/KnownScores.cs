namespace MlOps.Training;

/// <summary>
/// Predictions a trainer already holds for the rows it trained and validated on, so metrics on
/// those rows need no second scoring pass. Rows are looked up by binary search in each ascending
/// row list; a request with any row outside them is not known.
/// </summary>
internal sealed class KnownScores
{
    private readonly (int[] Rows, float[] Scores)[] _parts;

    public KnownScores(int[] trainRows, float[] trainScores, int[] validRows, float[]? validScores)
    {
        var parts = new List<(int[], float[])>();
        if (Ascending(trainRows)) parts.Add((trainRows, trainScores));
        if (validScores is not null && Ascending(validRows)) parts.Add((validRows, validScores));
        _parts = [.. parts];
    }

    /// <summary>The scores of <paramref name="rows"/>, or null when some row has none here.</summary>
    public float[]? Of(int[] rows)
    {
        var scores = new float[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var found = false;
            foreach (var (known, values) in _parts)
            {
                var at = Array.BinarySearch(known, rows[i]);
                if (at < 0) continue;
                scores[i] = values[at];
                found = true;
                break;
            }

            if (!found) return null;
        }

        return scores;
    }

    private static bool Ascending(int[] rows)
    {
        for (var i = 1; i < rows.Length; i++)
        {
            if (rows[i] <= rows[i - 1]) return false;
        }

        return true;
    }
}
