using MlOps.Validation.Sketches;

namespace MlOps.Validation.Drift;

/// <summary>
/// The textbook drift statistics, as pure functions over weighted samples (numeric) or aligned
/// count vectors (categorical). Each one is verified in tests against values computed outside
/// this project.
/// </summary>
public static class DriftMetrics
{
    /// <summary>The proportion used in place of an empty bin in PSI (the common practice; Evidently uses the same).</summary>
    public const double PsiEpsilon = 1e-4;

    /// <summary>Two-sample Kolmogorov–Smirnov statistic: the largest gap between the two empirical CDFs.</summary>
    public static double KolmogorovSmirnov(WeightedSample a, WeightedSample b)
    {
        int i = 0, j = 0;
        long ca = 0, cb = 0;
        double d = 0;
        while (i < a.Values.Length || j < b.Values.Length)
        {
            var x = Math.Min(i < a.Values.Length ? a.Values[i] : double.PositiveInfinity, j < b.Values.Length ? b.Values[j] : double.PositiveInfinity);
            while (i < a.Values.Length && a.Values[i] <= x) ca += a.Weights[i++];
            while (j < b.Values.Length && b.Values[j] <= x) cb += b.Weights[j++];
            d = Math.Max(d, Math.Abs(((double)ca / a.TotalWeight) - ((double)cb / b.TotalWeight)));
        }

        return d;
    }

    /// <summary>
    /// The asymptotic p-value of a two-sample KS statistic: Q_KS((√Ne + 0.12 + 0.11/√Ne)·D) with
    /// Ne = nm/(n+m) (Stephens 1970; Press et al., Numerical Recipes, §14.3).
    /// </summary>
    public static double KolmogorovSmirnovPValue(double d, long n, long m)
    {
        var ne = (double)n * m / (n + m);
        var sqrt = Math.Sqrt(ne);
        return KolmogorovSurvival((sqrt + 0.12 + (0.11 / sqrt)) * d);
    }

    /// <summary>Q_KS(λ) = 2 Σ (−1)^(j−1) exp(−2 j² λ²), the Kolmogorov distribution's survival function.</summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (lambda < 0.2)
        {
            return 1;
        }

        double sum = 0, sign = 1;
        for (var j = 1; j <= 100; j++)
        {
            var term = sign * Math.Exp(-2 * j * j * lambda * lambda);
            sum += term;
            if (Math.Abs(term) < 1e-12 * Math.Abs(sum)) break;
            sign = -sign;
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>
    /// First Wasserstein (earth mover's) distance between two empirical distributions:
    /// ∫ |F_a(x) − F_b(x)| dx.
    /// </summary>
    public static double Wasserstein(WeightedSample a, WeightedSample b)
    {
        int i = 0, j = 0;
        long ca = 0, cb = 0;
        double total = 0;
        var previous = double.NaN;
        double gap = 0;
        while (i < a.Values.Length || j < b.Values.Length)
        {
            var x = Math.Min(i < a.Values.Length ? a.Values[i] : double.PositiveInfinity, j < b.Values.Length ? b.Values[j] : double.PositiveInfinity);
            if (!double.IsNaN(previous)) total += gap * (x - previous);
            while (i < a.Values.Length && a.Values[i] <= x) ca += a.Weights[i++];
            while (j < b.Values.Length && b.Values[j] <= x) cb += b.Weights[j++];
            gap = Math.Abs(((double)ca / a.TotalWeight) - ((double)cb / b.TotalWeight));
            previous = x;
        }

        return total;
    }

    /// <summary>
    /// Bin edges at the baseline's quantiles 1/bins … (bins−1)/bins, duplicates removed: each
    /// baseline bin holds about the same share, the usual construction for PSI.
    /// </summary>
    public static double[] QuantileEdges(WeightedSample baseline, int bins = 10)
    {
        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            var e = baseline.Quantile((double)i / bins);
            if (edges.Count == 0 || e > edges[^1]) edges.Add(e);
        }

        return edges.ToArray();
    }

    /// <summary>The share of a sample in each bin (−∞, e1], (e1, e2], …, (e_last, ∞).</summary>
    public static double[] BinShares(WeightedSample sample, double[] edges)
    {
        var shares = new double[edges.Length + 1];
        double previous = 0;
        for (var i = 0; i < edges.Length; i++)
        {
            var cdf = sample.Cdf(edges[i]);
            shares[i] = cdf - previous;
            previous = cdf;
        }

        shares[^1] = 1 - previous;
        return shares;
    }

    /// <summary>
    /// Population stability index: Σ (a − e)·ln(a / e) over bins, with empty bins set to
    /// <see cref="PsiEpsilon"/>. Rule of thumb: below 0.1 stable, 0.1–0.2 moderate, above 0.2 major shift.
    /// </summary>
    public static double PopulationStabilityIndex(double[] expected, double[] actual)
    {
        double psi = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var e = Math.Max(expected[i], PsiEpsilon);
            var a = Math.Max(actual[i], PsiEpsilon);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }

    /// <summary>
    /// Jensen–Shannon distance with base-2 logarithms (the square root of the divergence), in
    /// [0, 1]; the same figure as scipy.spatial.distance.jensenshannon(p, q, base=2).
    /// </summary>
    public static double JensenShannonDistance(double[] p, double[] q)
    {
        double sp = p.Sum(), sq = q.Sum();
        double divergence = 0;
        for (var i = 0; i < p.Length; i++)
        {
            double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2;
            if (a > 0) divergence += 0.5 * a * Math.Log2(a / m);
            if (b > 0) divergence += 0.5 * b * Math.Log2(b / m);
        }

        return Math.Sqrt(Math.Max(0, divergence));
    }

    /// <summary>L-infinity distance between two distributions: the largest change in any category's share (TFDV's measure).</summary>
    public static double LInfinity(double[] p, double[] q)
    {
        double sp = p.Sum(), sq = q.Sum(), d = 0;
        for (var i = 0; i < p.Length; i++)
        {
            d = Math.Max(d, Math.Abs((p[i] / sp) - (q[i] / sq)));
        }

        return d;
    }

    /// <summary>
    /// Pearson's chi-square test of homogeneity on a 2×k table of counts, without continuity
    /// correction; categories empty in both samples are dropped. Returns the statistic, degrees
    /// of freedom and p-value.
    /// </summary>
    public static (double Statistic, int DegreesOfFreedom, double PValue) ChiSquare(double[] a, double[] b)
    {
        double na = a.Sum(), nb = b.Sum(), n = na + nb, chi = 0;
        var k = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var column = a[i] + b[i];
            if (column == 0) continue;
            k++;
            var ea = column * na / n;
            var eb = column * nb / n;
            chi += ((a[i] - ea) * (a[i] - ea) / ea) + ((b[i] - eb) * (b[i] - eb) / eb);
        }

        var df = Math.Max(1, k - 1);
        return (chi, df, k < 2 ? 1 : SpecialFunctions.ChiSquareSurvival(chi, df));
    }
}
