using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using MlOps.Artifacts;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Validation.Schema;
using MlOps.Validation.Splitting;

namespace MlOps.Training;

/// <summary>
/// The train stage: a built-in ML.NET trainer, or the user's command, on the train split of the
/// data; writes the model, run.json and report.md to the output folder.
/// </summary>
public sealed class Trainer(Action<string> log)
{
    /// <summary>The metrics file a training command may write in MLOPS_OUTPUT_DIR.</summary>
    public const string MetricsFileName = "metrics.json";

    /// <summary>The predictions a training command may write beside a model that cannot be scored from rows (evaluate reads them).</summary>
    public const string PredictionsFileName = "predictions.csv";

    /// <summary>Runs the stage.</summary>
    public async Task<TrainResult> RunAsync(TrainOptions options, CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.UtcNow;
        var watch = Stopwatch.StartNew();
        // Where the run happens (git runs, nvidia-smi) is read on another thread: the source as the run began.
        Task<(SourceInfo Source, HostInfo Host)>? where = null;
        void ReadWhere() => where ??= Task.Run(() => (SourceInfo.Current(options.WorkingDirectory, options.Environment), HostInfo.Current()), CancellationToken.None);
        Directory.CreateDirectory(options.OutputDirectory);
        var files = options.Data.ResolveFiles();
        TrainResult result;
        (string Fingerprint, IReadOnlyList<(string Path, string Sha256, long Bytes)> Files) digest;
        if (options.Settings.Command is { } command)
        {
            ReadWhere();
            digest = await DataFingerprint.DatasetAsync(files, cancellationToken); // before the command runs, which could touch the data
            result = await RunCommandAsync(options, command, cancellationToken);
        }
        else
        {
            // Hashed on another thread once the data is read (from the page cache, while the rows
            // are featurized and binned), not while the read keeps every core busy.
            Task<(string, IReadOnlyList<(string, string, long)>)>? fingerprinting = null;
            try
            {
                result = await RunBuiltInAsync(options, () =>
                {
                    fingerprinting = Task.Run(() => DataFingerprint.DatasetAsync(files, cancellationToken), cancellationToken);
                    ReadWhere();
                }, cancellationToken);
            }
            catch
            {
                // Never left running, or failing unobserved, behind a failed run: its failure is the one reported.
                if (fingerprinting is not null) await fingerprinting.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw;
            }

            digest = await (fingerprinting ?? DataFingerprint.DatasetAsync(files, cancellationToken));
        }

        var (fingerprint, fileDigests) = digest;
        ReadWhere();
        var (source, host) = await where!;

        var model = result.ModelPath;
        var (sha, bytes) = await DataFingerprint.FileAsync(model, cancellationToken);
        var split = options.Split;
        var record = result.Record with
        {
            RunId = string.Create(CultureInfo.InvariantCulture, $"{started:yyyyMMddTHHmmssZ}-{fingerprint[..8]}"),
            Model = new ModelFileRecord(Path.GetFileName(model), ModelLoader.FormatOf(model), sha, bytes),
            Data = result.Record.Data with
            {
                Path = options.Data.Path,
                Fingerprint = fingerprint,
                Files = fileDigests.Select(f => new FileRecord(f.Path, f.Sha256, f.Bytes)).ToList(),
                Split = new SplitRecord(split.Key, split.Salt, split.Fractions.ToDictionary(f => f.Name, f => f.Fraction)),
            },
            Source = source,
            Host = host,
            Config = options.ConfigPath is { } c && File.Exists(c) ? new ConfigRecord(c, (await DataFingerprint.FileAsync(c, cancellationToken)).Sha256) : null,
            StartedAt = started,
            DurationSeconds = watch.Elapsed.TotalSeconds,
        };
        var runPath = Path.Combine(options.OutputDirectory, RunRecord.FileName);
        await ArtifactJson.WriteAsync(runPath, record, cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(options.OutputDirectory, ArtifactKinds.Report), TrainReport.Render(record), cancellationToken);
        return new TrainResult(model, runPath, record);
    }

