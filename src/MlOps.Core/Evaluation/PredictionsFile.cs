using MlOps.Data;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Evaluation;

/// <summary>
/// Predictions made elsewhere (a model no runtime of ours can run: custom C++, an LLM behind an
/// API, a Python ensemble), read from CSV, TSV, JSONL or Parquet and joined to the evaluation
/// rows by a key column, or by row order when the run says so. Columns: <c>probability</c>
/// (binary, of the positive class), <c>probability_CLASS</c> per class (multiclass),
/// <c>prediction</c> (regression), or a hard <c>label</c> for classifiers (probability 1 for it).
/// </summary>
public sealed class PredictionsFile
{
    /// <summary>The file name a training command may write beside its model for the evaluation rows.</summary>
    public const string DefaultFileName = Training.Trainer.PredictionsFileName;

    /// <summary>The binary positive-class probability column.</summary>
    public const string ProbabilityColumn = "probability";

    /// <summary>The prefix of multiclass probability columns (probability_Adelie).</summary>
    public const string ClassPrefix = "probability_";

    /// <summary>The regression value column.</summary>
    public const string ValueColumn = "prediction";

    /// <summary>A hard label column (classifiers without probabilities).</summary>
    public const string LabelColumn = "label";

    private readonly Table _table;
    private readonly string _path;

    private PredictionsFile(Table table, string path)
    {
        _table = table;
        _path = path;
    }

