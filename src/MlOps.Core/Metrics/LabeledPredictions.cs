using MlOps.Scoring;

namespace MlOps.Metrics;

/// <summary>
/// Predictions next to the truth for the same rows: what every metric is computed from. Binary
/// scores are sorted once here so that ranking metrics (ROC AUC, PR AUC) cost one linear pass per
/// bootstrap resample instead of a sort.
/// </summary>
public sealed class LabeledPredictions
{
    private int[]? _descending;

    private LabeledPredictions(Predictions predictions, bool[]? positive, int[]? classIndex, float[]? values)
    {
        Predictions = predictions;
        Positive = positive;
        ClassIndex = classIndex;
        Values = values;
    }

    /// <summary>The model's output.</summary>
    public Predictions Predictions { get; }

    /// <summary>Binary truth: true for the positive class.</summary>
    public bool[]? Positive { get; }

    /// <summary>Multiclass truth: the index into <see cref="Predictions.Classes"/>, or -1 for a class the model does not know.</summary>
    public int[]? ClassIndex { get; }

    /// <summary>Regression truth.</summary>
    public float[]? Values { get; }

    /// <summary>The number of rows.</summary>
    public int Count => Predictions.Count;

    /// <summary>Binary truth and predictions.</summary>
    public static LabeledPredictions Binary(bool[] positive, Predictions predictions) =>
        Check(new(predictions, positive, null, null), positive.Length, ModelTask.Binary);

    /// <summary>Multiclass truth as class names, matched to the model's classes by name.</summary>
    public static LabeledPredictions Multiclass(IReadOnlyList<string> actual, Predictions predictions)
    {
        var index = predictions.Classes!.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        var truth = actual.Select(a => index.TryGetValue(a, out var i) ? i : -1).ToArray();
        return Check(new(predictions, null, truth, null), truth.Length, ModelTask.Multiclass);
    }

    /// <summary>Regression truth and predictions.</summary>
    public static LabeledPredictions Regression(float[] actual, Predictions predictions) =>
        Check(new(predictions, null, null, actual), actual.Length, ModelTask.Regression);

    /// <summary>Binary: row indices by descending probability (stable, so ties keep row order).</summary>
    internal int[] Descending()
    {
        if (_descending is null)
        {
            var p = Predictions.Probability!;
            var order = Enumerable.Range(0, p.Length).ToArray();
            var keys = p.Select(x => -x).ToArray();
            Array.Sort(keys, order);
            _descending = order;
        }

        return _descending;
    }

    private static LabeledPredictions Check(LabeledPredictions l, int truthCount, ModelTask task)
    {
        if (l.Predictions.Task != task) throw new ArgumentException($"expected {task.Name()} predictions, got {l.Predictions.Task.Name()}.");
        if (truthCount != l.Predictions.Count) throw new ArgumentException($"{truthCount} labels for {l.Predictions.Count} predictions.");
        return l;
    }
}
