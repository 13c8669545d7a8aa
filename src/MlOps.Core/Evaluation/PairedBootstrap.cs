using MlOps.Artifacts;
using MlOps.Metrics;

namespace MlOps.Evaluation;

/// <summary>Bootstrap intervals per metric: the candidate's value and the paired difference candidate − baseline.</summary>
/// <param name="Candidate">The candidate metric's interval by name.</param>
/// <param name="Delta">The interval of candidate − baseline by name (empty without a baseline).</param>
public sealed record BootstrapResult(IReadOnlyDictionary<string, Interval> Candidate, IReadOnlyDictionary<string, Interval> Delta);

/// <summary>
/// Paired bootstrap: each resample weights every row by a Poisson(1) draw count and scores the
/// candidate and the baseline under the same weights, so the interval of their difference reflects
/// only the models' disagreement, not which rows happened to be drawn. Resample b has its own
/// seeded generator, so results do not depend on thread scheduling; each resample is one pass
/// per model over precomputed per-row terms (<see cref="ResampleKernel"/>), on every core.
/// </summary>
public static class PairedBootstrap
{
    /// <summary>Runs the bootstrap.</summary>
    public static BootstrapResult Run(LabeledPredictions candidate, LabeledPredictions? baseline, double threshold, int resamples, double confidence, int seed)
    {
        var names = MetricNames.For(candidate.Predictions.Task);
        var m = names.Count;
        var candidateKernel = ResampleKernel.For(candidate, threshold);
        var baselineKernel = baseline is null ? null : ResampleKernel.For(baseline, threshold);
        var cand = new double[m * resamples];
        var delta = new double[m * resamples];
        const int lanes = ResampleKernel.Lanes;
        Parallel.For(0, (resamples + lanes - 1) / lanes, () => (Keys: new uint[lanes], C: new double[lanes * m], B: new double[lanes * m]), (block, _, local) =>
        {
            for (var l = 0; l < lanes; l++) local.Keys[l] = PoissonWeights.Key(seed, Math.Min((block * lanes) + l, resamples - 1));
            candidateKernel.Compute(local.Keys, local.C);
            baselineKernel?.Compute(local.Keys, local.B);
            for (var l = 0; l < lanes && (block * lanes) + l < resamples; l++)
            {
                var b = (block * lanes) + l;
                for (var j = 0; j < m; j++)
                {
                    cand[(j * resamples) + b] = local.C[(l * m) + j];
                    if (baselineKernel is not null) delta[(j * resamples) + b] = local.C[(l * m) + j] - local.B[(l * m) + j];
                }
            }

            return local;
        }, _ => { });

        var alpha = (1 - confidence) / 2;
        Interval Column(double[] values, int j) => Percentiles(values.AsSpan(j * resamples, resamples).ToArray(), alpha);
        return new BootstrapResult(
            names.Select((name, j) => (name, j)).ToDictionary(x => x.name, x => Column(cand, x.j)),
            baseline is null ? new Dictionary<string, Interval>() : names.Select((name, j) => (name, j)).ToDictionary(x => x.name, x => Column(delta, x.j)));
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
