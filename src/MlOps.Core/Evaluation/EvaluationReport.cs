using System.Globalization;
using System.Text;
using MlOps.Artifacts;
using static System.FormattableString;

namespace MlOps.Evaluation;

/// <summary>report.md for an evaluation: the verdict and why first, then the numbers.</summary>
public static class EvaluationReport
{
    /// <summary>Renders the report.</summary>
    public static string Render(EvaluationResult r)
    {
        var s = new StringBuilder();
        var versus = r.Baseline is { } b ? $"vs baseline `{Path.GetFileName(b.Path)}`{(b.Source is { } src ? $" ({src})" : string.Empty)}" : $"(no baseline: {r.BaselineNote ?? "none given"})";
        s.AppendLine(Invariant($"# {(r.Blessed ? "✅ Blessed" : "❌ Not blessed")}: {r.Project} candidate {versus}"));
        s.AppendLine();
        foreach (var reason in r.Reasons) s.AppendLine($"- {MarkdownText.Cell(reason)}");
        foreach (var warning in r.Warnings) s.AppendLine($"- ⚠️ {MarkdownText.Cell(warning)}");
        if (r.Reasons.Count + r.Warnings.Count > 0) s.AppendLine();
        s.AppendLine(Invariant($"{r.Task} model `{Path.GetFileName(r.Candidate.Path)}` ({r.Candidate.Format}{(r.Candidate.Predictions is { } pf && r.Candidate.Format != "predictions" ? $", evaluated from {MarkdownText.Code(Path.GetFileName(pf))}" : string.Empty)}) on {r.Data.Rows:N0} rows of `{r.Data.Path}` (split `{r.Data.Split}`){(r.Threshold is { } t ? Invariant($", threshold {t:0.##}") : string.Empty)}."));
        s.AppendLine();
        s.AppendLine("| gate | verdict | detail |");
        s.AppendLine("| --- | --- | --- |");
        foreach (var g in r.Gates)
        {
            var power = g.DetectableChange is { } mde ? Invariant($"; detects changes of ±{mde:0.####} or more") : string.Empty;
            s.AppendLine($"| {MarkdownText.Cell(g.Name)} | {(g.Passed ? "✅ pass" : "❌ fail")}{(g.Warning is null ? string.Empty : " ⚠️")} | {MarkdownText.Cell(g.Detail + power)} |");
        }
        s.AppendLine();

        var level = Invariant($"{r.Bootstrap.Confidence:0.##%}");
        s.AppendLine(r.Baseline is null ? $"| metric | candidate | {level} interval |" : $"| metric | candidate | baseline | change | {level} interval of change |");
        s.AppendLine(r.Baseline is null ? "| --- | ---: | ---: |" : "| --- | ---: | ---: | ---: | ---: |");
        foreach (var (name, m) in r.Metrics)
        {
            var arrow = m.HigherIsBetter ? "↑" : "↓";
            if (r.Baseline is null)
            {
                s.AppendLine(Invariant($"| {name} {arrow} | {N(m.Candidate)} | {I(m.CandidateInterval)} |"));
                continue;
            }

            var better = m.Delta is { } d && d != 0 && (d > 0) == m.HigherIsBetter;
            var mark = m.Delta is null or 0 ? "·" : better ? "🟢" : "🔴";
            s.AppendLine(Invariant($"| {name} {arrow} | {N(m.Candidate)} | {(m.Baseline is { } bv ? N(bv) : "–")} | {mark} {(m.Delta is { } dv ? dv.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : "–")} | {I(m.DeltaInterval)} |"));
        }

        s.AppendLine();
        if (r.Slices.Count > 0)
        {
            s.AppendLine("## Slices");
            s.AppendLine();
            foreach (var c in r.Slices)
            {
                s.AppendLine(Invariant($"**{MarkdownText.Cell(c.Column)}** ({c.Metric}{(c.Gap is { } gap ? Invariant($", gap {gap:0.####}") : string.Empty)})"));
                s.AppendLine();
                s.AppendLine(r.Baseline is null ? "| value | rows | candidate |" : "| value | rows | candidate | baseline |");
                s.AppendLine(r.Baseline is null ? "| --- | ---: | ---: |" : "| --- | ---: | ---: | ---: |");
                foreach (var v in c.Slices)
                {
                    var small = v.Gated ? string.Empty : " (small)";
                    s.AppendLine(r.Baseline is null ? Invariant($"| {MarkdownText.Cell(v.Value)}{small} | {v.Rows} | {N(v.Candidate)} |") : Invariant($"| {MarkdownText.Cell(v.Value)}{small} | {v.Rows} | {N(v.Candidate)} | {(v.Baseline is { } bv ? N(bv) : "–")} |"));
                }

                s.AppendLine();
            }
        }

        if (r.Importance.Count > 0)
        {
            s.AppendLine(Invariant($"## Top features (permutation importance, drop in {r.Importance[0].Metric})"));
            s.AppendLine();
            s.AppendLine("| feature | mean drop | spread (sd) |");
            s.AppendLine("| --- | ---: | ---: |");
            foreach (var f in r.Importance.Take(10)) s.AppendLine(Invariant($"| {MarkdownText.Cell(f.Column)} | {N(f.Mean)} | {N(f.StandardDeviation)} |"));
            s.AppendLine();
        }

        s.AppendLine("<details><summary>Details</summary>");
        s.AppendLine();
        if (r.Confusion is { Matrix: { } matrix, Classes: { } classes })
        {
            s.AppendLine("Confusion matrix (rows: actual, columns: predicted)");
            s.AppendLine();
            s.AppendLine($"| | {string.Join(" | ", classes.Select(MarkdownText.Cell))} |");
            s.AppendLine($"| --- |{string.Concat(classes.Select(_ => " ---: |"))}");
            for (var i = 0; i < classes.Count; i++) s.AppendLine($"| **{MarkdownText.Cell(classes[i])}** | {string.Join(" | ", matrix[i])} |");
            s.AppendLine();
        }
        else if (r.Confusion is { TruePositive: { } tp } c)
        {
            s.AppendLine(Invariant($"Confusion: TP {tp}, FP {c.FalsePositive}, TN {c.TrueNegative}, FN {c.FalseNegative}."));
            s.AppendLine();
        }

        if (r.Latency is { } l) s.AppendLine(Invariant($"Single-row latency: p50 {l.P50Ms:0.###} ms, p95 {l.P95Ms:0.###} ms{(l.BaselineP95Ms is { } bl ? Invariant($" (baseline p95 {bl:0.###} ms)") : string.Empty)}."));
        if (r.Candidate.Mapping is not null || r.Baseline?.Mapping is not null)
        {
            s.AppendLine("## How the models read the data");
            s.AppendLine();
            foreach (var (which, m) in new[] { ("Candidate", r.Candidate.Mapping), ("Baseline", r.Baseline?.Mapping) })
            {
                if (m is null) continue;
                s.AppendLine(Invariant($"{which}:"));
                s.AppendLine();
                s.Append(m.Markdown());
                s.AppendLine();
            }
        }

        s.AppendLine(Invariant($"Candidate sha256 `{r.Candidate.Sha256[..12]}`{(r.Candidate.RunId is { } run ? $", run {run}" : string.Empty)}{(r.Baseline is { } bb ? Invariant($"; baseline sha256 `{bb.Sha256[..12]}`") : string.Empty)}. Data fingerprint `{r.Data.Fingerprint[..12]}`. Paired bootstrap: {r.Bootstrap.Resamples} resamples, seed {r.Bootstrap.Seed}. {r.DurationSeconds:0.0} s."));
        s.AppendLine();
        s.AppendLine("</details>");
        return s.ToString();
    }

    private static string N(double v) => MarkdownText.Number(v);

    private static string I(Interval? i) => MarkdownText.Interval(i);
}
