namespace MlOps.Scoring;

/// <summary>
/// What a model said about a set of rows, in one shape for every model format: the positive-class
/// probability (binary), a probability per class (multiclass), or a value (regression).
/// </summary>
public sealed class Predictions
{
    private Predictions(ModelTask task, int count, float[]? probability, IReadOnlyList<string>? classes, float[]? classProbabilities, float[]? values)
    {
        Task = task;
        Count = count;
        Probability = probability;
        Classes = classes;
        ClassProbabilities = classProbabilities;
        Values = values;
    }

    /// <summary>The task.</summary>
    public ModelTask Task { get; }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>Binary: the probability of the positive class per row.</summary>
    public float[]? Probability { get; }

    /// <summary>Multiclass: the class names, in the order of <see cref="ClassProbabilities"/>.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Multiclass: row-major probabilities, <see cref="Count"/> × <see cref="Classes"/>.Count.</summary>
    public float[]? ClassProbabilities { get; }

    /// <summary>Regression: the predicted value per row.</summary>
    public float[]? Values { get; }

    /// <summary>Binary predictions.</summary>
    public static Predictions Binary(float[] probability) => new(ModelTask.Binary, probability.Length, probability, null, null, null);

    /// <summary>Multiclass predictions.</summary>
    public static Predictions Multiclass(IReadOnlyList<string> classes, float[] probabilities)
    {
        if (classes.Count == 0 || probabilities.Length % classes.Count != 0)
        {
            throw new ArgumentException("probabilities must hold one value per class per row.", nameof(probabilities));
        }

        return new(ModelTask.Multiclass, probabilities.Length / classes.Count, null, classes, probabilities, null);
    }

    /// <summary>Regression predictions.</summary>
    public static Predictions Regression(float[] values) => new(ModelTask.Regression, values.Length, null, null, null, values);

    /// <summary>Multiclass: the index of the most probable class of a row (the first on ties).</summary>
    public int PredictedClass(int row)
    {
        var k = Classes!.Count;
        var span = ClassProbabilities.AsSpan(row * k, k);
        var best = 0;
        for (var c = 1; c < k; c++)
        {
            if (span[c] > span[best]) best = c;
        }

        return best;
    }

    /// <summary>The prediction of one row as a user reads it: the class name or the value.</summary>
    public string Describe(int row, double threshold = 0.5) => Task switch
    {
        ModelTask.Binary => Probability![row] >= threshold ? "positive" : "negative",
        ModelTask.Multiclass => Classes![PredictedClass(row)],
        _ => Values![row].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}
