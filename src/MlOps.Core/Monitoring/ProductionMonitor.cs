using System.Globalization;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Registry;
using MlOps.Scoring;
using MlOps.Training;
using MlOps.Validation;
using MlOps.Validation.Drift;
using MlOps.Validation.Schema;
using MlOps.Validation.Statistics;
using static System.FormattableString;

namespace MlOps.Monitoring;

/// <summary>
/// The monitor stage: production traffic from the prediction log against what the version that
/// served it was trained and evaluated on (the registry's stats.json, schema.json and
/// prediction-stats.json, and its evaluation metrics when labels arrive), with validate's drift
/// rules. What cannot be checked fails: a version without stored statistics, too few labels.
/// </summary>
public sealed class ProductionMonitor(ModelRegistry registry, Action<string> log)
{
    /// <summary>Runs the stage.</summary>
    /// <exception cref="DataException">The window holds no logged rows of the model, or the labels cannot be read.</exception>
    public async Task<MonitorResult> RunAsync(MonitorOptions o, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(o.OutputDirectory);
        LabelJoin? labels = null;
        if (o.Labels is { } source)
        {
            var task = o.Task ?? throw Errors.Config("task", "is needed to read --labels; set task: in mlops.yaml.");
            if (o.Settings.Decay.Metric is { } metric && !MetricNames.For(task).Contains(metric))
            {
                throw Errors.Config("monitor.decay.metric", $"'{metric}' is not a {task.Name()} metric; expected one of {string.Join(", ", MetricNames.For(task))}.");
            }

            var column = o.Settings.Labels.Column ?? o.Label ?? throw Errors.Config("monitor.labels.column", "names the labels' truth column (or set label: in mlops.yaml).");
            labels = await LabelJoin.LoadAsync(source, column, o.Settings.Labels.Key, task, cancellationToken);
            log($"{labels.Count:N0} labels from {source.Path}, joined on {labels.Key}");
        }

        // Every core parses and profiles its share of the log; the shares are merged per version.
        var (contents, parts) = await PredictionLogReader.ReadAsync(
            o.LogFiles,
            o.Model,
            o.Since,
            () => new Dictionary<string, VersionTraffic>(StringComparer.Ordinal),
            (mine, entry, version, time, inputs) =>
            {
                if (!mine.TryGetValue(version, out var t)) mine[version] = t = new VersionTraffic(version, o.Window);
                t.Add(entry, time, inputs, labels);
            },
            Environment.ProcessorCount,
            cancellationToken);
        var traffic = parts.SelectMany(p => p).GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => ServedVersion.Combine(g.Key, g.Select(p => p.Value).ToList()), StringComparer.Ordinal);

        var warnings = new List<string>();
        if (contents.Malformed > 0) warnings.Add($"{contents.Malformed} log lines are not log entries (first at {contents.FirstMalformed}); they were skipped.");
        if (contents.PartialLast) warnings.Add("a log file ends mid-line (the writer stopped while writing); read up to its last whole line.");
        var rows = traffic.Values.Sum(v => v.All.Rows);
        if (rows == 0)
        {
            throw Errors.Data(string.Join(", ", o.LogFiles.Take(3)), $"no logged rows of '{o.Model}'{(o.Since is { } s ? $" since {s:yyyy-MM-dd HH:mm}Z" : string.Empty)} ({contents.Entries} entries of it, {contents.OtherModels} of other models, {contents.OutsideWindow} older, {contents.Malformed} malformed, in {contents.Files} files).");
        }

        LabelSummary? labelSummary = null;
        if (labels is not null)
        {
            var joined = traffic.Values.Sum(v => v.Joined.Count);
            labelSummary = new LabelSummary(labels.Path, labels.Key, labels.Count, joined, labels.Duplicates);
            if (joined < labels.Count) warnings.Add($"{labels.Count - joined:N0} of {labels.Count:N0} labels found no logged row on {labels.Key} (not logged, sampled out, or outside the window).");
            if (labels.Duplicates > 0) warnings.Add($"{labels.Duplicates:N0} labels repeat a {labels.Key} already given; the last one counts.");
        }

        foreach (var w in warnings) log($"warning: {w}");
        var versions = new List<VersionMonitoring>();
        foreach (var (_, t) in traffic.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            versions.Add(await CheckAsync(o, t, labels, cancellationToken));
        }

