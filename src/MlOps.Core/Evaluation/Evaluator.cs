using System.Diagnostics;
using MlOps.Artifacts;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;
using MlOps.Validation.Statistics;
using static System.FormattableString;

namespace MlOps.Evaluation;

/// <summary>
/// The evaluate stage: scores the candidate and the baseline on the same rows, computes every
/// metric with paired-bootstrap intervals, slices and permutation importance, checks the gates,
/// and writes evaluation.json and report.md. Not blessed is an outcome (exit 1), not an error.
/// </summary>
public sealed class Evaluator(Action<string> log)
{
    private const int LatencySamples = 200;

    /// <summary>Runs the stage.</summary>
    public async Task<EvaluationResult> RunAsync(EvaluateOptions o, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var s = o.Settings;
        Contender? candidate = null, baseline = null;
        try
        {
            candidate = Contender.Open("candidate", o.Candidate, o.CandidatePredictions, o);
            baseline = o.Baseline is null ? null : Contender.Open("baseline", o.Baseline, o.BaselinePredictions, o);

            // Load columns as the models read them, so a category coded as numbers stays a category.
            var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
            foreach (var input in candidate.Inputs.Concat(baseline?.Inputs ?? [])) declared[input.Name] = input.Kind;
            declared[o.Label] = o.Task == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Text;
            if ((o.CandidatePredictions ?? o.BaselinePredictions) is not null && Contender.PredictionsKey(o) is { } key) declared[key] = ColumnKind.Text; // ids join as written
            var split = s.Split == "all" ? null : new SplitRule(o.Split.Key, o.Split.Salt, o.Split.Fractions);
            log($"reading {o.Data.Path}");
            var table = await TableLoader.LoadAsync(o.Data, declared, split, cancellationToken);
            candidate.Bind(table);
            baseline?.Bind(table);
            return await RunAsync(o, candidate, baseline, table, split, watch, cancellationToken);
        }
        finally
        {
            candidate?.Dispose();
            baseline?.Dispose();
        }
    }