    /// <summary>Reads a predictions file; <paramref name="key"/> (when joining by key) is read as text so ids keep their form.</summary>
    /// <exception cref="DataException">The file is missing or unreadable.</exception>
    public static async Task<PredictionsFile> ReadAsync(string path, string? key, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "predictions file not found.");
        var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal) { [LabelColumn] = ColumnKind.Text };
        if (key is not null) declared[key] = ColumnKind.Text;
        var table = await TableLoader.LoadAsync(new DatasetSource { Path = path }, declared, null, cancellationToken);
        return new PredictionsFile(table, path);
    }

    /// <summary>The predictions for the evaluation rows, in their order.</summary>
    /// <param name="data">The evaluation data.</param>
    /// <param name="rows">The evaluated rows of <paramref name="data"/>.</param>
    /// <param name="task">The task.</param>
    /// <param name="key">The key column both files share; null joins by row order.</param>
    /// <param name="classes">Multiclass: the label values, for hard labels; binary: the positive class first.</param>
    /// <param name="positiveClass">Binary: the positive label value, for hard labels.</param>
    /// <exception cref="DataException">Keys are missing, repeated or do not join; a prediction column is missing.</exception>
    public Predictions For(Table data, int[] rows, ModelTask task, string? key, IReadOnlyList<string> classes, string? positiveClass)
    {
        var index = key is null ? ByRowOrder(data, rows) : ByKey(data, rows, key);
        return task switch
        {
            ModelTask.Regression => Predictions.Regression(Gather(Numbers(ValueColumn, "a regression needs the predicted value"), index)),
            ModelTask.Binary => Predictions.Binary(_table.Find(ProbabilityColumn) is not null ? Gather(Numbers(ProbabilityColumn, string.Empty), index) : HardBinary(index, positiveClass)),
            _ => Multiclass(index, classes),
        };
    }

    private int[] ByKey(Table data, int[] rows, string key)
    {
        var mine = _table.Find(key) ?? throw Errors.Data(_path, $"has no key column '{key}' to join on; its columns: {string.Join(", ", _table.Columns.Select(c => c.Name))}. Name the key with --predictions-key, or join by row order with --predictions-key row-order.");
        var theirs = data.Find(key) ?? throw Errors.Config("--predictions-key", $"the evaluation data has no column '{key}'.");
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 0; r < _table.RowCount; r++)
        {
            var k = mine.Format(r) ?? throw Errors.Data(_path, $"row {r + 1} has no '{key}'; every prediction needs its key.");
            if (!byKey.TryAdd(k, r)) throw Errors.Data(_path, $"key '{k}' appears twice (rows {byKey[k] + 1} and {r + 1}); each row needs one prediction.");
        }

        var index = new int[rows.Length];
        var missing = new List<string>();
        for (var i = 0; i < rows.Length; i++)
        {
            var k = theirs.Format(rows[i]);
            if (k is not null && byKey.TryGetValue(k, out var p)) index[i] = p;
            else missing.Add(k ?? $"(row {rows[i] + 1} without a key)");
        }

        if (missing.Count > 0)
        {
            throw Errors.Data(_path, $"{missing.Count} of the {rows.Length} evaluation rows have no prediction, first {string.Join(", ", missing.Take(5).Select(m => $"'{m}'"))}; predict every row of the split (joined on '{key}').");
        }

        return index;
    }

    private int[] ByRowOrder(Table data, int[] rows)
    {
        // One prediction per data row, or one per evaluated row: either is unambiguous.
        if (_table.RowCount == data.RowCount) return rows;
        if (_table.RowCount == rows.Length) return Enumerable.Range(0, rows.Length).ToArray();
        throw Errors.Data(_path, $"has {_table.RowCount} rows; joined by row order it needs one per data row ({data.RowCount}) or one per evaluated row ({rows.Length}).");
    }

    private float[] Numbers(string column, string why)
    {
        var c = _table.Find(column) ?? throw Errors.Data(_path, $"has no '{column}' column ({why}); its columns: {string.Join(", ", _table.Columns.Select(x => x.Name))}.");
        return c.Kind == ColumnKind.Numeric ? c.Numbers! : throw Errors.Data(_path, $"column '{column}' holds text; expected numbers.");
    }

    private static float[] Gather(float[] values, int[] index)
    {
        var result = new float[index.Length];
        for (var i = 0; i < index.Length; i++) result[i] = values[index[i]];
        return result;
    }

    private float[] HardBinary(int[] index, string? positiveClass)
    {
        var labels = _table.Find(LabelColumn) ?? throw Errors.Data(_path, $"has neither '{ProbabilityColumn}' nor '{LabelColumn}'; a binary classifier's predictions need one; its columns: {string.Join(", ", _table.Columns.Select(x => x.Name))}.");
        if (positiveClass is null) throw Errors.Config("positive-class", "is required to read hard labels as predictions; set it in mlops.yaml.");
        return index.Select(r => labels.Format(r) is { } l ? (l == positiveClass ? 1f : 0f) : float.NaN).ToArray();
    }

    private Predictions Multiclass(int[] index, IReadOnlyList<string> labelValues)
    {
        var columns = _table.Columns.Where(c => c.Name.StartsWith(ClassPrefix, StringComparison.Ordinal)).ToList();
        if (columns.Count > 0)
        {
            var classes = columns.Select(c => c.Name[ClassPrefix.Length..]).ToList();
            var k = classes.Count;
            var p = new float[index.Length * k];
            for (var c = 0; c < k; c++)
            {
                var values = columns[c].Kind == ColumnKind.Numeric ? columns[c].Numbers! : throw Errors.Data(_path, $"column '{columns[c].Name}' holds text; expected probabilities.");
                for (var i = 0; i < index.Length; i++) p[(i * k) + c] = values[index[i]];
            }

            return Predictions.Multiclass(classes, p);
        }

        var labels = _table.Find(LabelColumn) ?? throw Errors.Data(_path, $"has no '{ClassPrefix}CLASS' columns and no '{LabelColumn}'; its columns: {string.Join(", ", _table.Columns.Select(x => x.Name))}.");
        var all = OnnxBinder.SortClasses(labelValues.Concat(index.Select(r => labels.Format(r)).OfType<string>()));
        var position = all.Select((c, k) => (c, k)).ToDictionary(x => x.c, x => x.k, StringComparer.Ordinal);
        var onehot = new float[index.Length * all.Count];
        for (var i = 0; i < index.Length; i++)
        {
            var l = labels.Format(index[i]);
            var c = l is not null && position.TryGetValue(l, out var k0) ? k0 : -1;
            if (c < 0)
            {
                for (var k = 0; k < all.Count; k++) onehot[(i * all.Count) + k] = float.NaN;
            }
            else
            {
                onehot[(i * all.Count) + c] = 1f;
            }
        }

        return Predictions.Multiclass(all, onehot);
    }
}
