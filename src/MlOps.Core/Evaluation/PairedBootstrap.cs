using MlOps.Evaluation.Metrics;

namespace MlOps.Evaluation;

/// <summary>A confidence interval.</summary>
/// <param name="Low">The lower bound.</param>
/// <param name="High">The upper bound.</param>
public sealed record Interval(double Low, double High);

/// <summary>Bootstrap intervals per metric: the candidate's value and the paired difference candidate − baseline.</summary>
/// <param name="Candidate">The candidate metric's interval by name.</param>
/// <param name="Delta">The interval of candidate − baseline by name (empty without a baseline).</param>
public sealed record BootstrapResult(IReadOnlyDictionary<string, Interval> Candidate, IReadOnlyDictionary<string, Interval> Delta);

/// <summary>
/// Paired bootstrap: each resample draws n rows with replacement and scores the candidate and the
/// baseline on the same draw, so the interval of their difference reflects only the models'
/// disagreement, not which rows happened to be drawn. Resample b uses its own seeded generator,
/// so results do not depend on thread scheduling. Rows are weighted by draw counts; no data is copied.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>Runs the bootstrap.</summary>
    public static BootstrapResult Run(LabeledPredictions candidate, LabeledPredictions? baseline, double threshold, int resamples, double confidence, int seed)
    {
        var names = MetricNames.For(candidate.Predictions.Task);
        var n = candidate.Count;
        var cand = names.ToDictionary(m => m, _ => new double[resamples]);
        var delta = names.ToDictionary(m => m, _ => new double[resamples]);
        Parallel.For(0, resamples, () => new int[n], (b, _, weights) =>
        {
            Array.Clear(weights);
            var rng = new Random(unchecked((seed * 1_000_003) + b));
            for (var i = 0; i < n; i++) weights[rng.Next(n)]++;
            var c = MetricCalculator.Compute(candidate, threshold, weights);
            var bl = baseline is null ? null : MetricCalculator.Compute(baseline, threshold, weights);
            foreach (var m in names)
            {
                cand[m][b] = c[m];
                if (bl is not null) delta[m][b] = c[m] - bl[m];
            }

            return weights;
        }, _ => { });

        var alpha = (1 - confidence) / 2;
        return new BootstrapResult(
            names.ToDictionary(m => m, m => Percentiles(cand[m], alpha)),
            baseline is null ? new Dictionary<string, Interval>() : names.ToDictionary(m => m, m => Percentiles(delta[m], alpha)));
    }

    /// <summary>The percentile interval, leaving out resamples where the metric is undefined (NaN).</summary>
    internal static Interval Percentiles(double[] values, double alpha)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? new Interval(double.NaN, double.NaN) : new Interval(Quantile(sorted, alpha), Quantile(sorted, 1 - alpha));
    }

    // Linear interpolation between order statistics (type 7, numpy's default).
    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
