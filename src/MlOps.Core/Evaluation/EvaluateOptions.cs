using MlOps.Configuration;
using MlOps.Data;
using MlOps.Scoring;

namespace MlOps.Evaluation;

/// <summary>Everything <c>mlops evaluate</c> needs, resolved from mlops.yaml and flags.</summary>
public sealed record EvaluateOptions
{
    /// <summary>The project.</summary>
    public string Project { get; init; } = "model";

    /// <summary>The task.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The label column.</summary>
    public required string Label { get; init; }

    /// <summary>Binary: the positive class (else the candidate's run.json, else conventional values).</summary>
    public string? PositiveClass { get; init; }

    /// <summary>The evaluation data.</summary>
    public required DatasetSource Data { get; init; }

    /// <summary>The split rule that picks <see cref="EvaluateSettings.Split"/>.</summary>
    public SplitSettings Split { get; init; } = new();

    /// <summary>Gates, slices, bootstrap.</summary>
    public EvaluateSettings Settings { get; init; } = new();

    /// <summary>The candidate's predictions file (--predictions): evaluated instead of scoring its model.</summary>
    public string? CandidatePredictions { get; init; }

    /// <summary>The baseline's predictions file (--baseline-predictions).</summary>
    public string? BaselinePredictions { get; init; }

    /// <summary>The column predictions join on (default split.key); "row-order" joins by row order.</summary>
    public string? PredictionsKey { get; init; }

    /// <summary>mlops.yaml model: how ONNX models meet the data.</summary>
    public ModelSettings Model { get; init; } = new();

    /// <summary>train.exclude: columns that are not features (left out of a file-order mapping).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>The candidate.</summary>
    public required ModelLocation Candidate { get; init; }

    /// <summary>The baseline, or null for a first model.</summary>
    public ModelLocation? Baseline { get; init; }

    /// <summary>Where the baseline came from ("registry alias production", a path).</summary>
    public string? BaselineSource { get; init; }

    /// <summary>Why there is no baseline, said plainly in the report.</summary>
    public string? BaselineNote { get; init; }

    /// <summary>The output folder.</summary>
    public required string OutputDirectory { get; init; }
}
