namespace MlOps.Validation.Sketches;

/// <summary>
/// A mergeable quantile sketch (Karnin, Lang and Liberty, "Optimal Quantile Approximation in
/// Streams", 2016). It keeps every value while a column has at most <see cref="ExactLimit"/> of
/// them, so small datasets get exact quantiles, CDFs and drift figures; past that, a KLL compactor
/// hierarchy with parameter k keeps memory at about 3k values with rank error near 1.7/k.
/// Compaction coins come from a seeded generator, so the same input in the same order always
/// gives the same sketch.
/// </summary>
public sealed class KllSketch
{
    /// <summary>Values kept exactly before the sketch starts compacting.</summary>
    public const int ExactLimit = 4096;

    /// <summary>The default accuracy parameter.</summary>
    public const int DefaultK = 256;

    private const double C = 2.0 / 3.0;
    private readonly List<List<double>> _levels = [];
    private ulong _rng;
    private int _size;
    private int _maxSize;

    /// <summary>Creates an empty sketch.</summary>
    public KllSketch(int k = DefaultK, ulong seed = 0x9E3779B97F4A7C15UL)
    {
        if (k < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 8.");
        }

        K = k;
        _rng = seed == 0 ? 1 : seed;
        Grow();
    }

    /// <summary>The accuracy parameter.</summary>
    public int K { get; }

    /// <summary>How many values were added (the total weight).</summary>
    public long Count { get; private set; }

    /// <summary>True while every value added is still held exactly.</summary>
    public bool IsExact => _levels.Count == 1 && Count <= ExactLimit;

    /// <summary>The state of the coin generator, for serialization.</summary>
    internal ulong RngState => _rng;

    /// <summary>The retained values by level (level h values each stand for 2^h values).</summary>
    internal IReadOnlyList<IReadOnlyList<double>> Levels => _levels;

    /// <summary>Adds one value.</summary>
    public void Add(double value)
    {
        _levels[0].Add(value);
        _size++;
        Count++;
        if (_size >= _maxSize && Count > ExactLimit)
        {
            Compress();
        }
    }

    /// <summary>
    /// The normalized rank error a sketch with parameter <paramref name="k"/> stays within (99 %
    /// confidence): Apache DataSketches' empirical fit for KLL, 2.296 / k^0.9723 (about 1 % at
    /// k = 256). Stored in stats.json and shown next to drift scores read from a sketch.
    /// </summary>
    public static double RankErrorBound(int k) => 2.296 / Math.Pow(k, 0.9723);

    /// <summary>Folds another sketch into this one; the result summarizes both inputs.</summary>
    public void Merge(KllSketch other)
    {
        while (_levels.Count < other._levels.Count)
        {
            Grow();
        }

        for (var h = 0; h < other._levels.Count; h++)
        {
            _levels[h].AddRange(other._levels[h]);
        }

        Count += other.Count;
        _size = _levels.Sum(l => l.Count);
        _rng ^= other._rng;
        if (_rng == 0) _rng = 1;
        if (Count > ExactLimit || _levels.Count > 1)
        {
            while (_size >= _maxSize)
            {
                Compress();
            }
        }
    }

    /// <summary>Rebuilds a sketch from its serialized parts.</summary>
    /// <exception cref="InvalidDataException">The parts cannot come from a real sketch (checked before any work, so a crafted file is refused at once).</exception>
    internal static KllSketch Restore(int k, long count, ulong rng, IReadOnlyList<double[]> levels)
    {
        if (k is < 8 or > 65536) throw new InvalidDataException($"the quantile sketch's k is {k}; expected 8 to 65536.");
        if (count < 0) throw new InvalidDataException($"the quantile sketch claims {count} values.");

        // A level h item stands for 2^h values: more than 62 levels cannot be counted in a long.
        if (levels.Count > 62) throw new InvalidDataException($"the quantile sketch has {levels.Count} levels; a real one has at most 62.");
        if (levels.Any(l => l is null || l.Length > 4 * k)) throw new InvalidDataException($"a level of the quantile sketch is missing or holds more than {4 * k} values.");
        var sketch = new KllSketch(k, rng);
        while (sketch._levels.Count < levels.Count)
        {
            sketch.Grow();
        }

        for (var h = 0; h < levels.Count; h++)
        {
            sketch._levels[h].AddRange(levels[h]);
        }

        long weight = 0;
        for (var h = 0; h < levels.Count; h++)
        {
            weight += (long)levels[h].Length << h;
        }

        if (weight != count)
        {
            throw new InvalidDataException($"the quantile sketch holds weight {weight} but claims {count} values.");
        }

        sketch.Count = count;
        sketch._size = levels.Sum(l => l.Length);
        return sketch;
    }

    /// <summary>The retained values sorted, with the weight each stands for.</summary>
    public WeightedSample ToSample()
    {
        var values = new double[_size];
        var weights = new long[_size];
        var n = 0;
        for (var h = 0; h < _levels.Count; h++)
        {
            foreach (var v in _levels[h])
            {
                values[n] = v;
                weights[n++] = 1L << h;
            }
        }

        Array.Sort(values, weights);
        return new WeightedSample(values, weights);
    }

    private void Grow()
    {
        _levels.Add([]);
        _maxSize = 0;
        for (var h = 0; h < _levels.Count; h++)
        {
            _maxSize += Capacity(h);
        }
    }

    private int Capacity(int height)
    {
        var depth = _levels.Count - height - 1;
        return Math.Max(2, (int)Math.Ceiling(K * Math.Pow(C, depth)) + 1);
    }

    private void Compress()
    {
        for (var h = 0; h < _levels.Count; h++)
        {
            if (_levels[h].Count < Capacity(h))
            {
                continue;
            }

            if (h + 1 >= _levels.Count)
            {
                Grow();
            }

            Compact(_levels[h], _levels[h + 1]);
            _size = 0;
            foreach (var level in _levels)
            {
                _size += level.Count;
            }

            if (_size < _maxSize)
            {
                break;
            }
        }
    }

    private void Compact(List<double> level, List<double> up)
    {
        level.Sort();
        var odd = level.Count % 2;
        var offset = (int)(NextRandom() & 1);
        for (var i = odd; i + 1 < level.Count; i += 2)
        {
            up.Add(level[i + offset]);
        }

        // An odd count leaves the smallest value behind at this level; weight is preserved.
        if (odd == 1)
        {
            var keep = level[0];
            level.Clear();
            level.Add(keep);
        }
        else
        {
            level.Clear();
        }
    }

    private ulong NextRandom()
    {
        // xorshift64*: tiny, fast and deterministic.
        _rng ^= _rng >> 12;
        _rng ^= _rng << 25;
        _rng ^= _rng >> 27;
        return (_rng * 2685821657736338717UL) >> 32;
    }
}
