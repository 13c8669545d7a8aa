namespace MlOps.Validation.Drift;

/// <summary>How a column's drift is scored and judged.</summary>
public sealed record DriftRule
{
    /// <summary>The score that decides: psi, js, wasserstein, ks (numeric); js, linf, psi, chi2 (categorical).</summary>
    public required string Method { get; init; }

    /// <summary>The score at or above which the column has drifted (unused by ks and chi2, which use <see cref="Alpha"/>).</summary>
    public double Threshold { get; init; }

    /// <summary>
    /// Significance level of the test (KS numeric, chi-square categorical). An effect-size method
    /// flags drift only when the score crosses its threshold AND the test rejects at this level, so
    /// tiny samples do not raise noise alarms and huge ones are judged on effect size. 1 disables the test.
    /// </summary>
    public double Alpha { get; init; } = 0.05;
}

/// <summary>Drift settings for a dataset (validate.drift in mlops.yaml).</summary>
public sealed record DriftOptions
{
    /// <summary>The numeric methods.</summary>
    public static readonly IReadOnlyList<string> NumericMethods = ["psi", "js", "wasserstein", "ks"];

    /// <summary>The categorical methods.</summary>
    public static readonly IReadOnlyList<string> CategoricalMethods = ["js", "linf", "psi", "chi2"];

    /// <summary>The rule for numeric columns (default: PSI ≥ 0.2 and KS p &lt; 0.05).</summary>
    public DriftRule Numeric { get; init; } = new() { Method = "psi", Threshold = 0.2 };

    /// <summary>The rule for categorical columns (default: Jensen–Shannon distance ≥ 0.1 and chi-square p &lt; 0.05).</summary>
    public DriftRule Categorical { get; init; } = new() { Method = "js", Threshold = 0.1 };

    /// <summary>Rules for named columns, overriding the defaults.</summary>
    public IReadOnlyDictionary<string, DriftRule> Columns { get; init; } = new Dictionary<string, DriftRule>();

    /// <summary>Columns not compared (identifiers, timestamps).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>
    /// The dataset has drifted when the share of drifted columns exceeds this (0 by default: any
    /// drifted column fails the gate).
    /// </summary>
    public double MaxDriftedShare { get; init; }

    /// <summary>
    /// Whether date and timestamp columns are compared (KS and the numeric scores on their epoch
    /// seconds). Off by default: time always moves, so a time column would always drift.
    /// </summary>
    public bool TimeColumns { get; init; }

    /// <summary>
    /// Whether identifier-like text columns (distinct values ≈ values) are compared. Off by
    /// default: every new batch brings new ids, which is not drift.
    /// </summary>
    public bool Identifiers { get; init; }

    /// <summary>Bins for PSI and numeric Jensen–Shannon (at baseline quantiles).</summary>
    public int Bins { get; init; } = 10;

    /// <summary>The default threshold of a method.</summary>
    public static double DefaultThreshold(string method) => method switch
    {
        "psi" => 0.2,
        "js" => 0.1,
        "wasserstein" => 0.1,
        "linf" => 0.1,
        _ => 0,
    };
}
