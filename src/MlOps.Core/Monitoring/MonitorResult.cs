using MlOps.Artifacts;
using MlOps.Data;
using MlOps.Scoring;
using MlOps.Validation.Drift;

namespace MlOps.Monitoring;

/// <summary>What <see cref="ProductionMonitor"/> watches and where its artifacts go.</summary>
public sealed record MonitorOptions
{
    /// <summary>The prediction log files (rotated files, a folder's, a glob's).</summary>
    public required IReadOnlyList<string> LogFiles { get; init; }

    /// <summary>The model name in the log and the registry.</summary>
    public required string Model { get; init; }

    /// <summary>Only entries at or after this time (null: all).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The length of each window of the time series (null: none).</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The drift rules (monitor.drift, else validate.drift).</summary>
    public DriftOptions Drift { get; init; } = new();

    /// <summary>The monitor rules of mlops.yaml.</summary>
    public MonitorSettings Settings { get; init; } = new();

    /// <summary>Ground truth that arrived later (null: no decay check).</summary>
    public DatasetSource? Labels { get; init; }

    /// <summary>The task (mlops.yaml; else the served version's run.json).</summary>
    public ModelTask? Task { get; init; }

    /// <summary>The project's label column (the labels file's default).</summary>
    public string? Label { get; init; }

    /// <summary>The positive class of a binary task (else the version's run.json).</summary>
    public string? PositiveClass { get; init; }

    /// <summary>Where monitoring.json, report.md and one folder per version go.</summary>
    public required string OutputDirectory { get; init; }
}

/// <summary>One failed rule: what an alert is raised for, one per model, rule and subject.</summary>
/// <param name="Version">The version it concerns.</param>
/// <param name="Rule">input drift, schema anomaly, prediction drift, performance decay or not checked.</param>
/// <param name="Subject">The column or metric.</param>
/// <param name="Detail">The measurement.</param>
public sealed record MonitorFinding(string Version, string Rule, string Subject, string Detail)
{
    /// <summary>The alert's title, stable while the problem lasts: "Model penguins v3: input drift in body_mass_g".</summary>
    public string Title(string model) => $"Model {model} v{Version}: {Rule} in {Subject}";
}

/// <summary>One window of a version's traffic: how far its worst column is past its drift threshold.</summary>
/// <param name="Start">The window's start (UTC).</param>
/// <param name="Rows">Rows served in it.</param>
/// <param name="Ratio">The largest score ÷ threshold over the columns (above 1 is drift).</param>
/// <param name="Column">The column with that ratio.</param>
/// <param name="Drifted">Columns that drifted in the window.</param>
public sealed record WindowPoint(DateTimeOffset Start, long Rows, double Ratio, string? Column, IReadOnlyList<string> Drifted);

/// <summary>The performance rule on rows whose labels arrived.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Rows">Labeled rows joined to the log.</param>
/// <param name="Production">The metric on them.</param>
/// <param name="Interval">Its bootstrap interval.</param>
/// <param name="Evaluation">The version's value at evaluation (the registry's).</param>
/// <param name="MaxDrop">The allowed drop.</param>
/// <param name="Passed">Within the allowed drop.</param>
/// <param name="Detail">The sentence for the report.</param>
public sealed record DecayResult(string Metric, int Rows, double? Production, Interval? Interval, double? Evaluation, double MaxDrop, bool Passed, string Detail);

/// <summary>One served version against its own training statistics and evaluation.</summary>
/// <param name="Version">The registry version that served the rows.</param>
/// <param name="Rows">Logged rows.</param>
/// <param name="Passed">Every rule passed.</param>
/// <param name="Drifted">Drifted input columns, with score and method.</param>
/// <param name="Anomalies">Schema anomalies of the served inputs.</param>
/// <param name="Folder">The version's validate artifacts.</param>
/// <param name="Problem">Why it could not be checked at all (fails closed).</param>
public sealed record VersionMonitoring(string Version, long Rows, bool Passed, IReadOnlyList<string> Drifted, IReadOnlyList<string> Anomalies, string? Folder, string? Problem)
{
    /// <summary>Drifted output columns against the evaluation-time predictions (null: not compared).</summary>
    public IReadOnlyList<string>? PredictionDrift { get; init; }

    /// <summary>Why the outputs could not be compared (fails).</summary>
    public string? PredictionProblem { get; init; }

    /// <summary>The performance rule (null: no labels given).</summary>
    public DecayResult? Decay { get; init; }

    /// <summary>The time series (empty without a window).</summary>
    public IReadOnlyList<WindowPoint> Windows { get; init; } = [];

    /// <summary>The first logged time of the version's rows.</summary>
    public DateTimeOffset? First { get; init; }

    /// <summary>The last logged time.</summary>
    public DateTimeOffset? Last { get; init; }
}

/// <summary>How the labels joined.</summary>
/// <param name="Path">The labels file.</param>
/// <param name="Key">The join column.</param>
/// <param name="Labels">Labeled rows in the file.</param>
/// <param name="Joined">Those that found their logged row.</param>
/// <param name="Duplicates">Join keys given more than once.</param>
public sealed record LabelSummary(string Path, string Key, int Labels, int Joined, long Duplicates);

/// <summary>The monitor's verdict.</summary>
/// <param name="Model">The model.</param>
/// <param name="Passed">Every version passed every rule.</param>
/// <param name="Versions">Per served version.</param>
/// <param name="Log">What the log held.</param>
/// <param name="Warnings">Malformed lines, a partial last line, unjoined labels.</param>
public sealed record MonitorResult(string Model, bool Passed, IReadOnlyList<VersionMonitoring> Versions, PredictionLogContents Log, IReadOnlyList<string> Warnings)
{
    /// <summary>monitoring.json.</summary>
    public const string FileName = "monitoring.json";

    /// <summary>The failed rules, one per version, rule and subject (what alerts are raised for).</summary>
    public IReadOnlyList<MonitorFinding> Findings { get; init; } = [];

    /// <summary>How labels joined (null: none given).</summary>
    public LabelSummary? Labels { get; init; }

    /// <summary>The window of the time series (null: none).</summary>
    public string? Window { get; init; }
}
