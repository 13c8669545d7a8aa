using System.Globalization;
using MlOps.Evaluation.Metrics;
using static System.FormattableString;

namespace MlOps.Evaluation;

/// <summary>
/// Turns metric comparisons into gate verdicts. Improvement is measured in each metric's better
/// direction (for log-loss or RMSE, a decrease is an improvement), so one rule reads the same for
/// every metric. Without a baseline, only absolute thresholds are checked; that is said in the detail.
/// </summary>
public static class GateEvaluator
{
    /// <summary>Checks one metric gate.</summary>
    public static GateResult Check(MetricGate gate, MetricComparison m, double confidence)
    {
        var higher = gate.HigherIsBetter ?? m.HigherIsBetter;
        var sign = higher ? 1 : -1;
        var problems = new List<string>();
        var notes = new List<string>();
        if (gate.Threshold is { } t && (higher ? m.Candidate < t : m.Candidate > t))
        {
            problems.Add(Invariant($"{m.Candidate:0.####} is {(higher ? "below" : "above")} the threshold {t:0.####}"));
        }

        var needsBaseline = gate.MinChange is not null || gate.MinRelativeChange is not null || gate.Test != SignificanceTest.None;
        if (m.Baseline is not { } b || m.Delta is not { } d)
        {
            if (needsBaseline) notes.Add("no baseline: change and significance not checked");
        }
        else
        {
            var improvement = sign * d;
            if (gate.MinChange is { } mc && improvement < mc)
            {
                problems.Add(Invariant($"change {Signed(improvement)} is less than the required {Signed(mc)}"));
            }

            if (gate.MinRelativeChange is { } mr && b != 0 && improvement / Math.Abs(b) < mr)
            {
                problems.Add(Invariant($"relative change {improvement / Math.Abs(b):+0.##%;-0.##%;0%} is less than the required {mr:+0.##%;-0.##%;0%}"));
            }

            if (m.DeltaInterval is { } ci && gate.Test != SignificanceTest.None)
            {
                // The interval of the improvement, in the better direction.
                var (lo, hi) = higher ? (ci.Low, ci.High) : (-ci.High, -ci.Low);
                var margin = gate.MinChange ?? 0;
                var level = Invariant($"{confidence:0.##%}");
                var interval = Invariant($"[{Signed(lo)}, {Signed(hi)}]");
                switch (gate.Test)
                {
                    case SignificanceTest.NoRegression when hi < margin:
                        problems.Add($"significantly worse: the {level} interval of the change {interval} lies below {Signed(margin)}");
                        break;
                    case SignificanceTest.NonInferiority when lo <= margin:
                        problems.Add($"not shown to be no worse: the {level} interval of the change {interval} reaches {Signed(margin)} or below");
                        break;
                    case SignificanceTest.Improvement when lo <= Math.Max(0, margin):
                        problems.Add($"improvement not significant: the {level} interval of the change {interval} reaches {Signed(Math.Max(0, margin))} or below");
                        break;
                    default:
                        notes.Add($"{level} interval of the change {interval}");
                        break;
                }
            }
        }

        var name = $"{gate.Metric}{Describe(gate)}";
        var detail = problems.Count > 0 ? string.Join("; ", problems) : string.Join("; ", notes.Prepend(Invariant($"{m.Candidate:0.####}{(m.Baseline is { } bb ? Invariant($" vs {bb:0.####}") : string.Empty)}")));
        return new GateResult(name, problems.Count == 0, detail);
    }

    /// <summary>The default gates when none are configured: the primary metric must not be significantly worse.</summary>
    public static IReadOnlyList<MetricGate> Defaults(Scoring.ModelTask task) =>
        [new MetricGate { Metric = MetricNames.Primary(task), Test = SignificanceTest.NoRegression }];

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
