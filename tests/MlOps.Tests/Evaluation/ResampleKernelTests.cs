using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Scoring;

namespace MlOps.Tests.Evaluation;

/// <summary>The fast bootstrap pass against the plain weighted metrics, and the Poisson draw counts against their distribution.</summary>
public sealed class ResampleKernelTests
{
    public static TheoryData<ModelTask> Tasks() => [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression];

    private static LabeledPredictions Sample(ModelTask task, int n, Random rng) => task switch
    {
        // Scores rounded to two decimals: many ties, as a coarse model gives.
        ModelTask.Binary => LabeledPredictions.Binary(
            Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3).ToArray(),
            Predictions.Binary(Enumerable.Range(0, n).Select(_ => (float)Math.Round(rng.NextDouble(), 2)).ToArray())),
        ModelTask.Multiclass => LabeledPredictions.Multiclass(
            Enumerable.Range(0, n).Select(_ => new[] { "a", "b", "c", "unseen" }[rng.Next(4)]).ToList(),
            Predictions.Multiclass(["a", "b", "c"], Enumerable.Range(0, n * 3).Select(_ => (float)rng.NextDouble()).ToArray())),
        _ => LabeledPredictions.Regression(
            Enumerable.Range(0, n).Select(_ => (float)(1000 + (rng.NextDouble() * 10))).ToArray(),
            Predictions.Regression(Enumerable.Range(0, n).Select(_ => (float)(1000 + (rng.NextDouble() * 10))).ToArray())),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void One_pass_per_resample_gives_exactly_the_weighted_metrics(ModelTask task)
    {
        var rng = new Random(5);
        var data = Sample(task, 2_000, rng);
        var kernel = ResampleKernel.For(data, 0.4);
        var names = MetricNames.For(task);
        var metrics = new double[ResampleKernel.Lanes * names.Count];
        var weights = new int[data.Count];
        for (var block = 0; block < 5; block++)
        {
            var keys = Enumerable.Range(0, ResampleKernel.Lanes).Select(l => PoissonWeights.Key(3, (block * ResampleKernel.Lanes) + l)).ToArray();
            kernel.Compute(keys, metrics);
            for (var l = 0; l < keys.Length; l++)
            {
                PoissonWeights.Fill(weights, keys[l]);
                var expected = MetricCalculator.Compute(data, 0.4, weights);
                for (var j = 0; j < names.Count; j++)
                {
                    var got = metrics[(l * names.Count) + j];
                    Assert.True(Math.Abs(expected[names[j]] - got) <= 1e-9 * Math.Max(1, Math.Abs(expected[names[j]])), $"{names[j]} block {block} lane {l}: {got} vs {expected[names[j]]}");
                }
            }
        }
    }

    [Fact]
    public void Draw_counts_follow_poisson_one_and_depend_only_on_seed_and_resample()
    {
        var weights = new int[1_000_000];
        PoissonWeights.Fill(weights, PoissonWeights.Key(42, 7));
        var counts = new int[16];
        foreach (var w in weights) counts[w]++;

        // P(K = k) = e⁻¹ / k!, each within 5 standard errors of its binomial count.
        double p = Math.Exp(-1);
        for (var k = 0; k < 6; k++)
        {
            var expected = p * weights.Length;
            Assert.True(Math.Abs(counts[k] - expected) < 5 * Math.Sqrt(expected * (1 - p)), $"k={k}: {counts[k]} vs {expected:0}");
            p /= k + 1;
        }

        var again = new int[weights.Length];
        PoissonWeights.Fill(again, PoissonWeights.Key(42, 7));
        Assert.Equal(weights, again);
        PoissonWeights.Fill(again, PoissonWeights.Key(42, 8));
        Assert.NotEqual(weights, again);
        PoissonWeights.Fill(again, PoissonWeights.Key(43, 7));
        Assert.NotEqual(weights, again);

        // Neighbouring resamples are not correlated row by row.
        var mean = weights.Average();
        var cov = weights.Zip(again).Average(x => (x.First - mean) * (x.Second - mean));
        Assert.InRange(cov, -0.01, 0.01);
    }

    [Fact]
    public void The_interval_of_a_mean_matches_its_textbook_width()
    {
        // Regression MAE is a mean of |e|: the bootstrap's 95 % interval must be about ±1.96 σ/√n.
        var rng = new Random(9);
        const int n = 20_000;
        var y = new float[n];
        var yhat = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var data = LabeledPredictions.Regression(y, Predictions.Regression(yhat));
        var boot = PairedBootstrap.Run(data, null, 0.5, 1000, 0.95, 1);
        var mean = yhat.Average(v => (double)v);
        var sd = Math.Sqrt(yhat.Average(v => (v - mean) * (v - mean)));
        var width = boot.Candidate[MetricNames.Mae].High - boot.Candidate[MetricNames.Mae].Low;
        Assert.InRange(width / (2 * 1.96 * sd / Math.Sqrt(n)), 0.9, 1.1);
    }
}