    private async Task<EvaluationResult> RunAsync(EvaluateOptions o, Contender candidate, Contender? baseline, Table table, SplitRule? split, Stopwatch watch, CancellationToken cancellationToken)
    {
        var s = o.Settings;
        var labelColumn = table.Find(o.Label) ?? throw Errors.Data(o.Data.Path, $"the label column '{o.Label}' is not in the data; columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
        if (split is not null && !table.PartNames.Contains(s.Split))
        {
            throw Errors.Config("evaluate.split", $"'{s.Split}' is not a split part; expected {string.Join(", ", table.PartNames)} or all.");
        }

        var rows = LabelSpec.Labeled(labelColumn, split is null ? Enumerable.Range(0, table.RowCount).ToArray() : table.RowsOf(s.Split));
        if (rows.Length == 0) throw Errors.Data(o.Data.Path, $"no labeled rows in the '{s.Split}' split to evaluate on.");
        var label = LabelSpec.Resolve(o.Label, o.Task, o.PositiveClass ?? o.Candidate.Run?.PositiveClass, labelColumn, rows, o.Data.Path);

        log($"scoring {rows.Length} rows with the candidate{(baseline is null ? string.Empty : " and the baseline")}");
        var candidateData = label.Attach(labelColumn, rows, KnownClasses(Finite(await candidate.PredictAsync(table, rows, label, labelColumn, cancellationToken), "candidate", candidate.Path, rows, s.Split), labelColumn, rows, "candidate", candidate.Path));
        var baselineData = baseline is null ? null : label.Attach(labelColumn, rows, KnownClasses(Finite(await baseline.PredictAsync(table, rows, label, labelColumn, cancellationToken), "baseline", baseline.Path, rows, s.Split), labelColumn, rows, "baseline", baseline.Path));
        var threshold = s.Threshold;
        var candidateMetrics = MetricCalculator.Compute(candidateData, threshold);
        var baselineMetrics = baselineData is null ? null : MetricCalculator.Compute(baselineData, threshold);

        log($"bootstrap: {s.Resamples} paired resamples");
        var boot = s.Resamples > 0 ? PairedBootstrap.Run(candidateData, baselineData, threshold, s.Resamples, s.Confidence, s.Seed) : null;
        var metrics = new Dictionary<string, MetricComparison>(StringComparer.Ordinal);
        foreach (var name in MetricNames.For(o.Task))
        {
            var c = candidateMetrics[name];
            double? b = baselineMetrics?[name];
            var deltaInterval = boot?.Delta.GetValueOrDefault(name);
            metrics[name] = new MetricComparison(c, boot?.Candidate.GetValueOrDefault(name), b, b is null ? null : c - b, deltaInterval, MetricNames.HigherIsBetter(name))
            {
                Undefined = MetricCalculator.WhyUndefined(candidateData, name, c) ?? (baselineData is null || b is not { } bv ? null : MetricCalculator.WhyUndefined(baselineData, name, bv)),
                DetectableChange = GateEvaluator.DetectableChange(deltaInterval, s.Confidence, rows.Length, MetricNames.IsShareOfRows(name)),
            };
        }

        var primary = MetricNames.Primary(o.Task);
        var sliceMetric = s.Slices.Metric ?? (o.Task == ModelTask.Regression ? MetricNames.Mae : MetricNames.Accuracy);
        var slices = new List<SliceColumnResult>();
        foreach (var name in s.Slices.Columns)
        {
            var column = table.Find(name) ?? throw Errors.Config("evaluate.slices.columns", $"the column '{name}' is not in the data; columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
            slices.Add(SliceAnalyzer.Analyze(column, rows, candidateData, baselineData, sliceMetric, s.Slices.MinSize, threshold));
        }

        // Importance and latency need the model itself; a predictions file has neither.
        IReadOnlyList<FeatureImportance> importance = [];
        if (candidate.Scorer is { } scorer)
        {
            log("permutation importance");
            importance = PermutationImportance.Compute(scorer, table, rows, label, labelColumn, primary, threshold, s.ImportanceRepeats, s.ImportanceRows, s.Seed);
        }

        var latency = candidate.Scorer is { } timed ? Latency(timed, baseline?.Scorer, table, rows) : null;
        var candidateRef = await Reference(candidate, null, cancellationToken);

        var gates = new List<GateResult>();
        var metricGates = s.Gates.Count > 0 ? s.Gates : GateEvaluator.Defaults(o.Task);
        foreach (var gate in metricGates)
        {
            if (!metrics.TryGetValue(gate.Metric, out var m))
            {
                throw Errors.Config("evaluate.gates", $"'{gate.Metric}' is not a {o.Task.Name()} metric; expected one of {string.Join(", ", MetricNames.For(o.Task))}.");
            }

            gates.Add(GateEvaluator.Check(gate, m, s.Confidence, s.MinDetectableChange, rows.Length));
        }

        if (s.Slices.MaxGap is { } maxGap)
        {
            foreach (var slice in slices)
            {
                gates.Add(slice.Gap is { } gap
                    ? new GateResult($"slice gap {slice.Column} ({slice.Metric}, max {maxGap:0.####})", gap <= maxGap, Invariant($"largest gap {gap:0.####} between slices of at least {s.Slices.MinSize} rows{(slice.BaselineGap is { } bg ? Invariant($" (baseline {bg:0.####})") : string.Empty)}"))
                    : new GateResult($"slice gap {slice.Column}", true, $"fewer than two slices have {s.Slices.MinSize} rows; not gated"));
            }
        }

        if (s.MaxLatencyP95Ms is { } maxLatency)
        {
            // Fail closed: a predictions file says nothing about how fast the model is.
            gates.Add(latency is null
                ? new GateResult(Invariant($"latency p95 (max {maxLatency:0.##} ms)"), false, "cannot be measured: the candidate was evaluated from a predictions file")
                : new GateResult(Invariant($"latency p95 (max {maxLatency:0.##} ms)"), latency.P95Ms <= maxLatency, Invariant($"{latency.P95Ms:0.###} ms single-row p95 over {latency.Samples} rows")));
        }

        if (s.MaxModelSizeMb is { } maxSize)
        {
            var mb = candidateRef.Bytes / 1e6;
            gates.Add(new GateResult(Invariant($"model size (max {maxSize:0.##} MB)"), mb <= maxSize, Invariant($"{mb:0.###} MB")));
        }

        var failed = gates.Where(g => !g.Passed).ToList();
        var reasons = failed.Select(g => $"{g.Name}: {g.Detail}").ToList();
        if (baseline is null) reasons.Add($"no baseline: {o.BaselineNote ?? "none was given"}; only absolute thresholds were checked.");
        var warnings = gates.Select(g => g.Warning).OfType<string>().ToList();
        var (fingerprint, _) = await DataFingerprint.DatasetAsync(o.Data.ResolveFiles(), cancellationToken);
        var result = new EvaluationResult
        {
            Blessed = failed.Count == 0,
            Reasons = reasons,
            Warnings = warnings,
            Project = o.Project,
            Task = o.Task.Name(),
            Candidate = candidateRef,
            Baseline = baseline is null ? null : await Reference(baseline, o.BaselineSource, cancellationToken),
            BaselineNote = baseline is null ? o.BaselineNote ?? "no baseline" : null,
            Data = new EvaluationData(o.Data.Path, s.Split, rows.Length, fingerprint),
            Threshold = o.Task == ModelTask.Binary ? threshold : null,
            Metrics = metrics,
            Confusion = Confusion(candidateData, threshold),
            Slices = slices,
            Importance = importance,
            Latency = latency,
            Gates = gates,
            Bootstrap = new BootstrapSettings(s.Resamples, s.Confidence, s.Seed),
            DurationSeconds = watch.Elapsed.TotalSeconds,
        };
        // What the candidate predicted on these rows: the reference the monitor compares production outputs with.
        await StatsFile.WriteAsync(Path.Combine(o.OutputDirectory, PredictionProfile.FileName), PredictionProfile.Of(candidateData.Predictions, $"{o.Data.Path} ({s.Split} split) predictions"), cancellationToken);
        await ArtifactJson.WriteAsync(Path.Combine(o.OutputDirectory, EvaluationResult.FileName), result, cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(o.OutputDirectory, ArtifactKinds.Report), EvaluationReport.Render(result), cancellationToken);
        return result;
    }

    // A NaN probability would make every metric meaningless (and used to hang the ranking walk):
    // it is the model's or the data's fault, said with the rows to look at.
    private static Predictions Finite(Predictions predictions, string which, string modelPath, int[] rows, string split)
    {
        var (count, first) = MetricCalculator.NonFinite(predictions);
        if (count == 0) return predictions;
        var where = string.Join(", ", first.Select(i => (rows[i] + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        throw Errors.Data(modelPath, $"the {which} model gave {count} non-finite predictions (NaN or infinite) on the '{split}' rows, first at data rows {where}{(count > first.Count ? ", ..." : string.Empty)}; missing or extreme input values reach a model without an imputer. Fill or drop them, or put imputation inside the model.");
    }

    // Class names that share nothing with the labels (an exporter's 0, 1, 2 against species names) would score every row wrong, silently.
    private static Predictions KnownClasses(Predictions predictions, TableColumn label, int[] rows, string which, string modelPath)
    {
        if (predictions.Task != ModelTask.Multiclass) return predictions;
        var truth = rows.Select(label.Format).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (truth.Any(predictions.Classes!.Contains)) return predictions;
        throw Errors.Data(modelPath, $"none of the label values ({string.Join(", ", truth.Take(5))}{(truth.Count > 5 ? ", ..." : string.Empty)}) is a class of the {which} model ({string.Join(", ", predictions.Classes!.Take(10))}); name its classes in output order in mlops.yaml model.classes.");
    }

    private static ConfusionRecord? Confusion(LabeledPredictions data, double threshold)
    {
        if (data.Predictions.Task == ModelTask.Binary)
        {
            var (tp, fp, tn, fn) = MetricCalculator.Confusion(data, threshold);
            return new ConfusionRecord(tp, fp, tn, fn, null, null);
        }

        if (data.Predictions.Task != ModelTask.Multiclass) return null;
        var m = MetricCalculator.ConfusionMatrix(data);
        var k = data.Predictions.Classes!.Count;
        var matrix = Enumerable.Range(0, k).Select(a => (IReadOnlyList<long>)Enumerable.Range(0, k).Select(p => m[a, p]).ToList()).ToList();
        return new ConfusionRecord(null, null, null, null, data.Predictions.Classes, matrix);
    }

    // Single-row latency: what a request to a serving endpoint pays for the model itself.
    private static LatencyRecord Latency(IModelScorer candidate, IModelScorer? baseline, Table table, int[] rows)
    {
        var sample = rows.Take(LatencySamples).ToArray();
        static double[] Measure(IModelScorer scorer, Table table, int[] sample)
        {
            scorer.Score(table, sample[..1]);
            var times = new double[sample.Length];
            for (var i = 0; i < sample.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                scorer.Score(table, [sample[i]]);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(times);
            return times;
        }

        var c = Measure(candidate, table, sample);
        double? b = baseline is null ? null : Percentile(Measure(baseline, table, sample), 0.95);
        return new LatencyRecord(sample.Length, Percentile(c, 0.5), Percentile(c, 0.95), b);
    }

    private static double Percentile(double[] sorted, double q) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(q * sorted.Length) - 1)];

    private static async Task<ModelRef> Reference(Contender c, string? source, CancellationToken cancellationToken)
    {
        // A model evaluated from the predictions beside it keeps its own identity (register and report check the model's SHA-256).
        var onlyPredictions = c.PredictionsPath is not null && c.PredictionsPath == c.Location.ModelPath;
        var (sha, bytes) = await DataFingerprint.FileAsync(c.Location.ModelPath, cancellationToken);
        var format = onlyPredictions ? "predictions" : ModelLoader.FormatOf(c.Location.ModelPath);
        return new ModelRef(c.Location.ModelPath, format, sha, bytes, c.Location.Run?.RunId, source) { Mapping = (c.Scorer as OnnxScorer)?.Mapping, Predictions = c.PredictionsPath };
    }
}
