using System.Numerics;

namespace MlOps.Validation.Sketches;

/// <summary>
/// Distinct-count sketch (Flajolet et al. 2007, with linear counting for small cardinalities as
/// in Heule et al. 2013). 2^12 one-byte registers: 4 KiB per column, about 1.6% standard error,
/// mergeable by taking the register-wise maximum. Like HyperLogLog++'s sparse mode, a sketch
/// starts as the set of distinct hashes (exact) and becomes registers only past
/// <see cref="SparseLimit"/> of them, so a column with few values (every column of a wide
/// table) costs bytes, not kilobytes.
/// </summary>
public sealed class HyperLogLog
{
    /// <summary>Index bits.</summary>
    public const int Precision = 12;

    /// <summary>Distinct hashes kept exactly before the registers take over (2 KiB, half the registers' size).</summary>
    public const int SparseLimit = 256;

    private const int M = 1 << Precision;
    private byte[]? _registers;
    private ulong[]? _set = new ulong[8]; // open addressing; 0 marks an empty slot
    private bool _hasZero;
    private int _setCount;

    /// <summary>Creates an empty sketch.</summary>
    public HyperLogLog()
    {
    }

    private HyperLogLog(byte[] registers)
    {
        _registers = registers;
        _set = null;
    }

    /// <summary>Whether the sketch still holds its distinct hashes exactly.</summary>
    public bool IsSparse => _registers is null;

    /// <summary>The registers, for serialization (dense sketches only).</summary>
    internal ReadOnlySpan<byte> Registers => _registers ?? throw new InvalidOperationException("a sparse sketch has no registers; serialize its hashes.");

    /// <summary>The distinct hashes of a sparse sketch, ascending (for serialization).</summary>
    internal ulong[] Hashes()
    {
        var hashes = new List<ulong>(_setCount + 1);
        if (_hasZero) hashes.Add(0);
        foreach (var h in _set ?? []) if (h != 0) hashes.Add(h);
        hashes.Sort();
        return [.. hashes];
    }

    /// <summary>Adds an already well-mixed 64-bit hash.</summary>
    public void AddHash(ulong hash)
    {
        if (_registers is null)
        {
            AddSparse(hash);
            return;
        }

        AddDense(_registers, hash);
    }

    private void AddSparse(ulong hash)
    {
        if (hash == 0)
        {
            if (!_hasZero) _setCount++;
            _hasZero = true;
        }
        else
        {
            var set = _set!;
            var mask = set.Length - 1;
            var slot = (int)(hash & (ulong)mask);
            while (set[slot] != 0)
            {
                if (set[slot] == hash) return;
                slot = (slot + 1) & mask;
            }

            set[slot] = hash;
            _setCount++;
            if (_setCount * 2 > set.Length && set.Length < SparseLimit * 2) Resize(set.Length * 2);
        }

        if (_setCount > SparseLimit) Densify();
    }

    private void Resize(int slots)
    {
        var old = _set!;
        _set = new ulong[slots];
        _setCount = _hasZero ? 1 : 0;
        foreach (var h in old) if (h != 0) AddSparse(h);
    }

    private void Densify()
    {
        var registers = new byte[M];
        if (_hasZero) AddDense(registers, 0);
        foreach (var h in _set!) if (h != 0) AddDense(registers, h);
        _registers = registers;
        _set = null;
    }

    private static void AddDense(byte[] registers, ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rest = (hash << Precision) | (1UL << (Precision - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        if (rank > registers[index])
        {
            registers[index] = rank;
        }
    }

    /// <summary>Folds another sketch into this one.</summary>
    public void Merge(HyperLogLog other)
    {
        if (other._registers is null)
        {
            foreach (var h in other.Hashes()) AddHash(h);
            return;
        }

        if (_registers is null) Densify();
        for (var i = 0; i < M; i++)
        {
            if (other._registers[i] > _registers![i])
            {
                _registers[i] = other._registers[i];
            }
        }
    }

    /// <summary>The estimated number of distinct values added (exact while sparse).</summary>
    public long Estimate()
    {
        if (_registers is null) return _setCount;
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

    /// <summary>Rebuilds a sparse sketch from its serialized distinct hashes.</summary>
    internal static HyperLogLog RestoreHashes(ReadOnlySpan<byte> packed)
    {
        if (packed.Length % 8 != 0 || packed.Length / 8 > SparseLimit)
        {
            throw new InvalidDataException($"the distinct-count sketch's hash list is {packed.Length} bytes; expected up to {SparseLimit} 8-byte hashes.");
        }

        var sketch = new HyperLogLog();
        for (var i = 0; i < packed.Length; i += 8) sketch.AddHash(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(packed[i..]));
        return sketch;
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
