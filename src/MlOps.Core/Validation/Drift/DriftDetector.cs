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
        var time = bt.IsTime() && ct.IsTime();
        var numeric = (bt.IsNumeric() && ct.IsNumeric()) || time;
        var named = options.Columns.TryGetValue(current.Name, out var r);
        var rule = named ? r! : numeric ? options.Numeric : options.Categorical;
        if (bt == ColumnType.Unknown || ct == ColumnType.Unknown)
        {
            return Skip(current.Name, rule, "no values in one of the datasets", baseline, current);
        }

        if (bt.IsNumeric() != ct.IsNumeric() || bt.IsTime() != ct.IsTime())
        {
            return Skip(current.Name, rule, $"type changed from {bt.Name()} to {ct.Name()}", baseline, current);
        }

        if (time && !options.TimeColumns && !named)
        {
            return Skip(current.Name, rule, "a time column: time always moves, so it is not compared by default (drift.time: true or a drift.columns rule compares it)", baseline, current);
        }

        if (baseline.LooksLikeIdentifier && !options.Identifiers && !named)
        {
            var (distinct, _) = baseline.DistinctCount;
            return Skip(current.Name, rule, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"looks like an identifier ({distinct:N0} distinct in {baseline.Present:N0} values), so it is not compared by default (drift.identifiers: true or a drift.columns rule compares it)"), baseline, current);
        }

        return numeric ? Numeric(baseline, current, rule, options.Bins, time) : Categorical(baseline, current, rule);
    }

    private static ColumnDrift Numeric(ColumnProfile baseline, ColumnProfile current, DriftRule rule, int bins, bool time)
    {
        // Exact value counts where the column has few enough distinct values, else the sketch.
        var a = baseline.NumericSample();
        var b = current.NumericSample();
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
        return Decide(current.Name, time ? "time" : "numeric", rule, scores, p, baseline.Numbers + baseline.Times, current.Numbers + current.Times) with
        {
            RankError = baseline.RankError + current.RankError,
        };
    }

    private static ColumnDrift Categorical(ColumnProfile baseline, ColumnProfile current, DriftRule rule)
    {
        var (ca, exactA) = baseline.CategoryCounts();
        var (cb, exactB) = current.CategoryCounts();
        var da = ca.ToDictionary(kv => kv.Key, kv => (double)kv.Value, StringComparer.Ordinal);
        var db = cb.ToDictionary(kv => kv.Key, kv => (double)kv.Value, StringComparer.Ordinal);

        // A value one side tracks is compared on its own only when the other side's absence means
        // zero (it tracks it too, or counts exactly); else it may sit in that side's summarized
        // rest, and it joins the "other" bucket on both sides rather than look like a new value.
        var keys = ca.Select(kv => kv.Key).Union(cb.Select(kv => kv.Key), StringComparer.Ordinal)
            .Where(k => (da.ContainsKey(k) || exactA) && (db.ContainsKey(k) || exactB))
            .ToList();
        var va = keys.Select(k => da.GetValueOrDefault(k)).ToList();
        var vb = keys.Select(k => db.GetValueOrDefault(k)).ToList();

        // Values summarized away (high cardinality) go to an "other" bucket so shares add up. The
        // current side's other values are split by whether the baseline ever held them: the share
        // of its distinct values the baseline never saw (HyperLogLog union minus the baseline)
        // goes to a bucket the baseline has none of. Without it, a column whose values are all new
        // but evenly spread (new ids, a join gone wrong) would look exactly like the baseline.
        var restA = Math.Max(0, baseline.Present - va.Sum());
        var restB = Math.Max(0, current.Present - vb.Sum());
        if (restA > 0 || restB > 0)
        {
            var novel = restB * NovelShare(baseline, current);
            va.Add(restA);
            vb.Add(restB - novel);
            if (novel > 0)
            {
                va.Add(0);
                vb.Add(novel);
            }
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

    /// <summary>The estimated share of the current column's distinct values that the baseline never held, 0 to 1.</summary>
    internal static double NovelShare(ColumnProfile baseline, ColumnProfile current)
    {
        var union = new Sketches.HyperLogLog();
        union.Merge(baseline.Distinct);
        union.Merge(current.Distinct);
        var b = (double)baseline.Distinct.Estimate();
        var c = (double)current.Distinct.Estimate();
        if (c <= 0) return 0;
        var novel = Math.Max(0, union.Estimate() - b);

        // Below HyperLogLog's error (about 1.6 % of the union at precision 12) a difference is noise.
        return novel <= 0.05 * union.Estimate() ? 0 : Math.Clamp(novel / c, 0, 1);
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
