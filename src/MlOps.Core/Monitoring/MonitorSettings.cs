using MlOps.Validation.Drift;

namespace MlOps.Monitoring;

/// <summary><c>monitor:</c> in mlops.yaml: the rules production is held to.</summary>
public sealed record MonitorSettings
{
    /// <summary>Only entries from the last window (90m, 24h, 7d; null: the whole log).</summary>
    public string? Since { get; init; }

    /// <summary>The length of each window of the time series (null: none).</summary>
    public string? Window { get; init; }

    /// <summary>Drift rules for served inputs and outputs (null: validate.drift's).</summary>
    public DriftOptions? Drift { get; init; }

    /// <summary>Compare the outputs with the predictions the version made at evaluation (default on).</summary>
    public bool Predictions { get; init; } = true;

    /// <summary>The performance rule when labels arrive.</summary>
    public DecaySettings Decay { get; init; } = new();

    /// <summary>How labels join the log.</summary>
    public LabelSettings Labels { get; init; } = new();
}

/// <summary><c>monitor.decay:</c> how far a metric may fall below the version's evaluation before the monitor fails.</summary>
public sealed record DecaySettings
{
    /// <summary>The metric (null: the task's primary one).</summary>
    public string? Metric { get; init; }

    /// <summary>The largest allowed drop from the evaluation value, in the metric's units.</summary>
    public double MaxDrop { get; init; } = 0.05;

    /// <summary>Fewer labeled rows than this cannot show decay: the rule fails as not checkable.</summary>
    public int MinRows { get; init; } = 30;
}

/// <summary><c>monitor.labels:</c> the ground-truth file's columns.</summary>
public sealed record LabelSettings
{
    /// <summary>The column holding the truth (null: the project's label).</summary>
    public string? Column { get; init; }

    /// <summary>The join column: request_id (the server's id, with an optional row column) or a key column of the rows.</summary>
    public string Key { get; init; } = LabelJoin.RequestIdColumn;
}
