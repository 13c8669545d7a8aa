using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>
/// The encoding of a plan of numbers and categories, computed from column statistics, applied to
/// table rows directly as the dense matrix (categorical splits) or compressed sparse rows (one-hot
/// slots) LightGBM reads; and the ML.NET featurizer that computes the same, fitted from those
/// statistics instead of a pass of ML.NET cursors. The featurizer's layout is read back and
/// checked against the encoding (missing numbers, every category), so what LightGBM learns from
/// is exactly what the saved model computes. The featurizer can be fitted after boosting: ML.NET's
/// first use in a process then waits beside the refit rather than before both fits.
/// </summary>
internal sealed class FeatureEncoding
{
    private readonly TableColumn[] _columns;
    private readonly int[] _start;
    private readonly float[] _replacement;
    private readonly Dictionary<string, int>?[] _offsets;

    private FeatureEncoding(TableColumn[] columns, int[] start, float[] replacement, Dictionary<string, int>?[] offsets, int slots, bool categoricalSplits)
    {
        _columns = columns;
        _start = start;
        _replacement = replacement;
        _offsets = offsets;
        Slots = slots;
        CategoricalSplits = categoricalSplits;
    }

    /// <summary>Slots of the model's "Features" vector (one per number, one per category).</summary>
    public int Slots { get; }

    /// <summary>
    /// True when LightGBM reads a dense matrix of one column per feature, each categorical column
    /// one categorical feature (its value the category's slot offset), as it does for more than
    /// 50,000 train rows, numbers only included; false when it reads sparse rows whose one-hot
    /// slots split as numbers.
    /// </summary>
    public bool CategoricalSplits { get; }

    /// <summary>The columns LightGBM sees.</summary>
    public int Columns => CategoricalSplits ? _columns.Length : Slots;

    /// <summary>LightGBM's categorical_feature: the indices of the categorical columns (empty without categorical splits).</summary>
    public string CategoricalColumns => CategoricalSplits
        ? string.Join(",", Enumerable.Range(0, _columns.Length).Where(j => _offsets[j] is not null).Select(j => j.ToString(CultureInfo.InvariantCulture)))
        : string.Empty;

    /// <summary>True for a plan this encoding can express: numbers and one-hot categories only.</summary>
    public static bool Supports(FeaturePlan plan) => plan.Features.All(f => f.Role is FeatureRole.Numeric or FeatureRole.Categorical);

    /// <summary>
    /// The encoding of <paramref name="plan"/>'s features, from statistics of <paramref name="rows"/>
    /// alone (no ML.NET): each number's mean replaces it when missing, each category (first
    /// occurrence order, as ML.NET's one-hot dictionary orders them) is a slot. <see cref="FitFeaturizer"/>
    /// then fits the ML.NET featurizer that computes the same, and checks that it does.
    /// </summary>
    /// <remarks>
    /// With <paramref name="like"/> (the first fit's encoding, for a refit on more rows) its
    /// categories keep their offsets and new ones follow, so values its dataset binned mean the same here.
    /// </remarks>
    public static FeatureEncoding Of(FeaturePlan plan, Table table, int[] rows, bool categoricalSplits, FeatureEncoding? like = null)
    {
        var columns = plan.Features.Select(f => table.Find(f.Column)!).ToArray();
        var categories = new List<string>?[columns.Length];
        var means = new float[columns.Length];
        Parallel.For(0, columns.Length, j =>
        {
            var c = columns[j];
            if (c.Kind == ColumnKind.Numeric)
            {
                double sum = 0;
                long count = 0;
                foreach (var r in rows)
                {
                    var v = c.Numbers![r];
                    if (float.IsNaN(v)) continue;
                    sum += v;
                    count++;
                }

                means[j] = count == 0 ? 0 : (float)(sum / count);
                return;
            }

            // An earlier encoding's categories keep their places; new ones follow in first-occurrence order.
            var ordered = like?.CategoriesOf(c.Name) ?? [];
            var seen = new HashSet<string>(ordered, StringComparer.Ordinal);
            ordered.AddRange(DistinctTexts.Of(c.Texts!, rows).Where(seen.Add));
            categories[j] = ordered;
        });

        var start = new int[columns.Length];
        var offsets = new Dictionary<string, int>?[columns.Length];
        var slot = 0;
        for (var j = 0; j < columns.Length; j++)
        {
            start[j] = slot;
            if (categories[j] is not { } known)
            {
                slot++;
                continue;
            }

            // ML.NET reads a missing text as empty, and empty is not a category.
            var map = new Dictionary<string, int>(known.Count, StringComparer.Ordinal);
            foreach (var value in known.Where(v => v.Length > 0)) map.Add(value, map.Count);
            offsets[j] = map;
            slot += map.Count;
        }

        return new FeatureEncoding(columns, start, means, offsets, slot, categoricalSplits);
    }

