using System.Numerics;

namespace MlOps.Validation.Sketches;

/// <summary>
/// Distinct-count sketch (Flajolet et al. 2007, with linear counting for small cardinalities as
/// in Heule et al. 2013). 2^12 one-byte registers: 4 KiB per column, about 1.6% standard error,
/// mergeable by taking the register-wise maximum.
/// </summary>
public sealed class HyperLogLog
{
    /// <summary>Index bits.</summary>
    public const int Precision = 12;

    private const int M = 1 << Precision;
    private readonly byte[] _registers;

    /// <summary>Creates an empty sketch.</summary>
    public HyperLogLog() => _registers = new byte[M];

    private HyperLogLog(byte[] registers) => _registers = registers;

    /// <summary>The registers, for serialization.</summary>
    internal ReadOnlySpan<byte> Registers => _registers;

    /// <summary>Adds an already well-mixed 64-bit hash.</summary>
    public void AddHash(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rest = (hash << Precision) | (1UL << (Precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    /// <summary>Folds another sketch into this one.</summary>
    public void Merge(HyperLogLog other)
    {
        for (var i = 0; i < M; i++)
        {
            if (other._registers[i] > _registers[i])
            {
                _registers[i] = other._registers[i];
            }
        }
    }

    /// <summary>The estimated number of distinct values added.</summary>
    public long Estimate()
    {
        double sum = 0;
        var zeros = 0;
        foreach (var r in _registers)
        {
            sum += 1.0 / (1UL << r);
            if (r == 0) zeros++;
        }

        var alpha = 0.7213 / (1 + (1.079 / M));
        var raw = alpha * M * M / sum;
        if (raw <= 2.5 * M && zeros > 0)
        {
            raw = M * Math.Log((double)M / zeros);
        }

        return (long)Math.Round(raw);
    }

    /// <summary>Rebuilds a sketch from serialized registers.</summary>
    internal static HyperLogLog Restore(byte[] registers)
    {
        if (registers.Length != M)
        {
            throw new InvalidDataException($"the distinct-count sketch has {registers.Length} registers; expected {M}.");
        }

        return new HyperLogLog(registers);
    }

    /// <summary>A 64-bit mix of a double (splitmix64 finalizer), with 0.0 and -0.0 equal.</summary>
    public static ulong HashDouble(double value)
    {
        var z = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
