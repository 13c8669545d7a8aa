using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Scoring;

namespace MlOps.Tests.Support;

/// <summary>Synthetic binary scores whose quality is set by a signal strength, and rejection rates of the default gate.</summary>
public static class BootstrapTrials
{
    public static (bool[] Y, float[] P) Scores(Random rng, int n, double signal, bool[]? truth = null)
    {
        var y = truth ?? Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5).ToArray();
        var p = y.Select(label =>
        {
            var z = ((label ? 1 : -1) * signal) + Normal(rng);
            return (float)(1 / (1 + Math.Exp(-z)));
        }).ToArray();
        return (y, p);
    }

    /// <summary>The share of trials in which the default gate (roc-auc, no significant regression) rejects the candidate.</summary>
    public static double RejectionRate(int trials, int rows, double candidateSignal, int resamples, int seed)
    {
        var rng = new Random(seed);
        var rejected = 0;
        for (var t = 0; t < trials; t++)
        {
            var (y, baseline) = Scores(rng, rows, 1.0);
            var (_, candidate) = Scores(rng, rows, candidateSignal, y);
            var c = LabeledPredictions.Binary(y, Predictions.Binary(candidate));
            var b = LabeledPredictions.Binary(y, Predictions.Binary(baseline));
            var boot = PairedBootstrap.Run(c, b, 0.5, resamples, 0.95, t);
            var m = MetricCalculator.Compute(c);
            var bm = MetricCalculator.Compute(b);
            var comparison = new MetricComparison(m[MetricNames.RocAuc], null, bm[MetricNames.RocAuc], m[MetricNames.RocAuc] - bm[MetricNames.RocAuc], boot.Delta[MetricNames.RocAuc], true);
            if (!GateEvaluator.Check(GateEvaluator.Defaults(ModelTask.Binary)[0], comparison, 0.95).Passed) rejected++;
        }

        return (double)rejected / trials;
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