        var result = new MonitorResult(o.Model, versions.All(v => v.Passed), versions, contents, warnings)
        {
            Findings = versions.SelectMany(Findings).ToList(),
            Labels = labelSummary,
            Window = o.Settings.Window,
        };
        await ArtifactJson.WriteAsync(Path.Combine(o.OutputDirectory, MonitorResult.FileName), result, cancellationToken);
        await AtomicFile.WriteTextAsync(Path.Combine(o.OutputDirectory, ArtifactKinds.Report), MonitorReport.Render(result), cancellationToken);
        return result;
    }

    private async Task<VersionMonitoring> CheckAsync(MonitorOptions o, ServedVersion t, LabelJoin? labels, CancellationToken cancellationToken)
    {
        var version = t.Version;
        var rows = t.All.Rows;
        VersionMonitoring Unchecked(string problem) => new(version, rows, false, [], [], null, problem) { First = t.Span?.First, Last = t.Span?.Last };
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return Unchecked("served from a file, not a registry version: there are no training statistics to compare with.");
        }

        ModelVersion manifest;
        try
        {
            manifest = await registry.GetAsync(o.Model, number, cancellationToken);
        }
        catch (MlOpsException e)
        {
            return Unchecked($"v{number} is not readable in the registry ({e.Message.Split('\n')[0]}).");
        }

        var files = await registry.PullAsync(manifest, Path.Combine(o.OutputDirectory, "registry", $"v{number}"), cancellationToken);
        if (!files.TryGetValue(ArtifactKinds.Stats, out var statsPath))
        {
            return Unchecked($"v{number} was registered without stats.json (register with --validation), so its inputs cannot be compared with training.");
        }

        var run = files.TryGetValue(RunRecord.FileName, out var runPath) ? await RunRecord.ReadAsync(runPath, cancellationToken) : null;
        var inputs = t.All.Inputs;
        var served = inputs.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

        // Served inputs carry the model's columns only: the schema is checked for those, without the training set's row bounds.
        DatasetSchema? schema = null;
        if (files.TryGetValue(ArtifactKinds.Schema, out var schemaPath))
        {
            var declared = await SchemaFile.ReadAsync(schemaPath, cancellationToken);
            schema = declared with { Columns = declared.Columns.Where(c => served.Contains(c.Name)).ToList(), MinRows = null, MaxRows = null, AllowNewColumns = true };
        }

        var folder = Path.Combine(o.OutputDirectory, $"v{number}");
        log($"v{number}: {rows:N0} served rows against its training statistics");
        var training = await StatsFile.ReadAsync(statsPath, cancellationToken);
        var validation = await Validator.CheckAsync(inputs, schema, training, o.Drift, folder, null, cancellationToken);
        var drifted = validation.Drift?.Columns.Where(c => c.Drifted).Select(Describe).ToList() ?? [];
        var anomalies = validation.Anomalies.Select(a => $"{a.Column}: {a.Kind}").ToList();

        IReadOnlyList<string>? predictionDrift = null;
        string? predictionProblem = null;
        var predictionFailed = false;
        if (o.Settings.Predictions)
        {
            if (!files.TryGetValue(PredictionProfile.FileName, out var predictionStats))
            {
                predictionProblem = $"v{number} was registered without {PredictionProfile.FileName} (evaluate and register it with this mlops, or set monitor.predictions: false).";
            }
            else
            {
                var report = DriftDetector.Compare(await StatsFile.ReadAsync(predictionStats, cancellationToken), t.All.Outputs, o.Drift);
                await ArtifactJson.WriteAsync(Path.Combine(folder, "prediction-drift.json"), report, cancellationToken);
                predictionDrift = report.Columns.Where(c => c.Drifted).Select(Describe).ToList();
                predictionFailed = report.Drifted;
            }
        }

        var windows = t.Windows.Select(w => Window(w.Key, w.Value, training, o.Drift)).ToList();
        var decay = labels is null ? null : Decay(o, t, labels, manifest, run);
        var passed = validation.Passed && predictionProblem is null && !predictionFailed && decay?.Passed != false;
        return new VersionMonitoring(version, rows, passed, drifted, anomalies, folder, null)
        {
            PredictionDrift = predictionDrift,
            PredictionProblem = predictionProblem,
            Decay = decay,
            Windows = windows,
            First = t.Span?.First,
            Last = t.Span?.Last,
        };
    }

    private static WindowPoint Window(DateTimeOffset start, TrafficProfile traffic, DatasetProfile training, DriftOptions drift)
    {
        var report = DriftDetector.Compare(training, traffic.Inputs, drift);
        var compared = report.Columns.Where(c => c.Skipped is null && c.Threshold > 0).ToList();
        var worst = compared.OrderByDescending(c => c.Score / c.Threshold).FirstOrDefault();
        return new WindowPoint(start, traffic.Rows, worst is null ? 0 : worst.Score / worst.Threshold, worst?.Column, report.Columns.Where(c => c.Drifted).Select(c => c.Column).ToList());
    }

    private static DecayResult Decay(MonitorOptions o, ServedVersion t, LabelJoin labels, ModelVersion manifest, RunRecord? run)
    {
        var task = o.Task!.Value;
        var metric = o.Settings.Decay.Metric ?? MetricNames.Primary(task);
        var rule = o.Settings.Decay;
        DecayResult Fail(string why) => new(metric, t.Joined.Count, null, null, manifest.Metrics.TryGetValue(metric, out var e) ? e : null, rule.MaxDrop, false, why);
        if (t.Joined.Count < rule.MinRows)
        {
            return Fail($"cannot check: {t.Joined.Count:N0} labeled rows joined, fewer than monitor.decay.min-rows ({rule.MinRows}).");
        }

        if (!manifest.Metrics.TryGetValue(metric, out var evaluation) || !double.IsFinite(evaluation))
        {
            return Fail($"cannot check: v{manifest.Version} has no {MetricNames.Display(metric)} from its evaluation to compare with.");
        }

        LabeledPredictions data;
        try
        {
            var rows = t.Joined.LabelRows;
            var spec = LabelSpec.Resolve(labels.Label.Name, task, o.PositiveClass ?? run?.PositiveClass, labels.Label, rows, labels.Path);
            data = spec.Attach(labels.Label, rows, t.Joined.ToPredictions()!);
        }
        catch (MlOpsException e)
        {
            return Fail($"cannot check: {e.Message.Split('\n')[0]}");
        }

        var value = MetricCalculator.Compute(data)[metric];
        if (!double.IsFinite(value))
        {
            return Fail($"cannot check: {MetricCalculator.WhyUndefined(data, metric, value) ?? $"{MetricNames.Display(metric)} is undefined on the labeled rows"}.");
        }

        var interval = PairedBootstrap.Run(data, null, 0.5, 1000, 0.95, 20260101).Candidate.GetValueOrDefault(metric);
        var drop = MetricNames.HigherIsBetter(metric) ? evaluation - value : value - evaluation;
        var passed = drop <= rule.MaxDrop + 1e-9;
        var detail = Invariant($"{MetricNames.Display(metric)} {value:0.####} {MarkdownText.Interval(interval)} on {data.Count:N0} labeled rows vs {evaluation:0.####} at evaluation: {(drop > 0 ? $"worse by {drop:0.####}" : "no worse")}{(passed ? $", within max-drop {rule.MaxDrop:0.####}" : $", more than max-drop {rule.MaxDrop:0.####}")}.");
        return new DecayResult(metric, data.Count, value, interval, evaluation, rule.MaxDrop, passed, detail);
    }

    private static string Describe(ColumnDrift c) => string.Create(CultureInfo.InvariantCulture, $"{c.Column} ({c.Method} {c.Score:0.###} > {c.Threshold:0.###})");

    private static IEnumerable<MonitorFinding> Findings(VersionMonitoring v)
    {
        static string Column(string described) => described.Split(" (")[0];
        if (v.Passed) yield break; // a drifted column within max-drifted-share is reported, not alerted
        if (v.Problem is { } p) yield return new MonitorFinding(v.Version, "not checked", "its statistics", p);
        foreach (var d in v.Drifted) yield return new MonitorFinding(v.Version, "input drift", Column(d), d);
        foreach (var a in v.Anomalies) yield return new MonitorFinding(v.Version, "schema anomaly", a.Split(':')[0], a);
        if (v.PredictionProblem is { } pp) yield return new MonitorFinding(v.Version, "not checked", "its predictions", pp);
        foreach (var d in v.PredictionDrift ?? []) yield return new MonitorFinding(v.Version, "prediction drift", Column(d), d);
        if (v.Decay is { Passed: false } decay) yield return new MonitorFinding(v.Version, "performance decay", MetricNames.Display(decay.Metric), decay.Detail);
    }
}
