using System.Globalization;
using MlOps.Validation.Drift;

namespace MlOps.Deployment;

/// <summary>
/// The verdict on a canary from what both versions answered over the same period and the same
/// random mix of requests: enough traffic to compare, an error rate no higher than production's
/// by more than the limit, p95 latency within the limit on every replica, and predictions that do
/// not drift from production's by validate's rules. A rule that cannot be checked fails: the
/// candidate is promoted only on evidence.
/// </summary>
public static class CanaryAnalysis
{
    /// <summary>The rules for the answers so far.</summary>
    /// <param name="answers">Each version's answers on each replica.</param>
    /// <param name="production">The production version.</param>
    /// <param name="candidate">The candidate version.</param>
    /// <param name="o">The limits.</param>
    /// <param name="drift">The candidate's predictions against production's, or null when they could not be compared.</param>
    /// <param name="driftProblem">Why they could not be, when <paramref name="drift"/> is null.</param>
    public static IReadOnlyList<CanaryRule> Judge(IReadOnlyList<CanaryVersionAnswers> answers, string production, string candidate, CanaryOptions o, DriftReport? drift, string? driftProblem)
    {
        var rules = new List<CanaryRule>();
        var p = Totals(answers, production);
        var c = Totals(answers, candidate);
        var enough = p.Requests >= o.MinRequests && c.Requests >= o.MinRequests;
        rules.Add(new CanaryRule("traffic", enough, enough
            ? F($"candidate v{candidate} answered {c.Requests:N0} requests, production v{production} {p.Requests:N0} (at least {o.MinRequests:N0} each)")
            : F($"candidate v{candidate} answered {c.Requests:N0} requests and production v{production} {p.Requests:N0}; at least {o.MinRequests:N0} each are needed to compare them: more traffic, a longer --analyze or a larger --canary share")));
        if (!enough) return rules;

        rules.Add(ErrorRate(p, c, production, candidate, o));

        var latency = new List<string>();
        var failing = new List<string>();
        foreach (var server in answers.Select(a => a.Server).Distinct(StringComparer.Ordinal))
        {
            var ps = answers.FirstOrDefault(a => a.Server == server && a.Version == production)?.P95;
            var cs = answers.FirstOrDefault(a => a.Server == server && a.Version == candidate)?.P95;
            if (ps is not { } pp || cs is not { } cc) continue;
            var limit = (pp * (1 + o.MaxLatencyIncrease)) + 0.001;
            var line = F($"{server}: candidate {cc * 1000:0.##} ms, production {pp * 1000:0.##} ms (limit {limit * 1000:0.##} ms)");
            latency.Add(line);
            if (cc > limit) failing.Add(line);
        }

        rules.Add(latency.Count == 0
            ? new CanaryRule("p95 latency", false, "no replica measured both versions' latency, so it cannot be compared")
            : new CanaryRule("p95 latency", failing.Count == 0, string.Join("; ", failing.Count > 0 ? failing : latency)));

        if (drift is null)
        {
            rules.Add(new CanaryRule("prediction drift", false, driftProblem ?? "the predictions could not be compared"));
        }
        else
        {
            var drifted = drift.Columns.Where(d => d.Drifted).ToList();
            var shown = (drifted.Count > 0 ? drifted : drift.Columns.Where(d => d.Skipped is null)).Take(5).Select(d => F($"{d.Column} ({d.Method} {d.Score:0.###} {(d.Drifted ? ">" : "≤")} {d.Threshold:0.###})"));
            // No column compared is nothing checked: a fail, like every rule that cannot be checked.
            rules.Add(new CanaryRule("prediction drift", drift.Compared > 0 && !drift.Drifted, drift.Drifted
                ? $"candidate v{candidate}'s predictions drifted from production v{production}'s: {string.Join(", ", shown)}"
                : drift.Compared == 0 ? "no prediction column could be compared" : $"no drift beyond the limit: {string.Join(", ", shown)}"));
        }

        return rules;
    }

    /// <summary>While the canary runs: a failure that is already decided (enough traffic, and the error rate over the limit), or null to keep going.</summary>
    public static CanaryRule? EarlyFailure(IReadOnlyList<CanaryVersionAnswers> answers, string production, string candidate, CanaryOptions o)
    {
        var p = Totals(answers, production);
        var c = Totals(answers, candidate);
        if (p.Requests < o.MinRequests || c.Requests < o.MinRequests) return null;
        var rule = ErrorRate(p, c, production, candidate, o);
        return rule.Passed ? null : rule;
    }

    private static CanaryRule ErrorRate((long Requests, long Failed) p, (long Requests, long Failed) c, string production, string candidate, CanaryOptions o)
    {
        var pr = (double)p.Failed / p.Requests;
        var cr = (double)c.Failed / c.Requests;
        return new CanaryRule("error rate", cr - pr <= o.MaxErrorIncrease,
            F($"candidate v{candidate} {cr:0.0%} ({c.Failed:N0} of {c.Requests:N0}), production v{production} {pr:0.0%} ({p.Failed:N0} of {p.Requests:N0}); limit +{o.MaxErrorIncrease * 100:0.##} points"));
    }

    private static (long Requests, long Failed) Totals(IReadOnlyList<CanaryVersionAnswers> answers, string version) =>
        (answers.Where(a => a.Version == version).Sum(a => a.Requests), answers.Where(a => a.Version == version).Sum(a => a.Failed));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
