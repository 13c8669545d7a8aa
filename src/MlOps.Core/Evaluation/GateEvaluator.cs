using System.Globalization;
using MlOps.Artifacts;
using MlOps.Metrics;
using static System.FormattableString;

namespace MlOps.Evaluation;

/// <summary>
/// Turns metric comparisons into gate verdicts, exactly as the gate table in docs/evaluation.md
/// says (a test enumerates that table). Improvement is measured in each metric's better direction
/// (for log-loss or RMSE a decrease is an improvement), so one rule reads the same for every
/// metric. A gate fails closed: a value, baseline or interval that is undefined never passes.
/// Without a baseline (only when the run said so explicitly), only absolute thresholds are checked.
/// </summary>
public static class GateEvaluator
{
    /// <summary>The power at which <see cref="DetectableChange"/> is stated.</summary>
    public const double Power = 0.8;

    // Values at the margin pass: 0.88 − 0.90 is −0.0200000000000000018 in binary floating point.
    private const double Tolerance = 1e-9;

    /// <summary>Checks one metric gate.</summary>
    /// <param name="gate">The gate.</param>
    /// <param name="m">The metric, candidate against baseline.</param>
    /// <param name="confidence">The two-sided confidence level of the bootstrap intervals.</param>
    /// <param name="maxDetectableChange">evaluate.min-detectable-change: fail when the rows cannot detect a change this small.</param>
    /// <param name="rows">The number of evaluation rows, for messages.</param>
    public static GateResult Check(MetricGate gate, MetricComparison m, double confidence, double? maxDetectableChange = null, int? rows = null)
    {
        var name = $"{gate.Metric}{Describe(gate)}";
        var higher = gate.HigherIsBetter ?? m.HigherIsBetter;
        var sign = higher ? 1 : -1;
        var label = MetricNames.Display(gate.Metric);
        if (!double.IsFinite(m.Candidate))
        {
            return new GateResult(name, false, $"{label} is undefined{Because(m.Undefined)}; an undefined metric never passes a gate");
        }

        var problems = new List<string>();
        var notes = new List<string>();
        if (gate.Threshold is { } t && (higher ? m.Candidate < t - Tolerance : m.Candidate > t + Tolerance))
        {
            problems.Add(Invariant($"{m.Candidate:0.####} is {(higher ? "below" : "above")} the threshold {t:0.####}"));
        }

        var needsBaseline = gate.MinChange is not null || gate.MinRelativeChange is not null || gate.Test != SignificanceTest.None;
        double? detectable = null;
        string? warning = null;
        if (m.Baseline is not { } b)
        {
            if (needsBaseline) notes.Add("no baseline: change and significance not checked");
        }
        else if (needsBaseline && (!double.IsFinite(b) || m.Delta is not { } d || !double.IsFinite(d)))
        {
            problems.Add($"the baseline's {label} is undefined{Because(m.Undefined)}, so the change cannot be checked");
        }
        else if (needsBaseline)
        {
            var improvement = sign * m.Delta!.Value;
            if (gate.MinRelativeChange is not null && b == 0)
            {
                problems.Add("the relative change is undefined: the baseline's value is 0");
            }
            else if (gate.Test == SignificanceTest.None)
            {
                // Point values only.
                if (gate.MinChange is { } mc && improvement < mc - Tolerance)
                {
                    problems.Add(Invariant($"change {Signed(improvement)} is less than the required {Signed(mc)}"));
                }

                if (gate.MinRelativeChange is { } mr && improvement / Math.Abs(b) < mr - Tolerance)
                {
                    problems.Add(Invariant($"relative change {improvement / Math.Abs(b):+0.##%;-0.##%;0%} is less than the required {mr:+0.##%;-0.##%;0%}"));
                }
            }
            else if (m.DeltaInterval is not { } ci || !double.IsFinite(ci.Low) || !double.IsFinite(ci.High))
            {
                problems.Add("no confidence interval of the change (bootstrap.resamples is 0, or the metric is undefined in the resamples), so significance cannot be checked");
            }
            else
            {
                // The test decides alone: the interval of the improvement, in the better direction, against the margin.
                var margin = Margin(gate, b);
                var (lo, hi) = higher ? (ci.Low, ci.High) : (-ci.High, -ci.Low);
                var level = Invariant($"{confidence:0.##%}");
                var interval = Invariant($"[{Signed(lo)}, {Signed(hi)}]");
                switch (gate.Test)
                {
                    case SignificanceTest.NoRegression when hi < margin - Tolerance:
                        problems.Add($"significantly worse: the {level} interval of the change {interval} lies below {Signed(margin)}");
                        break;
                    case SignificanceTest.NonInferiority when lo <= margin + Tolerance:
                        problems.Add($"not shown to be no worse: the {level} interval of the change {interval} reaches {Signed(margin)} or below");
                        break;
                    case SignificanceTest.Improvement when lo <= Math.Max(0, margin) + Tolerance:
                        problems.Add($"improvement not significant: the {level} interval of the change {interval} reaches {Signed(Math.Max(0, margin))} or below");
                        break;
                    default:
                        notes.Add($"{level} interval of the change {interval}");
                        break;
                }

                detectable = m.DetectableChange;
                if (detectable is { } mde)
                {
                    var reference = margin != 0 ? Math.Abs(margin) : 0.05 * Math.Abs(b);
                    var what = margin != 0 ? Invariant($"the gate's margin {Signed(margin)}") : Invariant($"5 % of the baseline's {b:0.####}");
                    var power = Invariant($"the smallest change these {(rows is { } r ? Invariant($"{r} ") : string.Empty)}rows can detect ({Power:0%} power) is ±{mde:0.####}");
                    if (maxDetectableChange is { } max && mde > max)
                    {
                        problems.Add(Invariant($"too few rows: {power}, more than evaluate.min-detectable-change {max:0.####}"));
                    }
                    else if (mde > reference)
                    {
                        warning = $"{label}: {power}, larger than {what}; this test cannot see smaller changes (evaluate on more rows, or set evaluate.min-detectable-change to fail such runs)";
                    }
                }
            }
        }

        var detail = problems.Count > 0
            ? string.Join("; ", problems)
            : string.Join("; ", notes.Prepend(Invariant($"{m.Candidate:0.####}{(m.Baseline is { } bb ? Invariant($" vs {bb:0.####}") : string.Empty)}")));
        return new GateResult(name, problems.Count == 0, detail) { DetectableChange = detectable, Warning = warning };
    }

    /// <summary>
    /// The margin a significance test compares the interval with: min-change, or min-relative-change
    /// × |baseline|; with both, the stricter (larger) one; 0 when neither is set.
    /// </summary>
    public static double Margin(MetricGate gate, double baseline)
    {
        double? relative = gate.MinRelativeChange is { } r ? r * Math.Abs(baseline) : null;
        return (gate.MinChange, relative) switch
        {
            ({ } a, { } c) => Math.Max(a, c),
            ({ } a, null) => a,
            (null, { } c) => c,
            _ => 0,
        };
    }

    /// <summary>
    /// The smallest true change a one-sided test at <paramref name="confidence"/> (two-sided
    /// interval) detects with <see cref="Power"/>: from the width of the change's bootstrap
    /// interval, and for metrics that are shares of rows (accuracy, F1, AUC: bounded by 0 and 1)
    /// never below (z₁₋α/₂ + z_power)² / n, the change that n rows can show in the best case (every
    /// row the models disagree on going one way). Without that floor, two models that agree on
    /// every row would seem to detect any change.
    /// </summary>
    public static double? DetectableChange(Interval? deltaInterval, double confidence, int rows = 0, bool shareOfRows = false)
    {
        if (deltaInterval is not { } i || !double.IsFinite(i.Low) || !double.IsFinite(i.High)) return null;
        var z = StandardNormal.Quantile(1 - ((1 - confidence) / 2));
        var zPower = StandardNormal.Quantile(Power);
        var paired = (z + zPower) * (i.High - i.Low) / (2 * z);
        var floor = shareOfRows && rows > 0 ? (z + zPower) * (z + zPower) / rows : 0;
        return Math.Max(paired, floor);
    }

    /// <summary>The default gates when none are configured: the primary metric must not be significantly worse.</summary>
    public static IReadOnlyList<MetricGate> Defaults(Scoring.ModelTask task) =>
        [new MetricGate { Metric = MetricNames.Primary(task), Test = SignificanceTest.NoRegression }];

    private static string Because(string? reason) => reason is null ? string.Empty : $": {reason}";

    private static string Describe(MetricGate g)
    {
        var parts = new List<string>();
        if (g.Threshold is { } t) parts.Add(Invariant($"threshold {t:0.####}"));
        if (g.MinChange is { } c) parts.Add(Invariant($"min change {Signed(c)}"));
        if (g.MinRelativeChange is { } r) parts.Add(Invariant($"min relative change {r:+0.##%;-0.##%;0%}"));
        if (g.Test != SignificanceTest.None) parts.Add(g.Test switch
        {
            SignificanceTest.NoRegression => "no significant regression",
            SignificanceTest.NonInferiority => "non-inferiority",
            _ => "significant improvement",
        });
        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    private static string Signed(double v) => v.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture);
}
