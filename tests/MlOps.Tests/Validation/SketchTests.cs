using System.IO.Hashing;
using System.Text;
using MlOps.Validation.Sketches;

namespace MlOps.Tests.Validation;

public class SketchTests
{
    [Fact]
    public void Kll_is_exact_for_small_inputs_with_numpy_linear_quantiles()
    {
        var k = new KllSketch();
        foreach (var v in new double[] { 5, 1, 4, 2, 3 }) k.Add(v);
        var s = k.ToSample();
        Assert.True(k.IsExact);
        Assert.Equal(3, s.Quantile(0.5));
        Assert.Equal(2, s.Quantile(0.25));
        Assert.Equal(1.4, s.Quantile(0.1), 12);   // numpy.quantile([1..5], 0.1) == 1.4
        Assert.Equal(0.6, s.Cdf(3.5), 12);
    }

    [Fact]
    public void Kll_rank_error_stays_within_two_percent_on_a_million_values()
    {
        var k = new KllSketch();
        var rng = new Random(3);
        var values = new double[1_000_000];
        for (var i = 0; i < values.Length; i++) k.Add(values[i] = rng.NextDouble());
        var s = k.ToSample();
        Array.Sort(values);
        foreach (var q in new[] { 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99 })
        {
            var estimate = s.Quantile(q);
            var rank = (double)Array.BinarySearch(values, estimate) / values.Length;
            Assert.InRange(Math.Abs(rank) - q, -0.02, 0.02);
        }

        Assert.Equal(1_000_000, k.Count);
        Assert.True(s.Values.Length < 5000, $"retained {s.Values.Length} values");
    }

    [Fact]
    public void Kll_merge_equals_a_single_pass_while_exact_and_is_accurate_after()
    {
        var a = new KllSketch();
        var b = new KllSketch();
        var all = new KllSketch();
        for (var i = 0; i < 100_000; i++)
        {
            (i % 2 == 0 ? a : b).Add(i);
            all.Add(i);
        }

        a.Merge(b);
        Assert.Equal(100_000, a.Count);
        Assert.Equal(all.ToSample().Quantile(0.5), a.ToSample().Quantile(0.5), 100_000 * 0.02);
    }

    [Fact]
    public void HyperLogLog_estimates_within_five_percent_and_merges()
    {
        var a = new HyperLogLog();
        var b = new HyperLogLog();
        for (var i = 0; i < 50_000; i++) a.AddHash(Hash(i));
        for (var i = 25_000; i < 100_000; i++) b.AddHash(Hash(i));
        Assert.InRange(a.Estimate(), 47_500, 52_500);
        a.Merge(b);
        Assert.InRange(a.Estimate(), 95_000, 105_000);
        var small = new HyperLogLog();
        for (var i = 0; i < 100; i++) small.AddHash(Hash(i % 10));
        Assert.Equal(10, small.Estimate());
    }

    [Fact]
    public void Frequent_items_are_exact_until_capacity_and_keep_heavy_hitters_after()
    {
        var f = new FrequentItems(capacity: 16);
        for (var i = 0; i < 10_000; i++)
        {
            f.Add(i % 3 == 0 ? "heavy" : "rare-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.False(f.IsExact);
        var top = f.Entries()[0];
        Assert.Equal("heavy", top.Key);
        Assert.InRange(top.Value, 3334 - f.MaxError, 3334);

        var exact = new FrequentItems(capacity: 16);
        foreach (var s in new[] { "a", "b", "a", "c", "a" }) exact.Add(s);
        Assert.True(exact.IsExact);
        Assert.Equal([new("a", 3), new("b", 1), new("c", 1)], exact.Entries());
    }

    [Fact]
    public void Moments_merge_like_one_pass()
    {
        var all = Moments.Empty;
        var left = Moments.Empty;
        var right = Moments.Empty;
        for (var i = 1; i <= 1000; i++)
        {
            all.Add(i * 0.5);
            if (i <= 300) left.Add(i * 0.5);
            else right.Add(i * 0.5);
        }

        left.Merge(right);
        Assert.Equal(all.Mean, left.Mean, 10);
        Assert.Equal(all.SampleStdDev, left.SampleStdDev, 10);
        Assert.Equal(144.4097180478747, all.SampleStdDev, 9); // Python statistics.stdev of the same values
    }

    private static ulong Hash(int i) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
