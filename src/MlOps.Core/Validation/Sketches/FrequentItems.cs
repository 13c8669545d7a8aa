using System.IO.Hashing;
using System.Text;

namespace MlOps.Validation.Sketches;

/// <summary>
/// Counts of text values, exact until more than <see cref="Capacity"/> distinct values appear;
/// after that a Misra–Gries summary (with the median purge of Apache DataSketches' frequent-items
/// sketch) keeps the heavy hitters, each count an underestimate by at most <see cref="MaxError"/>.
/// Keys are compared as UTF-8 bytes, so counting allocates only when a new value is kept.
/// </summary>
public sealed class FrequentItems
{
    /// <summary>The default number of distinct values tracked.</summary>
    public const int DefaultCapacity = 1024;

    private byte[]?[] _keys;
    private ulong[] _hashes;
    private long[] _counts;
    private int _used;

    private readonly int _maxSlots;

    /// <summary>Creates an empty summary; its table starts small and doubles as values arrive (a wide table's columns stay cheap).</summary>
    public FrequentItems(int capacity = DefaultCapacity)
    {
        Capacity = capacity;
        _maxSlots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity * 2);
        var slots = Math.Min(16, _maxSlots);
        _keys = new byte[slots][];
        _hashes = new ulong[slots];
        _counts = new long[slots];
    }

    /// <summary>How many distinct values are tracked at most.</summary>
    public int Capacity { get; }

    /// <summary>True while every value's count is exact (no purge has happened).</summary>
    public bool IsExact => MaxError == 0;

    /// <summary>The largest amount any reported count may be below the true count.</summary>
    public long MaxError { get; private set; }

    /// <summary>The number of distinct values currently tracked.</summary>
    public int Tracked => _used;

    /// <summary>Counts one occurrence of a UTF-8 value whose 64-bit hash is known.</summary>
    public void Add(ReadOnlySpan<byte> utf8, ulong hash, long count = 1)
    {
        var mask = _keys.Length - 1;
        var slot = (int)(hash & (ulong)mask);
        while (true)
        {
            var key = _keys[slot];
            if (key is null)
            {
                break;
            }

            if (_hashes[slot] == hash && utf8.SequenceEqual(key))
            {
                _counts[slot] += count;
                return;
            }

            slot = (slot + 1) & mask;
        }

        if (_used == Capacity)
        {
            var remaining = Purge(count);
            if (remaining > 0)
            {
                Add(utf8, hash, remaining); // the purge made room
            }

            return;
        }

        if ((_used + 1) * 2 > _keys.Length && _keys.Length < _maxSlots)
        {
            Rehash(_keys.Length * 2);
            Add(utf8, hash, count);
            return;
        }

        _keys[slot] = utf8.ToArray();
        _hashes[slot] = hash;
        _counts[slot] = count;
        _used++;
    }

    /// <summary>Counts one occurrence of a string value.</summary>
    public void Add(string value, long count = 1)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Add(bytes, XxHash3.HashToUInt64(bytes), count);
    }

    /// <summary>Folds another summary into this one.</summary>
    public void Merge(FrequentItems other)
    {
        MaxError += other.MaxError;
        foreach (var (key, count) in other.Entries())
        {
            Add(key, count);
        }
    }

    /// <summary>Every tracked value with its count, most frequent first, ties in ordinal order.</summary>
    public List<KeyValuePair<string, long>> Entries()
    {
        var list = new List<KeyValuePair<string, long>>(_used);
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] is { } key)
            {
                list.Add(new KeyValuePair<string, long>(Encoding.UTF8.GetString(key), _counts[i]));
            }
        }

        list.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    /// <summary>Rebuilds a summary from serialized entries.</summary>
    internal static FrequentItems Restore(int capacity, long maxError, IEnumerable<KeyValuePair<string, long>> entries)
    {
        var items = new FrequentItems(capacity);
        foreach (var (key, count) in entries)
        {
            items.Add(key, count);
        }

        items.MaxError += maxError;
        return items;
    }

    private void Rehash(int slots)
    {
        var keys = _keys;
        var hashes = _hashes;
        var counts = _counts;
        _keys = new byte[slots][];
        _hashes = new ulong[slots];
        _counts = new long[slots];
        var mask = slots - 1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null) continue;
            var slot = (int)(hashes[i] & (ulong)mask);
            while (_keys[slot] is not null) slot = (slot + 1) & mask;
            _keys[slot] = keys[i];
            _hashes[slot] = hashes[i];
            _counts[slot] = counts[i];
        }
    }

    /// <summary>
    /// Subtracts the median count (at least the incoming count's share) from every counter and
    /// drops those that reach zero: at least half the slots free up, so the cost stays amortized O(1).
    /// </summary>
    private long Purge(long incoming)
    {
        var counts = new long[_used + 1];
        var n = 0;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] is not null) counts[n++] = _counts[i];
        }

        counts[n++] = incoming;
        Array.Sort(counts, 0, n);
        var delta = counts[n / 2];
        MaxError += delta;

        var keys = _keys;
        var hashes = _hashes;
        var old = _counts;
        _keys = new byte[keys.Length][];
        _hashes = new ulong[keys.Length];
        _counts = new long[keys.Length];
        _used = 0;
        var mask = _keys.Length - 1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null || old[i] - delta <= 0)
            {
                continue;
            }

            var slot = (int)(hashes[i] & (ulong)mask);
            while (_keys[slot] is not null) slot = (slot + 1) & mask;
            _keys[slot] = keys[i];
            _hashes[slot] = hashes[i];
            _counts[slot] = old[i] - delta;
            _used++;
        }

        return incoming - delta;
    }
}
