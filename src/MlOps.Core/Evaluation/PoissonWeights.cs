using System.Runtime.CompilerServices;

namespace MlOps.Evaluation;

/// <summary>
/// Poisson(1) draw counts for a bootstrap resample: row i is drawn k times with probability
/// e⁻¹/k!, independently (the Poisson bootstrap: the same intervals as drawing n rows with
/// replacement for any n worth bootstrapping). A count is a pure function of (resample key, row):
/// a strong 32-bit mix of the row number and the key, read through the exact inverse CDF. So the
/// candidate and the baseline, walking their rows in different orders, see the same counts;
/// nothing is stored per row, and results do not depend on threads or on which resample runs first.
/// </summary>
internal static class PoissonWeights
{
    private const byte Straddles = 255;

    // P(K ≤ k) × 2³² for K ~ Poisson(1); a uniform at or above the last is 12 (P < 1e-9).
    private static readonly uint[] Cumulative = BuildCumulative();

    // The count for each of the 65,536 top-16-bit buckets of the uniform, or Straddles for the
    // dozen buckets a threshold cuts, which are then resolved exactly against Cumulative.
    private static readonly byte[] Buckets = BuildBuckets();

    /// <summary>The key of resample <paramref name="resample"/> under <paramref name="seed"/>.</summary>
    public static uint Key(int seed, int resample)
    {
        var z = unchecked(((ulong)(uint)seed << 32) | (uint)resample) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(z ^ (z >> 31));
    }

    /// <summary>How many times resample <paramref name="key"/> draws row <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Weight(uint key, int row)
    {
        // lowbias32 (Wellons): a bijective mix with low bias, fed the row on a Weyl sequence.
        var x = unchecked(((uint)row * 0x9E3779B9u) + key);
        x ^= x >> 16;
        x = unchecked(x * 0x7FEB352Du);
        x ^= x >> 15;
        x = unchecked(x * 0x846CA68Bu);
        x ^= x >> 16;
        var k = Buckets[x >> 16];
        return k != Straddles ? k : Exact(x);
    }

    /// <summary>Fills <paramref name="weights"/> with the counts of resample <paramref name="key"/> for rows 0, 1, ...</summary>
    public static void Fill(Span<int> weights, uint key)
    {
        for (var i = 0; i < weights.Length; i++) weights[i] = Weight(key, i);
    }

    private static int Exact(uint u)
    {
        var k = 0;
        while (k < Cumulative.Length && u >= Cumulative[k]) k++;
        return k;
    }

    private static uint[] BuildCumulative()
    {
        var table = new uint[12];
        double p = Math.Exp(-1), sum = 0;
        for (var k = 0; k < table.Length; k++)
        {
            sum += p;
            table[k] = (uint)Math.Min(uint.MaxValue, Math.Floor(sum * 4294967296.0));
            p /= k + 1;
        }

        return table;
    }

    private static byte[] BuildBuckets()
    {
        var buckets = new byte[65536];
        for (var b = 0; b < buckets.Length; b++)
        {
            var low = Exact((uint)b << 16);
            var high = Exact(((uint)b << 16) | 0xFFFF);
            buckets[b] = low == high ? (byte)low : Straddles;
        }

        return buckets;
    }
}
