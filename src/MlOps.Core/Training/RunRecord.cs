using MlOps.Artifacts;

namespace MlOps.Training;

/// <summary>
/// run.json: everything needed to reproduce a training run and trace a model back to it —
/// settings, seed, the exact data (SHA-256), source revision, tool, machine, duration, metrics.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The artifact kind.</summary>
    public const string Kind = "mlops.run";

    /// <summary>What later stages know about a model from its training run (the recorded mapping, classes and positive class), with mlops.yaml's model: settings.</summary>
    public static Scoring.ModelBinding BindingOf(RunRecord? run, Scoring.ModelSettings settings) => new()
    {
        Settings = settings,
        Recorded = run?.Mapping,
        TrainingClasses = run?.Classes,
        PositiveClass = run?.PositiveClass,
    };

    /// <summary>The file name.</summary>
    public const string FileName = "run.json";

    /// <summary>Artifact schema version.</summary>
    public int SchemaVersion { get; init; } = ArtifactKinds.SchemaVersion;

    /// <summary>Always <see cref="Kind"/>.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("kind")]
    public string ArtifactKind { get; init; } = Kind;

    /// <summary>A unique id: UTC start time and fingerprint prefix.</summary>
    public required string RunId { get; init; }

    /// <summary>The project (model name).</summary>
    public required string Project { get; init; }

    /// <summary>binary, multiclass or regression.</summary>
    public required string Task { get; init; }

    /// <summary>The label column.</summary>
    public required string Label { get; init; }

    /// <summary>Binary: the positive class.</summary>
    public string? PositiveClass { get; init; }

    /// <summary>"builtin" or "command".</summary>
    public required string Mode { get; init; }

    /// <summary>Built-in mode: the trainer and every hyperparameter as used.</summary>
    public TrainerRecord? Trainer { get; init; }

    /// <summary>The refit on train + eval (built-in trainers with train.refit); null when there was none.</summary>
    public RefitRecord? Refit { get; init; }

    /// <summary>k-fold cross-validation (train.cv); null when off.</summary>
    public CrossValidationRecord? CrossValidation { get; init; }

    /// <summary>train.search: every trial and the winner, whose hyperparameters made the model.</summary>
    public SearchRecord? Search { get; init; }

    /// <summary>Command mode: the command line and timeout.</summary>
    public CommandRecord? Command { get; init; }

    /// <summary>The model file.</summary>
    public required ModelFileRecord Model { get; init; }

    /// <summary>The columns the model reads, with their kinds.</summary>
    public IReadOnlyList<InputRecord> Inputs { get; init; } = [];

    /// <summary>Built-in mode: how each column was featurized.</summary>
    public IReadOnlyList<Feature>? Features { get; init; }

    /// <summary>Columns left out, with the reason.</summary>
    public IReadOnlyList<string>? Excluded { get; init; }

    /// <summary>Multiclass: the class names.</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>ONNX models: which columns fed which input and how the outputs were read.</summary>
    public Scoring.ModelMapping? Mapping { get; init; }

    /// <summary>The training data.</summary>
    public required DataRecord Data { get; init; }

    /// <summary>Metrics by split (train, eval), then by name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, double>>();

    /// <summary>The source revision.</summary>
    public required SourceInfo Source { get; init; }

    /// <summary>The machine.</summary>
    public required HostInfo Host { get; init; }

    /// <summary>The tool version.</summary>
    public string Tool { get; init; } = ToolInfo.NameAndVersion;

    /// <summary>The config file and its SHA-256, when one was used.</summary>
    public ConfigRecord? Config { get; init; }

    /// <summary>UTC start time.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Wall time in seconds.</summary>
    public required double DurationSeconds { get; init; }

    /// <summary>Reads a run.json.</summary>
    public static Task<RunRecord> ReadAsync(string path, CancellationToken cancellationToken = default) => ArtifactJson.ReadAsync<RunRecord>(path, Kind, cancellationToken);
}

/// <summary>The trainer as used.</summary>
public sealed record TrainerRecord(string Name, IReadOnlyDictionary<string, double> Hyperparameters, int Seed, int Threads, int EarlyStopping);

/// <summary>
/// The refit on train + eval after the first fit: the rows it learned from and the boosting
/// rounds it used (the first fit's, after early stopping; null for non-tree trainers). The run's
/// eval metrics are the first fit's, on rows it did not train on.
/// </summary>
public sealed record RefitRecord(long Rows, int? Rounds);

/// <summary>k-fold cross-validation over train + eval: folds, rows, and each metric's mean, sample standard deviation and per-fold values.</summary>
public sealed record CrossValidationRecord(int Folds, long Rows, IReadOnlyDictionary<string, CrossValidationMetric> Metrics);

/// <summary>One metric across the folds.</summary>
public sealed record CrossValidationMetric(double Mean, double Sd, IReadOnlyList<double> Folds);

/// <summary>The training command as run.</summary>
public sealed record CommandRecord(string Line, double TimeoutSeconds, string WorkingDirectory);

/// <summary>A model file: name relative to run.json, format, SHA-256, size.</summary>
public sealed record ModelFileRecord(string File, string Format, string Sha256, long Bytes);

/// <summary>A model input.</summary>
public sealed record InputRecord(string Name, string Type)
{
    /// <summary>The inputs of a model, typed as schema.json writes types (number, string).</summary>
    public static IReadOnlyList<InputRecord> Of(IEnumerable<Scoring.ModelInput> inputs) =>
        inputs.Select(i => new InputRecord(i.Name, i.Kind == Tabular.ColumnKind.Numeric ? "number" : "string")).ToList();
}

/// <summary>The data trained on.</summary>
public sealed record DataRecord(string Path, string Fingerprint, IReadOnlyList<FileRecord> Files, IReadOnlyDictionary<string, long> Rows, SplitRecord Split, long RowsWithoutLabel);

/// <summary>One data file.</summary>
public sealed record FileRecord(string Path, string Sha256, long Bytes);

/// <summary>The split rule.</summary>
public sealed record SplitRecord(string? Key, string Salt, IReadOnlyDictionary<string, double> Fractions);

/// <summary>The config file.</summary>
public sealed record ConfigRecord(string Path, string Sha256);

/// <summary>train.search as run: the method, the metric, every trial and the winner.</summary>
/// <param name="Method">random or halving.</param>
/// <param name="Metric">The eval-split metric that ranked the trials.</param>
/// <param name="Trials">How many trials were drawn.</param>
/// <param name="Best">The winning trial's number (1-based).</param>
/// <param name="Results">Every trial: its drawn hyperparameters and a score per rung it reached.</param>
public sealed record SearchRecord(string Method, string Metric, int Trials, int Best, IReadOnlyList<SearchTrial> Results);

/// <summary>One trial of a search.</summary>
/// <param name="Number">1-based, in the order drawn.</param>
/// <param name="Hyperparameters">The drawn values (the rest are the trainer's or mlops.yaml's).</param>
/// <param name="Rungs">Its fits: one for random search, one per rung reached for halving.</param>
public sealed record SearchTrial(int Number, IReadOnlyDictionary<string, double> Hyperparameters, IReadOnlyList<SearchRung> Rungs);

/// <summary>One fit of a trial.</summary>
/// <param name="Rung">0-based.</param>
/// <param name="Rows">Train rows it was fit on.</param>
/// <param name="Score">Its eval-split metric.</param>
/// <param name="Rounds">Boosting rounds early stopping kept, when readable.</param>
/// <param name="Seconds">Fit and score wall time.</param>
public sealed record SearchRung(int Rung, long Rows, double Score, int? Rounds, double Seconds);
