using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>
/// The label as the task needs it: the column, the task, and for binary tasks which value is the
/// positive class. Shared by training and evaluation so both read the truth the same way.
/// </summary>
public sealed record LabelSpec(string Column, ModelTask Task, string? PositiveClass)
{
    /// <summary>Values taken to mean "positive" when positive-class is not set, in order of preference.</summary>
    public static readonly IReadOnlyList<string> ConventionalPositives = ["1", "true", "True", "TRUE", "yes", "Yes", "YES", "positive"];

    /// <summary>How the label column is loaded: text for classes, numbers for regression.</summary>
    public ColumnKind Kind => Task == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Text;

    /// <summary>Resolves the positive class of a binary label from the training rows.</summary>
    /// <exception cref="DataException">
    /// The label is missing on every row, has one class only (nothing to learn, no metric to rank
    /// by), does not have exactly two values for a binary task, or the positive one cannot be told.
    /// </exception>
    public static LabelSpec Resolve(string column, ModelTask task, string? positiveClass, TableColumn label, int[] rows, string dataName)
    {
        var labeled = rows.Count(r => !label.IsMissing(r));
        if (labeled == 0)
        {
            throw Errors.Data(dataName, $"the label '{column}' is missing on all {rows.Length} rows; nothing to learn from or evaluate against.");
        }

        if (task == ModelTask.Regression) return new LabelSpec(column, task, null);
        var values = Values(label, rows);
        if (values.Count < 2)
        {
            throw Errors.Data(dataName, $"the label '{column}' has one class only ('{values.FirstOrDefault()}' on all {labeled} labeled rows); a {task.Name()} task needs at least two classes, or its metrics are undefined.");
        }

        if (task != ModelTask.Binary) return new LabelSpec(column, task, null);
        if (values.Count > 2)
        {
            throw Errors.Data(dataName, $"the label '{column}' has {values.Count} values ({string.Join(", ", values.Take(5))}{(values.Count > 5 ? ", ..." : string.Empty)}); a binary task needs two. Use task: multiclass.");
        }

        if (positiveClass is not null)
        {
            if (!values.Contains(positiveClass))
            {
                throw Errors.Data(dataName, $"positive-class '{positiveClass}' never occurs in the label '{column}'; its values are {string.Join(", ", values)}.");
            }

            return new LabelSpec(column, task, positiveClass);
        }

        var conventional = ConventionalPositives.FirstOrDefault(values.Contains)
            ?? throw Errors.Config("positive-class", $"cannot tell which label value is positive among {string.Join(", ", values)}; set positive-class in mlops.yaml.");
        return new LabelSpec(column, task, conventional);
    }

    /// <summary>Binary truth for rows: true where the label is the positive class.</summary>
    public bool[] Positives(TableColumn label, int[] rows)
    {
        var positives = new bool[rows.Length];
        if (label.Kind == ColumnKind.Text)
        {
            for (var i = 0; i < rows.Length; i++) positives[i] = label.Texts![rows[i]] == PositiveClass;
            return positives;
        }

        // A number is positive when its text is the positive class: each distinct number formatted once.
        var numbers = label.Numbers!;
        var known = new Dictionary<int, bool>();
        for (var i = 0; i < rows.Length; i++)
        {
            var v = numbers[rows[i]];
            var bits = BitConverter.SingleToInt32Bits(v);
            if (!known.TryGetValue(bits, out var positive)) known[bits] = positive = label.Format(rows[i]) == PositiveClass;
            positives[i] = positive;
        }

        return positives;
    }

    // The label's distinct values as text, in ordinal order; a number column's distinct numbers
    // (by their bits, as their round-trip texts differ) are formatted once each.
    private static List<string> Values(TableColumn label, int[] rows)
    {
        if (label.Kind == ColumnKind.Text) return rows.Select(r => label.Texts![r]).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var numbers = label.Numbers!;
        var firstRow = new Dictionary<int, int>();
        foreach (var r in rows)
        {
            if (!float.IsNaN(numbers[r])) firstRow.TryAdd(BitConverter.SingleToInt32Bits(numbers[r]), r);
        }

        return firstRow.Values.Select(r => label.Format(r)!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Pairs the truth of <paramref name="rows"/> with predictions for the same rows.</summary>
    public Metrics.LabeledPredictions Attach(TableColumn label, int[] rows, Predictions predictions) => Task switch
    {
        ModelTask.Binary => Metrics.LabeledPredictions.Binary(Positives(label, rows), predictions),
        ModelTask.Multiclass => Metrics.LabeledPredictions.Multiclass(rows.Select(r => label.Format(r) ?? string.Empty).ToList(), predictions),
        _ => Metrics.LabeledPredictions.Regression(rows.Select(r => label.Numbers![r]).ToArray(), predictions),
    };

    /// <summary>The rows whose label is present.</summary>
    public static int[] Labeled(TableColumn label, int[] rows) => rows.Where(r => !label.IsMissing(r)).ToArray();
}