    /// <summary>
    /// Fits the plan's ML.NET featurizer on a summary of this encoding: one row with every value
    /// missing, then one row per category (in slot order) with each number at its mean. The means
    /// and dictionaries it learns are the full data's, without a cursor over every row. Its layout
    /// is then read back (row 0 shows each number's replacement, row i the slot of category i) and
    /// must be this encoding's, or the saved model would not compute what LightGBM learned from.
    /// </summary>
    /// <exception cref="InvalidOperationException">The featurizer encodes the rows otherwise.</exception>
    public ITransformer FitFeaturizer(MLContext ml, FeaturePlan plan)
    {
        var categories = _offsets.Select(map => map?.OrderBy(p => p.Value).Select(p => p.Key).ToList()).ToArray();
        // At least one row of means, which a plan of numbers only needs too.
        var summaryRows = 1 + Math.Max(1, categories.Max(c => c?.Count ?? 0));
        var summary = _columns.Select((c, j) => c.Kind == ColumnKind.Numeric
            ? TableColumn.Numeric(c.Name, Enumerable.Range(0, summaryRows).Select(i => i == 0 ? float.NaN : _replacement[j]).ToArray())
            : TableColumn.Text(c.Name, Enumerable.Range(0, summaryRows).Select(i => i == 0 || i > categories[j]!.Count ? null : categories[j]![i - 1]).ToArray())).ToArray();
        var summaryView = new TableDataView(Table.Of(summary), Enumerable.Range(0, summaryRows).ToArray(), summary);
        var featurizer = plan.BuildEstimator(ml, normalize: false).Fit(summaryView);

        var read = featurizer.Transform(summaryView);
        var vectors = new List<float[]>(summaryRows);
        using (var cursor = read.GetRowCursor(read.Schema))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(read.Schema["Features"]);
            VBuffer<float> v = default;
            while (cursor.MoveNext())
            {
                getter(ref v);
                vectors.Add(v.DenseValues().ToArray());
            }
        }

        if (vectors[0].Length != Slots) throw new InvalidOperationException($"the featurizer's vector has {vectors[0].Length} slots; the plan reads {Slots}.");
        for (var j = 0; j < _columns.Length; j++)
        {
            var at = _start[j];
            if (_offsets[j] is not { } map)
            {
                if (BitConverter.SingleToInt32Bits(vectors[0][at]) != BitConverter.SingleToInt32Bits(_replacement[j])) throw new InvalidOperationException($"the featurizer replaces a missing '{_columns[j].Name}' by {vectors[0][at]}, not its mean {_replacement[j]}.");
                continue;
            }

            if (vectors[0].AsSpan(at, map.Count).ContainsAnyExcept(0f)) throw new InvalidOperationException($"a missing '{_columns[j].Name}' does not encode as all zeros.");
            for (var i = 0; i < categories[j]!.Count; i++)
            {
                if (Array.FindIndex(vectors[i + 1], at, map.Count, x => x != 0) - at != i) throw new InvalidOperationException($"the one-hot encoding of '{_columns[j].Name}' puts '{categories[j]![i]}' elsewhere than slot {i}.");
            }
        }

