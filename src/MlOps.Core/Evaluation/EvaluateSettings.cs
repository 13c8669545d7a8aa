namespace MlOps.Evaluation;

/// <summary>How a gate treats the bootstrap confidence interval of candidate − baseline.</summary>
public enum SignificanceTest
{
    /// <summary>Compare point values only.</summary>
    None,

    /// <summary>Fail only when the candidate is significantly worse than the allowed change (the interval lies wholly below it).</summary>
    NoRegression,

    /// <summary>Pass only when the candidate is significantly no worse than the allowed change (the interval lies wholly above it).</summary>
    NonInferiority,

    /// <summary>Pass only when the candidate is significantly better (the interval lies wholly above zero and the allowed change).</summary>
    Improvement,
}

/// <summary>A gate on one metric: a superset of MLflow's MetricThreshold and TFMA's value/change thresholds.</summary>
public sealed record MetricGate
{
    /// <summary>The metric name (accuracy, roc-auc, rmse, ...).</summary>
    public required string Metric { get; init; }

    /// <summary>The candidate must reach this value (at least, or at most for lower-is-better metrics).</summary>
    public double? Threshold { get; init; }

    /// <summary>The least improvement over the baseline, in the metric's better direction; negative = an allowed regression.</summary>
    public double? MinChange { get; init; }

    /// <summary>The least relative improvement over the baseline (0.01 = 1 %); negative = an allowed relative regression.</summary>
    public double? MinRelativeChange { get; init; }

    /// <summary>Overrides the metric's known direction.</summary>
    public bool? HigherIsBetter { get; init; }

    /// <summary>What the confidence interval must show.</summary>
    public SignificanceTest Test { get; init; } = SignificanceTest.None;
}

/// <summary>Slices: metrics per value of columns, and a gate on the largest gap between slices.</summary>
public sealed record SliceSettings
{
    /// <summary>The columns to slice by.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary>Slices with fewer rows are reported but neither gated nor counted in the gap.</summary>
    public int MinSize { get; init; } = 20;

    /// <summary>The metric compared across slices (default: the task's primary metric).</summary>
    public string? Metric { get; init; }

    /// <summary>The largest allowed difference between the best and worst slice of a column.</summary>
    public double? MaxGap { get; init; }
}

/// <summary>evaluate: in mlops.yaml.</summary>
public sealed record EvaluateSettings
{
    /// <summary>The baseline: a model file, a training output folder, a registry alias, or "none".</summary>
    public string Baseline { get; init; } = "production";

    /// <summary>The baseline resolved as a path against the config's folder (used when a file or folder is there).</summary>
    public string? BaselinePath { get; init; }

    /// <summary>The split part evaluated (default test), or "all" to use every row.</summary>
    public string Split { get; init; } = "test";

    /// <summary>Binary: the probability at or above which a row is predicted positive.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>Metric gates; empty means "the primary metric is not significantly worse".</summary>
    public IReadOnlyList<MetricGate> Gates { get; init; } = [];

    /// <summary>Slices and the fairness gate.</summary>
    public SliceSettings Slices { get; init; } = new();

    /// <summary>Bootstrap resamples for confidence intervals.</summary>
    public int Resamples { get; init; } = 1000;

    /// <summary>The confidence level of intervals.</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>The seed for bootstrap and permutations.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Permutation importance: repeats per column (0 turns it off).</summary>
    public int ImportanceRepeats { get; init; } = 3;

    /// <summary>Permutation importance: at most this many rows (a seeded sample).</summary>
    public int ImportanceRows { get; init; } = 5000;

    /// <summary>
    /// Allows evaluating without a baseline when the registry exists, is reachable and has no
    /// version of this model at all (a project's first model). Off by default: a baseline that
    /// cannot be found is an error, never a silent "first model".
    /// </summary>
    public bool FirstModelAllowed { get; init; }

    /// <summary>Gate: fail when the evaluation rows cannot detect a change of the metric this small (80 % power at the configured confidence).</summary>
    public double? MinDetectableChange { get; init; }

    /// <summary>Gate: the candidate's p95 single-row scoring latency in milliseconds.</summary>
    public double? MaxLatencyP95Ms { get; init; }

    /// <summary>Gate: the candidate's model file size in megabytes.</summary>
    public double? MaxModelSizeMb { get; init; }

    /// <summary>The output folder.</summary>
    public string? Output { get; init; }
}
