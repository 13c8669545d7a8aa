using System.Buffers.Binary;

namespace MlOps.Validation.Statistics;

/// <summary>
/// The exact numeric value counts of a column in stats.json, packed: ascending values as 8-byte
/// little-endian doubles, each followed by its count as a base-128 varint (about 10 bytes a value,
/// a third of the JSON pairs it replaces).
/// </summary>
internal static class ValueCounts
{
    /// <summary>
    /// Equality of doubles with a well-mixed hash. double.GetHashCode folds the two halves of the
    /// bits together, and decimal data (prices with 2 or 3 decimals) then collides so often that
    /// a 65,536-value count costs microseconds per cell instead of nanoseconds.
    /// </summary>
    public static readonly IEqualityComparer<double> Comparer = new MixedDoubleComparer();
    /// <summary>Packs the counts, ascending by value.</summary>
    public static byte[] Pack(IReadOnlyDictionary<double, long> counts)
    {
        var buffer = new byte[counts.Count * 18];
        var n = 0;
        foreach (var (value, count) in counts.OrderBy(kv => kv.Key))
        {
            BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(n), value);
            n += 8;
            for (var c = (ulong)count; ; c >>= 7)
            {
                if (c < 0x80)
                {
                    buffer[n++] = (byte)c;
                    break;
                }

                buffer[n++] = (byte)(c | 0x80);
            }
        }

        return buffer[..n];
    }

    /// <summary>Unpacks counts written by <see cref="Pack"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not packed counts: truncated, unsorted, non-finite or more than <paramref name="limit"/> values.</exception>
    public static Dictionary<double, long> Unpack(ReadOnlySpan<byte> packed, int limit)
    {
        var counts = new Dictionary<double, long>(Comparer);
        var previous = double.NegativeInfinity;
        var i = 0;
        while (i < packed.Length)
        {
            if (packed.Length - i < 9) throw new InvalidDataException("the packed value counts are truncated");
            var value = BinaryPrimitives.ReadDoubleLittleEndian(packed[i..]);
            i += 8;
            if (!double.IsFinite(value) || value <= previous) throw new InvalidDataException("the packed value counts are not ascending finite numbers");
            ulong count = 0;
            for (var shift = 0; ; shift += 7)
            {
                if (i >= packed.Length || shift > 56) throw new InvalidDataException("a packed value count is truncated");
                var b = packed[i++];
                count |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) break;
            }

            if (count is 0 or > long.MaxValue) throw new InvalidDataException("a packed value count is not a positive count");
            counts[value] = (long)count;
            previous = value;
            if (counts.Count > limit) throw new InvalidDataException($"the packed value counts hold more than exactValues ({limit}) values");
        }

        return counts;
    }

    private sealed class MixedDoubleComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => x.Equals(y);

        public int GetHashCode(double value) => (int)Sketches.HyperLogLog.HashDouble(value);
    }
}