        return featurizer;
    }

    // A column's known categories in offset order, or null when this encoding has no such categorical column.
    private List<string>? CategoriesOf(string column)
    {
        var j = Array.FindIndex(_columns, c => c.Name == column);
        return j < 0 || _offsets[j] is not { } map ? null : map.OrderBy(p => p.Value).Select(p => p.Key).ToList();
    }

    /// <summary>
    /// True when rows encoded here may be binned by a LightGBM dataset built from
    /// <paramref name="earlier"/>'s encoding: the same columns seen the same way, and every category
    /// of the earlier one at the same value here (with categorical splits, a category new here is a
    /// value the earlier bins do not hold, which LightGBM bins as missing; one-hot, it would shift
    /// the slots, so none may be new).
    /// </summary>
    public bool BinsLike(FeatureEncoding earlier)
    {
        if (CategoricalSplits != earlier.CategoricalSplits || _columns.Length != earlier._columns.Length) return false;
        if (!CategoricalSplits && (Slots != earlier.Slots || !_start.AsSpan().SequenceEqual(earlier._start))) return false;
        for (var j = 0; j < _columns.Length; j++)
        {
            if (_columns[j].Name != earlier._columns[j].Name || (_offsets[j] is null) != (earlier._offsets[j] is null)) return false;
            if (_offsets[j] is not { } map) continue;
            if (!CategoricalSplits && map.Count != earlier._offsets[j]!.Count) return false;
            foreach (var (category, offset) in earlier._offsets[j]!)
            {
                if (!map.TryGetValue(category, out var here) || here != offset) return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The rows as a dense row-major matrix of <see cref="Columns"/> columns, for categorical
    /// splits: a number is itself (missing: its replacement), a category its slot offset, and a
    /// missing or unseen category -1 (LightGBM reads negatives as missing, as ML.NET's own
    /// LightGBM loader writes them).
    /// </summary>
    public float[] Dense(int[] rows)
    {
        if (!CategoricalSplits) throw new InvalidOperationException("a one-hot encoding is sparse; use Sparse.");
        var n = _columns.Length;
        var values = new float[checked(rows.Length * n)];
        // Blocks of whole rows, so no two threads write the same cache line.
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, rows.Length, 16_384), block => DenseRows(rows, values, block.Item1, block.Item2));
        return values;
    }

    // Called once per block of rows: compiled optimized from its first call, not as tier-0 code
    // with its callees not inlined until the runtime replaces it (a profile found it 0.2 s slower).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DenseRows(int[] rows, float[] values, int from, int to)
    {
        var n = _columns.Length;
        for (var j = 0; j < n; j++)
        {
            var numbers = _columns[j].Numbers;
            var texts = _columns[j].Texts;
            var offsets = _offsets[j];
            var replacement = _replacement[j];
            if (numbers is not null)
            {
                for (var i = from; i < to; i++) values[(i * n) + j] = float.IsNaN(numbers[rows[i]]) ? replacement : numbers[rows[i]];
                continue;
            }

            // The loader gives equal texts one string: each string looked up by value once, then by reference.
            var byReference = new Dictionary<string, int>(ReferenceEqualityComparer.Instance);
            for (var i = from; i < to; i++)
            {
                if (texts![rows[i]] is not { } s)
                {
                    values[(i * n) + j] = -1;
                    continue;
                }

                if (!byReference.TryGetValue(s, out var offset)) byReference[s] = offset = offsets!.TryGetValue(s, out var o) ? o : -1;
                values[(i * n) + j] = offset;
            }
        }
    }

    /// <summary>
    /// The rows as compressed sparse rows (row starts, column indices, values) of <see cref="Slots"/>
    /// columns, without categorical splits: a known category is a 1 in its one-hot slot.
    /// </summary>
    public (int[] Starts, int[] Indices, float[] Values) Sparse(int[] rows)
    {
        if (CategoricalSplits) throw new InvalidOperationException("a categorical encoding is dense; use Dense.");
        var starts = new int[rows.Length + 1];
        for (var i = 0; i < rows.Length; i++)
        {
            var count = 0;
            for (var j = 0; j < _columns.Length; j++)
            {
                if (_columns[j].Numbers is not null || (_columns[j].Texts![rows[i]] is { } s && _offsets[j]!.ContainsKey(s))) count++;
            }

            starts[i + 1] = checked(starts[i] + count);
        }

        var indices = new int[starts[rows.Length]];
        var values = new float[indices.Length];
        Parallel.For(0, rows.Length, i =>
        {
            var at = starts[i];
            for (var j = 0; j < _columns.Length; j++)
            {
                if (_columns[j].Numbers is { } numbers)
                {
                    indices[at] = _start[j];
                    values[at++] = Number(j, numbers[rows[i]]);
                }
                else if (_columns[j].Texts![rows[i]] is { } s && _offsets[j]!.TryGetValue(s, out var o))
                {
                    indices[at] = _start[j] + o;
                    values[at++] = 1;
                }
            }
        });
        return (starts, indices, values);
    }

    private float Number(int column, float value) => float.IsNaN(value) ? _replacement[column] : value;

    /// <summary>
    /// LightGBM's model text, as ML.NET's loader of pre-trained models must read it to score the
    /// one-hot vector: with categorical splits, the feature count is the slot count and
    /// categorical_feature lists each LightGBM column's first slot (the loader maps split features
    /// and category offsets through it, as ML.NET's own LightGBM trainer does).
    /// </summary>
    public string ForMlNet(string modelText)
    {
        if (!CategoricalSplits || CategoricalColumns.Length == 0) return modelText; // numbers only: one slot per column already
        var lines = modelText.Split('\n');
        var featureCount = Array.FindIndex(lines, l => l.StartsWith("max_feature_idx=", StringComparison.Ordinal));
        var categorical = Array.FindIndex(lines, l => l.StartsWith("[categorical_feature:", StringComparison.Ordinal));
        if (featureCount < 0 || categorical < 0) throw new InvalidOperationException("LightGBM's model text has no max_feature_idx or categorical_feature line.");
        lines[featureCount] = string.Create(CultureInfo.InvariantCulture, $"max_feature_idx={Slots - 1}");
        lines[categorical] = $"[categorical_feature: {string.Join(",", _start.Append(Slots).Select(s => s.ToString(CultureInfo.InvariantCulture)))}]";
        return string.Join('\n', lines);
    }
}
