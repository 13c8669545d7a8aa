using MlOps.Data;
using MlOps.Evaluation;
using MlOps.Scoring;
using MlOps.Validation.Statistics;

namespace MlOps.Inference;

/// <summary>What <see cref="Predictor"/> scores, with which model, and where the predictions go.</summary>
public sealed record PredictOptions
{
    /// <summary>The data to score (file, folder or glob).</summary>
    public required DatasetSource Data { get; init; }

    /// <summary>The model file (and its run.json, for the column mapping).</summary>
    public required ModelLocation Model { get; init; }

    /// <summary>The model name, for the log.</summary>
    public string ModelName { get; init; } = "model";

    /// <summary>The registry version ("3"), or "file".</summary>
    public string ModelVersion { get; init; } = "file";

    /// <summary>The task from mlops.yaml; the model must agree.</summary>
    public required ModelTask Task { get; init; }

    /// <summary>The label column, left out of a file-order mapping when present.</summary>
    public string? Label { get; init; }

    /// <summary>mlops.yaml model: settings.</summary>
    public ModelSettings ModelSettings { get; init; } = new();

    /// <summary>train.exclude: not features.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Columns copied to every prediction row (ids).</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>The predictions file: .csv or .jsonl.</summary>
    public required string Output { get; init; }

    /// <summary>Score only rows i of n (matrix jobs).</summary>
    public Shard? Shard { get; init; }

    /// <summary>A prediction log to append sampled rows to, in the server's format.</summary>
    public string? PredictionLog { get; init; }

    /// <summary>The share of rows written to the prediction log.</summary>
    public double LogSampleRate { get; init; } = 0.1;

    /// <summary>Rows per chunk: memory is bounded by this, not by the data.</summary>
    public int ChunkRows { get; init; } = 65_536;

    /// <summary>The time written with the predictions.</summary>
    public DateTimeOffset Time { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>What <see cref="Predictor"/> did.</summary>
/// <param name="Output">The predictions file.</param>
/// <param name="Rows">Rows scored.</param>
/// <param name="Logged">Rows written to the prediction log.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record PredictResult(string Output, long Rows, long Logged, double Seconds);
