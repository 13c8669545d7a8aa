using MlOps.Validation.Statistics;

namespace MlOps.Validation.Drift;

/// <summary>
/// Compares the current dataset's profile with a baseline profile column by column. Works on
/// profiles, not raw rows, so a baseline dataset and its stats.json give identical results.
/// </summary>
public static class DriftDetector
{
    /// <summary>Scores every column present in both profiles.</summary>
    public static DriftReport Compare(DatasetProfile baseline, DatasetProfile current, DriftOptions options)
    {
        var results = new List<ColumnDrift>();
        foreach (var cur in current.Columns)
        {
            if (options.Ignore.Contains(cur.Name) || baseline.Find(cur.Name) is not { } bas)
            {
                continue;
            }

            results.Add(CompareColumn(bas, cur, options));
        }

        return new DriftReport { Baseline = baseline.Source, Columns = results, MaxDriftedShare = options.MaxDriftedShare };
    }

    /// <summary>Scores one column.</summary>
    public static ColumnDrift CompareColumn(ColumnProfile baseline, ColumnProfile current, DriftOptions options)
    {
        var bt = baseline.InferredType;
        var ct = current.InferredType;
        var numeric = bt.IsNumeric() && ct.IsNumeric();
        var rule = options.Columns.TryGetValue(current.Name, out var r) ? r : numeric ? options.Numeric : options.Categorical;
        if (bt == ColumnType.Unknown || ct == ColumnType.Unknown)
        {
            return Skip(current.Name, rule, "no values in one of the datasets", baseline, current);
        }

        if (bt.IsNumeric() != ct.IsNumeric())
        {
            return Skip(current.Name, rule, $"type changed from {bt.Name()} to {ct.Name()}", baseline, current);
        }

        return numeric ? Numeric(baseline, current, rule, options.Bins) : Categorical(baseline, current, rule);
    }

    private static ColumnDrift Numeric(ColumnProfile baseline, ColumnProfile current, DriftRule rule, int bins)
    {
        var a = baseline.Quantiles.ToSample();
        var b = current.Quantiles.ToSample();
        var ks = DriftMetrics.KolmogorovSmirnov(a, b);
        var p = DriftMetrics.KolmogorovSmirnovPValue(ks, a.TotalWeight, b.TotalWeight);
        var edges = DriftMetrics.QuantileEdges(a, bins);
        var ea = DriftMetrics.BinShares(a, edges);
        var eb = DriftMetrics.BinShares(b, edges);
        var std = baseline.Moments.SampleStdDev;
        var scores = new Dictionary<string, double>
        {
            ["ks"] = ks,
            ["ks_p_value"] = p,
            ["psi"] = DriftMetrics.PopulationStabilityIndex(ea, eb),
            ["js"] = DriftMetrics.JensenShannonDistance(ea, eb),
            ["wasserstein"] = DriftMetrics.Wasserstein(a, b) / (std > 0 ? std : 1),
        };
        return Decide(current.Name, "numeric", rule, scores, p, baseline.Numbers, current.Numbers);
    }

    private static ColumnDrift Categorical(ColumnProfile baseline, ColumnProfile current, DriftRule rule)
    {
        var (ca, _) = baseline.CategoryCounts();
        var (cb, _) = current.CategoryCounts();
        var keys = ca.Select(kv => kv.Key).Union(cb.Select(kv => kv.Key), StringComparer.Ordinal).ToList();
        var da = ca.ToDictionary(kv => kv.Key, kv => (double)kv.Value, StringComparer.Ordinal);
        var db = cb.ToDictionary(kv => kv.Key, kv => (double)kv.Value, StringComparer.Ordinal);
        var va = keys.Select(k => da.GetValueOrDefault(k)).ToList();
        var vb = keys.Select(k => db.GetValueOrDefault(k)).ToList();

        // Values summarized away (high cardinality) go to one "other" bucket so shares add up.
        var restA = baseline.Present - va.Sum();
        var restB = current.Present - vb.Sum();
        if (restA > 0 || restB > 0)
        {
            va.Add(Math.Max(0, restA));
            vb.Add(Math.Max(0, restB));
        }

        double[] pa = [.. va], pb = [.. vb];
        var (chi, _, p) = DriftMetrics.ChiSquare(pa, pb);
        var sa = pa.Sum();
        var sb = pb.Sum();
        var scores = new Dictionary<string, double>
        {
            ["js"] = DriftMetrics.JensenShannonDistance(pa, pb),
            ["linf"] = DriftMetrics.LInfinity(pa, pb),
            ["psi"] = DriftMetrics.PopulationStabilityIndex(pa.Select(x => x / sa).ToArray(), pb.Select(x => x / sb).ToArray()),
            ["chi2"] = chi,
            ["chi2_p_value"] = p,
        };
        return Decide(current.Name, "categorical", rule, scores, p, baseline.Present, current.Present);
    }

    private static ColumnDrift Decide(string column, string kind, DriftRule rule, Dictionary<string, double> scores, double p, long n, long m)
    {
        var testOnly = rule.Method is "ks" or "chi2";
        var score = testOnly ? p : scores[rule.Method];
        var significant = rule.Alpha >= 1 || p < rule.Alpha;
        var drifted = testOnly ? p < rule.Alpha : score >= rule.Threshold && significant;
        return new ColumnDrift
        {
            Column = column,
            Kind = kind,
            Method = rule.Method,
            Score = testOnly ? scores[rule.Method] : score,
            Threshold = testOnly ? rule.Alpha : rule.Threshold,
            PValue = p,
            Alpha = rule.Alpha,
            Drifted = drifted,
            Scores = scores,
            BaselineCount = n,
            CurrentCount = m,
        };
    }

    private static ColumnDrift Skip(string column, DriftRule rule, string why, ColumnProfile b, ColumnProfile c) => new()
    {
        Column = column,
        Kind = "skipped",
        Method = rule.Method,
        Score = 0,
        Threshold = rule.Threshold,
        PValue = 1,
        Alpha = rule.Alpha,
        Drifted = false,
        Scores = new Dictionary<string, double>(),
        BaselineCount = b.Present,
        CurrentCount = c.Present,
        Skipped = why,
    };
}
