using System.Text.Json.Serialization;
using MlOps.Artifacts;

namespace MlOps.Evaluation;

/// <summary>evaluation.json: every metric, delta, interval, slice, gate and the verdict.</summary>
public sealed record EvaluationResult
{
    /// <summary>The artifact kind.</summary>
    public const string Kind = "mlops.evaluation";

    /// <summary>The file name.</summary>
    public const string FileName = "evaluation.json";

    /// <summary>Artifact schema version.</summary>
    public int SchemaVersion { get; init; } = ArtifactKinds.SchemaVersion;

    /// <summary>Always <see cref="Kind"/>.</summary>
    [JsonPropertyName("kind")]
    public string ArtifactKind { get; init; } = Kind;

    /// <summary>The tool version.</summary>
    public string Tool { get; init; } = ToolInfo.NameAndVersion;

    /// <summary>True when every gate passed: the candidate may replace the baseline.</summary>
    public required bool Blessed { get; init; }

    /// <summary>Why not (the failing gates), or notes when blessed.</summary>
    public required IReadOnlyList<string> Reasons { get; init; }

    /// <summary>What the reader must know though it did not decide the verdict (for example: a test set too small to detect the gate's margin).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The project.</summary>
    public required string Project { get; init; }

    /// <summary>The task.</summary>
    public required string Task { get; init; }

    /// <summary>The candidate model.</summary>
    public required ModelRef Candidate { get; init; }

    /// <summary>The baseline model, when there is one.</summary>
    public ModelRef? Baseline { get; init; }

    /// <summary>Why there is no baseline, when there is none.</summary>
    public string? BaselineNote { get; init; }

    /// <summary>The evaluation data.</summary>
    public required EvaluationData Data { get; init; }

    /// <summary>Binary: the decision threshold.</summary>
    public double? Threshold { get; init; }

    /// <summary>Every metric by name.</summary>
    public required IReadOnlyDictionary<string, MetricComparison> Metrics { get; init; }

    /// <summary>Binary: confusion counts of the candidate; multiclass: the matrix [actual][predicted].</summary>
    public ConfusionRecord? Confusion { get; init; }

    /// <summary>Slices by column.</summary>
    public IReadOnlyList<SliceColumnResult> Slices { get; init; } = [];

    /// <summary>Permutation importance of the candidate's inputs, most important first.</summary>
    public IReadOnlyList<FeatureImportance> Importance { get; init; } = [];

    /// <summary>Single-row scoring latency of the candidate.</summary>
    public LatencyRecord? Latency { get; init; }

    /// <summary>Each gate and its verdict.</summary>
    public required IReadOnlyList<GateResult> Gates { get; init; }

    /// <summary>Bootstrap settings.</summary>
    public required BootstrapSettings Bootstrap { get; init; }

    /// <summary>Wall time in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Reads an evaluation.json.</summary>
    public static Task<EvaluationResult> ReadAsync(string path, CancellationToken cancellationToken = default) => ArtifactJson.ReadAsync<EvaluationResult>(path, Kind, cancellationToken);
}

/// <summary>A model: its file, format, SHA-256, size, and the run that made it.</summary>
public sealed record ModelRef(string Path, string Format, string Sha256, long Bytes, string? RunId, string? Source)
{
    /// <summary>ONNX models: which columns fed which input and how the outputs were read.</summary>
    public Scoring.ModelMapping? Mapping { get; init; }

    /// <summary>The predictions file that was evaluated instead of scoring the model, when one was.</summary>
    public string? Predictions { get; init; }
}

/// <summary>The evaluation rows.</summary>
public sealed record EvaluationData(string Path, string Split, int Rows, string Fingerprint);

/// <summary>One metric, candidate against baseline.</summary>
public sealed record MetricComparison(double Candidate, Interval? CandidateInterval, double? Baseline, double? Delta, Interval? DeltaInterval, bool HigherIsBetter)
{
    /// <summary>Why the candidate's (or the baseline's) value is undefined (NaN), when it is.</summary>
    public string? Undefined { get; init; }

    /// <summary>
    /// The smallest change of candidate − baseline these rows can detect: a true change this large
    /// is found significant with 80 % power at the configured confidence (from the bootstrap's spread).
    /// </summary>
    public double? DetectableChange { get; init; }
}

/// <summary>Confusion counts.</summary>
public sealed record ConfusionRecord(long? TruePositive, long? FalsePositive, long? TrueNegative, long? FalseNegative, IReadOnlyList<string>? Classes, IReadOnlyList<IReadOnlyList<long>>? Matrix);

/// <summary>Slices of one column.</summary>
public sealed record SliceColumnResult(string Column, string Metric, double? Gap, double? BaselineGap, IReadOnlyList<SliceResult> Slices);

/// <summary>One slice.</summary>
public sealed record SliceResult(string Value, int Rows, double Candidate, double? Baseline, bool Gated);

/// <summary>Permutation importance of one input: the mean drop of the metric when its values are shuffled, and the spread.</summary>
public sealed record FeatureImportance(string Column, string Metric, double Mean, double StandardDeviation);

/// <summary>Latency figures in milliseconds.</summary>
public sealed record LatencyRecord(int Samples, double P50Ms, double P95Ms, double? BaselineP95Ms);

/// <summary>One gate's verdict.</summary>
public sealed record GateResult(string Name, bool Passed, string Detail)
{
    /// <summary>Metric gates with a baseline: the smallest change the evaluation rows can detect (see <see cref="MetricComparison.DetectableChange"/>).</summary>
    public double? DetectableChange { get; init; }

    /// <summary>Something the reader must know even though the gate passed (for example: too few rows to detect the gate's margin).</summary>
    public string? Warning { get; init; }
}

/// <summary>Bootstrap settings as used.</summary>
public sealed record BootstrapSettings(int Resamples, double Confidence, int Seed);
