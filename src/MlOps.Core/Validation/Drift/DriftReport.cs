namespace MlOps.Validation.Drift;

/// <summary>Every drift score of one column, drifted or not, and the verdict of its rule.</summary>
public sealed record ColumnDrift
{
    /// <summary>The column.</summary>
    public required string Column { get; init; }

    /// <summary>numeric or categorical.</summary>
    public required string Kind { get; init; }

    /// <summary>The method that decided.</summary>
    public required string Method { get; init; }

    /// <summary>The deciding score.</summary>
    public required double Score { get; init; }

    /// <summary>The threshold of the deciding score.</summary>
    public required double Threshold { get; init; }

    /// <summary>The p-value of the column's test (KS or chi-square).</summary>
    public required double PValue { get; init; }

    /// <summary>The significance level applied.</summary>
    public required double Alpha { get; init; }

    /// <summary>Whether the column has drifted.</summary>
    public required bool Drifted { get; init; }

    /// <summary>All scores computed: ks, psi, js, wasserstein (normalized) or linf, chi2, js, psi.</summary>
    public required IReadOnlyDictionary<string, double> Scores { get; init; }

    /// <summary>Baseline and current sizes (present values).</summary>
    public required long BaselineCount { get; init; }

    /// <summary>Current present values.</summary>
    public required long CurrentCount { get; init; }

    /// <summary>
    /// How far the KS statistic (and any CDF-based score) can be from its exact value because a
    /// side was summarized by the quantile sketch: the sum of both sides' rank-error bounds; 0
    /// when both columns were counted exactly.
    /// </summary>
    public double RankError { get; init; }

    /// <summary>Why the column was not compared, if it was not.</summary>
    public string? Skipped { get; init; }
}

/// <summary>The drift between a baseline and the current data: drift.json.</summary>
public sealed record DriftReport
{
    /// <summary>Where the baseline came from.</summary>
    public required string Baseline { get; init; }

    /// <summary>One entry per column compared or skipped.</summary>
    public required IReadOnlyList<ColumnDrift> Columns { get; init; }

    /// <summary>Drifted columns over compared columns.</summary>
    public double DriftedShare => Compared == 0 ? 0 : (double)Columns.Count(c => c.Drifted) / Compared;

    /// <summary>Columns actually compared.</summary>
    public int Compared => Columns.Count(c => c.Skipped is null);

    /// <summary>The threshold on <see cref="DriftedShare"/>.</summary>
    public required double MaxDriftedShare { get; init; }

    /// <summary>The dataset-level verdict: the drifted share exceeds the maximum.</summary>
    public bool Drifted => Compared > 0 && DriftedShare > MaxDriftedShare;
}
