using MlOps.Validation.Drift;
using MlOps.Validation.Sketches;

namespace MlOps.Tests.Validation;

/// <summary>Known values from Reference/drift_reference.py (independent, textbook definitions) and published critical values.</summary>
public class DriftMetricsTests
{
    private static readonly double[] A = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.0, 3.9, 5.1, 2.2, 3.0];
    private static readonly double[] B = [3.9, 4.8, 5.5, 6.1, 4.2, 5.0, 4.7, 6.3, 3.6, 5.8];

    private static WeightedSample Sample(double[] values)
    {
        var k = new KllSketch();
        foreach (var v in values) k.Add(v);
        return k.ToSample();
    }

    [Fact]
    public void Kolmogorov_smirnov_statistic_and_p_value_match_the_reference()
    {
        var d = DriftMetrics.KolmogorovSmirnov(Sample(A), Sample(B));
        Assert.Equal(0.5833333333333334, d, 12);
        Assert.Equal(0.02817934264874287, DriftMetrics.KolmogorovSmirnovPValue(d, A.Length, B.Length), 10);
    }

    [Theory]
    [InlineData(1.3581, 0.05)]   // the classic 5% critical value of the Kolmogorov distribution
    [InlineData(1.6276, 0.01)]   // and the 1% one
    public void Kolmogorov_survival_matches_published_critical_values(double lambda, double p) =>
        Assert.Equal(p, DriftMetrics.KolmogorovSurvival(lambda), 4);

    [Fact]
    public void Wasserstein_matches_the_reference() =>
        Assert.Equal(1.515, DriftMetrics.Wasserstein(Sample(A), Sample(B)), 10);

    [Fact]
    public void Psi_and_jensen_shannon_match_the_reference()
    {
        double[] e = [0.1, 0.2, 0.3, 0.4, 0.0];
        double[] a = [0.15, 0.25, 0.25, 0.3, 0.05];
        Assert.Equal(0.37942366216726187, DriftMetrics.PopulationStabilityIndex(e, a), 12);
        Assert.Equal(0.19352236682465274, DriftMetrics.JensenShannonDistance(e, a), 12);
    }

    [Fact]
    public void Chi_square_homogeneity_matches_the_reference()
    {
        var (chi, df, p) = DriftMetrics.ChiSquare([50, 30, 20], [30, 30, 40]);
        Assert.Equal(11.666666666666668, chi, 10);
        Assert.Equal(2, df);
        Assert.Equal(0.002928299694818186, p, 12);
        Assert.Equal(0.2067308603321408, DriftMetrics.JensenShannonDistance([50, 30, 20], [30, 30, 40]), 12);
    }

    [Theory]
    [InlineData(3.841459, 1, 0.04999999465319576)]
    [InlineData(11.0705, 5, 0.04999995542804365)]
    [InlineData(20.0, 10, 0.029252688076961075)]
    public void Chi_square_survival_matches_closed_forms(double x, int df, double p) =>
        Assert.Equal(p, SpecialFunctions.ChiSquareSurvival(x, df), 10);

    [Fact]
    public void Identical_distributions_score_zero()
    {
        var s = Sample(A);
        Assert.Equal(0, DriftMetrics.KolmogorovSmirnov(s, s));
        Assert.Equal(0, DriftMetrics.Wasserstein(s, s));
        var shares = DriftMetrics.BinShares(s, DriftMetrics.QuantileEdges(s));
        Assert.Equal(0, DriftMetrics.PopulationStabilityIndex(shares, shares), 12);
        Assert.Equal(1.0, shares.Sum(), 12);
    }

    [Fact]
    public void Drift_verdict_uses_effect_size_so_it_does_not_flip_with_sample_size()
    {
        // The same tiny shift (0.02 standard deviations) at two sizes: the KS test turns
        // "significant" at a million rows, but the effect size stays under its threshold.
        foreach (var n in new[] { 2_000, 1_000_000 })
        {
            var result = CompareShifted(n, shift: 0.02, seed: 7);
            Assert.False(result.Drifted, $"n={n}: psi={result.Score}, p={result.PValue}");
        }
    }

    [Fact]
    public void A_real_shift_is_flagged_at_any_size()
    {
        foreach (var n in new[] { 300, 200_000 })
        {
            Assert.True(CompareShifted(n, shift: 1.0, seed: 11).Drifted, $"n={n}");
        }
    }

    /// <summary>Default-rule drift between n standard normals and n normals moved by <paramref name="shift"/>.</summary>
    private static ColumnDrift CompareShifted(int n, double shift, int seed)
    {
        var rng = new Random(seed);
        var baseline = new MlOps.Validation.Statistics.ColumnProfile("x");
        var current = new MlOps.Validation.Statistics.ColumnProfile("x");
        for (var i = 0; i < n; i++)
        {
            baseline.AddNumber(Normal(rng), false);
            current.AddNumber(Normal(rng) + shift, false);
        }

        return DriftDetector.CompareColumn(baseline, current, new DriftOptions());
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
