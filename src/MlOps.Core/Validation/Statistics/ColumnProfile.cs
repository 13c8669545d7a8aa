using System.IO.Hashing;
using MlOps.Validation.Sketches;

namespace MlOps.Validation.Statistics;

/// <summary>
/// Everything one pass learns about one column, in mergeable form: counts, moments, a quantile
/// sketch, a distinct-count sketch and frequent values. Adding a cell allocates nothing.
/// </summary>
public sealed class ColumnProfile
{
    /// <summary>
    /// Distinct numeric values counted exactly before the column is left to the quantile sketch
    /// (<c>validate.exact-values</c>): up to this, KS, PSI, JS, Wasserstein and quantiles are exact.
    /// </summary>
    public const int DefaultExactValues = 65_536;

    private Dictionary<double, long>? _numberCounts = new(ValueCounts.Comparer);

    /// <summary>Creates an empty profile for a column.</summary>
    /// <param name="name">The column name.</param>
    /// <param name="exactValues">Distinct numeric values counted exactly; beyond it the KLL sketch alone describes the column.</param>
    public ColumnProfile(string name, int exactValues = DefaultExactValues)
    {
        Name = name;
        ExactValues = exactValues;
    }

    /// <summary>Distinct numeric values counted exactly before the counts are dropped.</summary>
    public int ExactValues { get; }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>Cells that are missing (empty, null, missing tokens, or absent).</summary>
    public long Missing { get; internal set; }

    /// <summary>Numeric cells (integers and reals).</summary>
    public long Numbers { get; internal set; }

    /// <summary>Numeric cells that were written as integers.</summary>
    public long Integers { get; internal set; }

    /// <summary>Cells that read true or false.</summary>
    public long Booleans { get; internal set; }

    /// <summary>Cells that read true.</summary>
    public long Trues { get; internal set; }

    /// <summary>Cells that are neither numbers nor booleans.</summary>
    public long Texts { get; internal set; }

    /// <summary>Date and timestamp cells (their seconds since the epoch feed the moments and quantiles).</summary>
    public long Times { get; internal set; }

    /// <summary>Time cells that are dates without a time of day.</summary>
    public long Dates { get; internal set; }

    /// <summary>Time cells with a zone or offset (instants in UTC); the rest are naive wall-clock times.</summary>
    public long ZonedTimes { get; internal set; }

    /// <summary>Numeric cells equal to zero.</summary>
    public long Zeros { get; internal set; }

    /// <summary>Cells that read NaN or an infinity.</summary>
    public long NonFinite { get; internal set; }

    /// <summary>Where the first NaN or infinity was seen (file, row), for the error message.</summary>
    public (string File, long Row)? FirstNonFinite { get; internal set; }

    /// <summary>Mean, variance and range of the numeric cells.</summary>
    public Moments Moments = Moments.Empty;

    /// <summary>Quantiles of the numeric cells.</summary>
    public KllSketch Quantiles { get; internal set; } = new();

    /// <summary>Distinct values of all present cells.</summary>
    public HyperLogLog Distinct { get; internal set; } = new();

    /// <summary>Counts of text and boolean values.</summary>
    public FrequentItems TextCounts { get; internal set; } = new();

    /// <summary>Counts of numeric values while there are few distinct ones (null once there are many).</summary>
    public IReadOnlyDictionary<double, long>? NumberCounts => _numberCounts;

    /// <summary>Present (non-missing) cells.</summary>
    public long Present => Numbers + Booleans + Texts + NonFinite + Times;

    /// <summary>All cells, present or missing.</summary>
    public long Count => Present + Missing;

    /// <summary>Records a numeric cell.</summary>
    public void AddNumber(double value, bool isInteger)
    {
        Numbers++;
        if (isInteger) Integers++;
        if (value == 0) Zeros++;
        AddValue(value);
    }

    /// <summary>Records a date or timestamp as seconds since the epoch.</summary>
    public void AddTime(double seconds, Data.TimeKind kind)
    {
        Times++;
        if (kind == Data.TimeKind.Date) Dates++;
        else if (kind == Data.TimeKind.Zoned) ZonedTimes++;
        AddValue(seconds);
    }

    /// <summary>The zone the time values share: Date, Naive or Zoned; null when they mix naive and zoned.</summary>
    public Data.TimeKind? TimeKind => Dates == Times ? Data.TimeKind.Date
        : ZonedTimes == 0 ? Data.TimeKind.Naive
        : ZonedTimes + Dates == Times ? Data.TimeKind.Zoned
        : null;

