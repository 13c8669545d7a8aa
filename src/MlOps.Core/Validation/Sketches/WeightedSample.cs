namespace MlOps.Validation.Sketches;

/// <summary>
/// Sorted values, each standing for a number of original values. This is what every numeric
/// statistic and drift score is computed from, so a dataset and its stats.json give the same
/// figures.
/// </summary>
public sealed class WeightedSample
{
    private readonly long[] _cumulative;

    /// <summary>Creates a sample from values sorted ascending and their weights.</summary>
    public WeightedSample(double[] sortedValues, long[] weights)
    {
        Values = sortedValues;
        Weights = weights;
        _cumulative = new long[weights.Length];
        long total = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            _cumulative[i] = total;
        }

        TotalWeight = total;
    }

    /// <summary>The values, ascending.</summary>
    public double[] Values { get; }

    /// <summary>The weight of each value.</summary>
    public long[] Weights { get; }

    /// <summary>The number of original values.</summary>
    public long TotalWeight { get; }

    /// <summary>The fraction of values at or below <paramref name="x"/> (the empirical CDF).</summary>
    public double Cdf(double x)
    {
        if (TotalWeight == 0)
        {
            return 0;
        }

        // Upper bound: index of the first value greater than x.
        int lo = 0, hi = Values.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Values[mid] <= x) lo = mid + 1;
            else hi = mid;
        }

        return lo == 0 ? 0 : (double)_cumulative[lo - 1] / TotalWeight;
    }

    /// <summary>
    /// The q-quantile with linear interpolation between order statistics, the default of numpy
    /// and R (type 7); exact when every weight is 1.
    /// </summary>
    public double Quantile(double q)
    {
        if (TotalWeight == 0)
        {
            return double.NaN;
        }

        var position = Math.Clamp(q, 0, 1) * (TotalWeight - 1);
        var below = (long)Math.Floor(position);
        var fraction = position - below;
        var a = ValueAtRank(below);
        if (fraction == 0)
        {
            return a;
        }

        var b = ValueAtRank(below + 1);
        return a + (fraction * (b - a));
    }

    /// <summary>The value of the original sorted sequence at a 0-based rank.</summary>
    private double ValueAtRank(long rank)
    {
        int lo = 0, hi = _cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_cumulative[mid] > rank) hi = mid;
            else lo = mid + 1;
        }

        return Values[lo];
    }
}