    private static RunRecord Draft(TrainOptions o, string mode, IReadOnlyDictionary<string, long> rows, long withoutLabel) => new()
    {
        RunId = string.Empty,
        Project = o.Project,
        Task = o.Task.Name(),
        Label = o.Label,
        PositiveClass = o.PositiveClass,
        Mode = mode,
        Model = new ModelFileRecord(string.Empty, string.Empty, string.Empty, 0),
        Data = new DataRecord(string.Empty, string.Empty, [], rows, new SplitRecord(null, string.Empty, new Dictionary<string, double>()), withoutLabel),
        Source = new SourceInfo(null, null, null),
        Host = new HostInfo(string.Empty, string.Empty, null, 0, 0, [], string.Empty),
        StartedAt = DateTimeOffset.UtcNow,
        DurationSeconds = 0,
    };

    private async Task<TrainResult> RunBuiltInAsync(TrainOptions o, Action read, CancellationToken cancellationToken)
    {
        var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        if (o.SchemaPath is not null)
        {
            var schema = await SchemaFile.ReadAsync(o.SchemaPath, cancellationToken);
            foreach (var c in schema.Columns)
            {
                if (c.Type != Validation.Statistics.ColumnType.Unknown) declared[c.Name] = c.Type == Validation.Statistics.ColumnType.String ? ColumnKind.Text : ColumnKind.Numeric;
            }
        }

        var labelKind = o.Task == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Text;
        declared[o.Label] = labelKind;
        var split = new SplitRule(o.Split.Key, o.Split.Salt, o.Split.Fractions);
        log($"reading {o.Data.Path}");
        var table = await TableLoader.LoadAsync(o.Data, declared, split, cancellationToken);
        read();
        var label = table.Find(o.Label) ?? throw Errors.Data(o.Data.Path, $"the label column '{o.Label}' is not in the data; columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        var allTrain = table.RowsOf("train");
        var trainRows = LabelSpec.Labeled(label, allTrain);
        var evalRows = LabelSpec.Labeled(label, table.RowsOf("eval"));
        var withoutLabel = table.RowCount - LabelSpec.Labeled(label, Enumerable.Range(0, table.RowCount).ToArray()).Length;
        if (trainRows.Length == 0) throw Errors.Data(o.Data.Path, $"the train split has no rows with a label '{o.Label}'.");
        var spec = LabelSpec.Resolve(o.Label, o.Task, o.PositiveClass, label, trainRows, o.Data.Path);

        SearchRecord? search = null;
        TrainedModel trained;
        var settings = o.Settings;
        if (settings.Search is { } s)
        {
            if (evalRows.Length == 0) throw Errors.Config("train.search", "scores each trial on the eval split, and it has no labeled rows; give split.fractions an eval share (e.g. { train: 0.6, eval: 0.2, test: 0.2 }).");
            var metric = ModelTaskMetric.For(o.Task, s.Metric);
            log($"searching {s.Trials} {settings.Trainer} trials ({s.Method}) by eval {metric.Name}");
            (search, trained) = HyperparameterSearch.Run(table, spec, label, settings, o.Split.Key, trainRows, evalRows, metric, log);
            // The winner's drawn values over mlops.yaml's own hyperparameters: what the trainer ran with.
            var winner = new Dictionary<string, double>(settings.Hyperparameters, StringComparer.Ordinal);
            foreach (var (name, value) in search.Results[search.Best - 1].Hyperparameters) winner[name] = value;
            settings = settings with { Hyperparameters = winner, Search = null };
            log($"search: trial {search.Best} wins ({string.Join(", ", search.Results[search.Best - 1].Hyperparameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.####}")))})");
        }
        else
        {
            log($"training {settings.Trainer} on {trainRows.Length} rows (eval: {evalRows.Length})");
            // Its binned dataset is kept for the refit (LightGBM), which boosts on it, or bins train + eval by its bins, instead of binning again.
            trained = MlNetTrainer.Train(table, spec, settings, o.Split.Key, trainRows, evalRows, null, keepBins: settings.Refit && evalRows.Length > 0);
        }

        var metrics = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        CrossValidationRecord? cv = null;
        try
        {
            // Measured while a LightGBM refit may still be boosting alongside (on the other half of the
            // threads). Predictions LightGBM already made are measured on two threads at once; an
            // ML.NET model scores one split after the other.
            var evalMeasured = evalRows.Length > 0 && trained.DirectScore is not null ? Task.Run(() => Measure(trained, spec, table, label, evalRows), CancellationToken.None) : null;
            metrics["train"] = Measure(trained, spec, table, label, Sample(trainRows, TrainMetricRows));
            if (evalRows.Length > 0) metrics["eval"] = evalMeasured?.GetAwaiter().GetResult() ?? Measure(trained, spec, table, label, evalRows);
            if (settings.CrossValidationFolds > 0)
            {
                var rows = Together(trainRows, evalRows);
                if (rows.Length < settings.CrossValidationFolds * 2) throw Errors.Config("train.cv", $"{settings.CrossValidationFolds} folds need at least {settings.CrossValidationFolds * 2} labeled train and eval rows; there are {rows.Length}.");

                // The folds boost on every thread: a refit boosting alongside finishes first.
                trained.Bins?.Refit?.Finish();
                cv = CrossValidation.Run(table, spec, label, settings, o.Split.Key, rows, settings.CrossValidationFolds, log);
            }
        }
        catch
        {
            trained.Bins?.Dispose(); // a refit still boosting stops, and its dataset is freed
            throw;
        }

        var partRows = table.PartNames.ToDictionary(p => p, p => (long)table.RowsOf(p).Length);
        RunRecord Record(TrainedModel model, RefitRecord? refit) => Draft(o, "builtin", partRows, withoutLabel) with
        {
            PositiveClass = spec.PositiveClass,
            Refit = refit,
            CrossValidation = cv,
            Trainer = new TrainerRecord(settings.Trainer, model.Hyperparameters, settings.Seed, TrainerCatalog.Find(settings.Trainer)!.Threads(settings.Threads), settings.EarlyStopping),
            Search = search,
            Inputs = InputRecord.Of(model.Scorer.Inputs),
            Features = model.Plan.Features,
            Excluded = model.Plan.Excluded,
            Classes = model.Scorer.Classes,
            Metrics = metrics,
        };

        // System.Text.Json builds its serializer for run.json's types on first use, about 50 ms
        // that would come after the model is saved. Built here on another thread, from the first
        // fit's record written nowhere, while a core waits for the refit or idles as it is saved.
        var draft = Record(trained, new RefitRecord(0, null));
        _ = Task.Run(() => JsonSerializer.Serialize(Stream.Null, draft, ArtifactJson.Options), CancellationToken.None)
            .ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        // Refit on train + eval with the rounds the first fit settled on: only test stays unseen.
        RefitRecord? refit = null;
        if (settings.Refit && evalRows.Length > 0 && settings.EarlyStopping > 0 && trained.Rounds is null)
        {
            log("not refitting: the rounds early stopping chose cannot be read from this model, and all of them could overfit");
        }
        else if (settings.Refit && evalRows.Length > 0)
        {
            var rows = Together(trainRows, evalRows);
            var hyperparameters = new Dictionary<string, double>(settings.Hyperparameters, StringComparer.Ordinal);
            if (settings.EarlyStopping > 0 && trained.Rounds is { } rounds) hyperparameters["iterations"] = rounds;
            var alongside = trained.Bins?.Refit is not null ? "; boosted alongside the first fit" : string.Empty;
            log($"refitting {settings.Trainer} on train + eval ({rows.Length} rows{(trained.Rounds is { } r ? $", {r} rounds" : string.Empty)}{alongside})");
            var first = trained;
            using (var bins = first.Bins)
            {
                trained = MlNetTrainer.Train(table, spec, settings with { EarlyStopping = 0, Hyperparameters = hyperparameters }, o.Split.Key, rows, [], bins, keepBins: false);
            }

            // A refit on the first fit's dataset as it was keeps that fit's featurizer, now the refit's.
            if (!trained.FeaturizerReused) first.Scorer.Dispose();
            refit = new RefitRecord(rows.Length, trained.Rounds);
        }

        var modelPath = Path.Combine(o.OutputDirectory, "model.zip");
        await AtomicFile.WriteAsync(modelPath, s =>
        {
            using var saved = new MemoryStream();
            trained.Scorer.Save(saved, trained.InputSchema);
            saved.Position = 0;
            ReproducibleZip.Normalize(saved, s);
            return Task.CompletedTask;
        }, cancellationToken);
        RemoveStale(o.OutputDirectory, "model.onnx");

        return new TrainResult(modelPath, string.Empty, Record(trained, refit));
    }

    /// <summary>
    /// Train metrics (a check for overfitting, not a verdict) are measured on at most this many
    /// train rows, evenly spaced: scoring every row of a large split would cost as much as the fit.
    /// </summary>
    internal const int TrainMetricRows = 100_000;

    // Every k-th row, so the sample spans the whole split and is the same every run.
    private static int[] Sample(int[] rows, int max)
    {
        if (rows.Length <= max) return rows;
        var step = (double)rows.Length / max;
        return Enumerable.Range(0, max).Select(i => rows[(int)(i * step)]).ToArray();
    }

    // Train and eval rows as one ascending list: one merge when each is ascending (as the table's
    // parts list them), else a sort.
    private static int[] Together(int[] train, int[] eval) => LightGbmData.Merge(train, eval)?.Rows ?? [.. train.Concat(eval).Order()];

    /// <summary>Metrics of a scorer on labeled rows.</summary>
    internal static IReadOnlyDictionary<string, double> Measure(TrainedModel trained, LabelSpec spec, Table table, TableColumn label, int[] rows) =>
        MetricCalculator.Compute(spec.Attach(label, rows, trained.Score(table, rows)));

    private async Task<TrainResult> RunCommandAsync(TrainOptions o, string command, CancellationToken cancellationToken)
    {
        var outputDir = Path.GetFullPath(o.OutputDirectory);
        var splitDir = Path.Combine(outputDir, "splits");
        log($"splitting {o.Data.Path} into {splitDir}");
        var parts = await HashSplitter.SplitAsync(o.Data, o.Split.Key, o.Split.Fractions, o.Split.Salt, splitDir, cancellationToken);
        foreach (var stale in ModelLoader.FileNames.Append(MetricsFileName).Append(PredictionsFileName)) RemoveStale(outputDir, stale);

        var environment = new Dictionary<string, string>
        {
            ["MLOPS_OUTPUT_DIR"] = outputDir,
            ["MLOPS_LABEL"] = o.Label,
            ["MLOPS_TASK"] = o.Task.Name(),
            ["MLOPS_SEED"] = o.Settings.Seed.ToString(CultureInfo.InvariantCulture),
            ["MLOPS_HYPERPARAMETERS"] = JsonSerializer.Serialize(o.Settings.Hyperparameters),
        };
        if (o.PositiveClass is not null) environment["MLOPS_POSITIVE_CLASS"] = o.PositiveClass;
        foreach (var (name, path, _) in parts) environment[$"MLOPS_{name.ToUpperInvariant()}_DATA"] = Path.GetFullPath(path);

        log($"running: {command}");
        var logPath = Path.Combine(outputDir, "train.log");
        await using (var logFile = new StreamWriter(logPath))
        {
            await CommandRunner.RunAsync(command, environment, Path.GetFullPath(o.WorkingDirectory), o.Settings.Timeout, line =>
            {
                log(line);
                logFile.WriteLine(line);
            }, cancellationToken);
        }

        var model = ModelLoader.FileNames.Select(f => Path.Combine(outputDir, f)).FirstOrDefault(File.Exists)
            ?? throw Errors.Data(outputDir, $"train.command succeeded but wrote no model; write model.onnx or model.zip into $MLOPS_OUTPUT_DIR.");
        // Only an ONNX export may need the data's columns and labels; model.zip carries its own schema.
        var binding = ModelLoader.FormatOf(model) == "onnx"
            ? await BindingFromTrainSplitAsync(o, parts.FirstOrDefault(p => p.Name == "train").Path, cancellationToken)
            : new ModelBinding { Settings = o.Model, PositiveClass = o.PositiveClass };
        IReadOnlyList<ModelInput> inputs;
        IReadOnlyList<string>? classes;
        ModelMapping? mapping;
        using (var scorer = ModelLoader.Load(model, o.Task, binding))
        {
            if (scorer.RowsUnavailable is { } why)
            {
                // A model ONNX Runtime cannot score from rows is still evaluated, from the predictions the command wrote.
                if (!File.Exists(Path.Combine(outputDir, PredictionsFileName)))
                {
                    throw Errors.Data(model, $"{why} Or write {PredictionsFileName} for the evaluation rows beside the model.");
                }

                log($"the model cannot score rows ({why}); evaluate will use {PredictionsFileName}");
            }
            inputs = scorer.Inputs;
            classes = (scorer as OnnxScorer)?.Classes ?? (scorer as MlNetScorer)?.Classes;
            mapping = (scorer as OnnxScorer)?.Mapping;
        }

        foreach (var line in mapping?.Describe() ?? []) log($"model input {line}");

        var metrics = await ReadMetricsAsync(Path.Combine(outputDir, MetricsFileName), cancellationToken);
        var record = Draft(o, "command", parts.ToDictionary(p => p.Name, p => p.Rows), 0) with
        {
            Command = new CommandRecord(command, o.Settings.Timeout.TotalSeconds, o.WorkingDirectory),
            Inputs = InputRecord.Of(inputs),
            Classes = classes,
            Mapping = mapping,
            Metrics = metrics,
        };
        return new TrainResult(model, string.Empty, record);
    }

    /// <summary>
    /// What an exported model needs from the data it was trained on: the feature columns in file
    /// order (for a matrix input nobody named) and the label values, sorted (for classes nobody named).
    /// </summary>
    private static async Task<ModelBinding> BindingFromTrainSplitAsync(TrainOptions o, string? trainPath, CancellationToken cancellationToken)
    {
        if (trainPath is null || !File.Exists(trainPath)) return new ModelBinding { Settings = o.Model, PositiveClass = o.PositiveClass };
        var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal) { [o.Label] = o.Task == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Text };
        var table = await TableLoader.LoadAsync(new Data.DatasetSource { Path = trainPath }, declared, null, cancellationToken);
        return new ModelBinding
        {
            Settings = o.Model,
            DataColumns = ModelInputs.FeatureColumns(table, o.Label, o.Split.Key, o.Settings.Exclude),
            TrainingClasses = o.Task == ModelTask.Regression || table.Find(o.Label) is not { } label ? null
                : ModelInputs.LabelValues(label, Enumerable.Range(0, table.RowCount)),
            PositiveClass = o.PositiveClass,
        };
    }

    /// <summary>
    /// Reads the command's metrics.json: either {"name": number} (taken as eval metrics) or
    /// {"train": {...}, "eval": {...}}. Absent is fine; malformed is an error naming the file.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>> ReadMetricsAsync(string path, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        if (!File.Exists(path)) return result;
        try
        {
            await using var stream = File.OpenRead(path);
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Errors.Data(path, "expected a JSON object of metric names to numbers.");
            var flat = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind == JsonValueKind.Number) flat[p.Name] = p.Value.GetDouble();
                else if (p.Value.ValueKind == JsonValueKind.Object)
                {
                    result[p.Name] = p.Value.EnumerateObject().ToDictionary(
                        m => m.Name,
                        m => m.Value.ValueKind == JsonValueKind.Number ? m.Value.GetDouble() : throw Errors.Data(path, $"metric '{p.Name}.{m.Name}' is not a number."));
                }
                else throw Errors.Data(path, $"metric '{p.Name}' is not a number.");
            }

            if (flat.Count > 0) result["eval"] = flat;
            return result;
        }
        catch (JsonException e)
        {
            throw Errors.Data(path, $"invalid JSON ({e.Message.Split('\n')[0]}).");
        }
    }

    private static void RemoveStale(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (File.Exists(path)) File.Delete(path);
    }
}