    // A numeric or time value: moments, quantiles, distinct values and exact counts.
    private void AddValue(double value)
    {
        Moments.Add(value);
        Quantiles.Add(value);
        Distinct.AddHash(HyperLogLog.HashDouble(value));
        if (_numberCounts is not null)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_numberCounts, value, out _);
            slot++;
            if (_numberCounts.Count > ExactValues)
            {
                _numberCounts = null; // a continuous column: the sketch describes it in bounded memory
            }
        }
    }

    /// <summary>Records a text cell.</summary>
    public void AddText(ReadOnlySpan<byte> utf8)
    {
        Texts++;
        var hash = XxHash3.HashToUInt64(utf8);
        Distinct.AddHash(hash);
        TextCounts.Add(utf8, hash);
    }

    /// <summary>Records a boolean cell.</summary>
    public void AddBoolean(bool value)
    {
        Booleans++;
        if (value) Trues++;
        var text = value ? "true"u8 : "false"u8;
        var hash = XxHash3.HashToUInt64(text);
        Distinct.AddHash(hash);
        TextCounts.Add(text, hash);
    }

    /// <summary>Records a NaN or infinity.</summary>
    public void AddNonFinite(ReadOnlySpan<byte> utf8, string file, long row)
    {
        NonFinite++;
        FirstNonFinite ??= (file, row);
        // Kept as text too: if the column turns out to be text, "NaN" is just a word.
        var hash = XxHash3.HashToUInt64(utf8);
        Distinct.AddHash(hash);
        TextCounts.Add(utf8, hash);
    }

    /// <summary>Folds a profile of the same column from another shard into this one.</summary>
    public void Merge(ColumnProfile other)
    {
        Missing += other.Missing;
        Numbers += other.Numbers;
        Integers += other.Integers;
        Booleans += other.Booleans;
        Trues += other.Trues;
        Texts += other.Texts;
        Zeros += other.Zeros;
        NonFinite += other.NonFinite;
        Times += other.Times;
        Dates += other.Dates;
        ZonedTimes += other.ZonedTimes;
        FirstNonFinite ??= other.FirstNonFinite;
        Moments.Merge(other.Moments);
        Quantiles.Merge(other.Quantiles);
        Distinct.Merge(other.Distinct);
        TextCounts.Merge(other.TextCounts);
        if (_numberCounts is not null && other._numberCounts is not null)
        {
            foreach (var (k, v) in other._numberCounts)
            {
                _numberCounts[k] = _numberCounts.GetValueOrDefault(k) + v;
            }

            if (_numberCounts.Count > Math.Min(ExactValues, other.ExactValues)) _numberCounts = null;
        }
        else
        {
            _numberCounts = null;
        }
    }

    /// <summary>Whether the numeric values are known exactly (every value counted), not through the sketch.</summary>
    public bool NumericExact => _numberCounts is not null || Quantiles.IsExact;

    /// <summary>
    /// The bound on the error of any rank (CDF value) read from <see cref="NumericSample"/>: 0 when
    /// exact, else the KLL sketch's bound. A KS statistic between two columns is off by at most
    /// the sum of their bounds.
    /// </summary>
    public double RankError => NumericExact ? 0 : KllSketch.RankErrorBound(Quantiles.K);

    /// <summary>
    /// The numeric values as a weighted sample: every distinct value with its count while the
    /// column has at most <see cref="ExactValues"/> of them, else the quantile sketch's sample.
    /// Every numeric statistic and drift score is read from it.
    /// </summary>
    public WeightedSample NumericSample()
    {
        if (_numberCounts is null || _numberCounts.Count == 0) return Quantiles.ToSample();
        var values = new double[_numberCounts.Count];
        var weights = new long[values.Length];
        var i = 0;
        foreach (var (value, count) in _numberCounts)
        {
            values[i] = value;
            weights[i++] = count;
        }

        Array.Sort(values, weights);
        return new WeightedSample(values, weights);
    }

    /// <summary>Restores the numeric value counts from a serialized profile.</summary>
    internal void RestoreNumberCounts(Dictionary<double, long>? counts) => _numberCounts = counts;

    /// <summary>The type the values say this column has.</summary>
    public ColumnType InferredType
    {
        get
        {
            if (Present == 0) return ColumnType.Unknown;
            if (Times > 0) return Times == Present ? (Dates == Times ? ColumnType.Date : ColumnType.Timestamp) : ColumnType.String;
            if (Texts == 0 && Booleans == 0) return Numbers > 0 && Integers == Numbers ? ColumnType.Integer : ColumnType.Number;
            if (Texts == 0 && Numbers == 0 && NonFinite == 0) return ColumnType.Boolean;
            return ColumnType.String;
        }
    }

    /// <summary>
    /// Whether this looks like an identifier: a text column of at least 100 values of which at
    /// least 95 % are distinct (HyperLogLog's error is under 2 %). Such a column is flagged in the
    /// report and schema inference and left out of drift by default.
    /// </summary>
    public bool LooksLikeIdentifier => InferredType == ColumnType.String && Present >= 100 && DistinctCount.Value >= 0.95 * Present;

    /// <summary>The number of distinct present values: exact when the counts are, else estimated.</summary>
    public (long Value, bool Exact) DistinctCount
    {
        get
        {
            if ((InferredType.IsNumeric() || InferredType.IsTime()) && _numberCounts is not null) return (_numberCounts.Count, true);
            if (Numbers == 0 && TextCounts.IsExact) return (TextCounts.Tracked, true);
            return (Distinct.Estimate(), false);
        }
    }

    /// <summary>
    /// Value counts for a categorical view of the column (text, booleans and, when few, numbers),
    /// most frequent first; <c>Exact</c> is false when rare values were summarized away.
    /// </summary>
    public (List<KeyValuePair<string, long>> Counts, bool Exact) CategoryCounts()
    {
        var counts = TextCounts.Entries();
        var exact = TextCounts.IsExact;
        if (Numbers > 0)
        {
            if (_numberCounts is null)
            {
                exact = false;
            }
            else
            {
                foreach (var (k, v) in _numberCounts)
                {
                    counts.Add(new(k.ToString("R", System.Globalization.CultureInfo.InvariantCulture), v));
                }

                counts.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
            }
        }

        return (counts, exact);
    }
}
