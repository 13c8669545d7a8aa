namespace MlOps.Scoring;

/// <summary>
/// What a stage knows when it loads a model, beyond the file: the <c>model:</c> settings, the
/// mapping a training run recorded, the data's feature columns in file order, and the classes
/// seen in training. <see cref="None"/> knows nothing (tensor serving).
/// </summary>
public sealed record ModelBinding
{
    /// <summary>Nothing known beyond the file.</summary>
    public static readonly ModelBinding None = new();

    /// <summary>mlops.yaml model: settings.</summary>
    public ModelSettings Settings { get; init; } = new();

    /// <summary>The mapping recorded when the model was trained (run.json), which wins over everything else.</summary>
    public ModelMapping? Recorded { get; init; }

    /// <summary>The data's feature columns in file order (all but the label, the split key and train.exclude), for matrix inputs nobody named.</summary>
    public IReadOnlyList<string>? DataColumns { get; init; }

    /// <summary>The label values seen in training, for classes nobody named.</summary>
    public IReadOnlyList<string>? TrainingClasses { get; init; }

    /// <summary>Binary: the positive class, to pick its column of a [N, 2] output.</summary>
    public string? PositiveClass { get; init; }
}
