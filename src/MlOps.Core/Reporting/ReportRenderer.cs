using System.Globalization;
using System.Text;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Training;
using static System.FormattableString;

namespace MlOps.Reporting;

/// <summary>
/// Renders validation, training and evaluation outputs into one Markdown report: the verdict
/// and why first, then metrics, data, slices, features and lineage, details collapsed.
/// </summary>
public static partial class ReportRenderer
{
    private const int MaxAnomalyRows = 20;
    private const int MaxFeatures = 10;

    /// <summary>True for a report key that is safe inside the hidden marker: 1-64 letters, digits, '.', '_' or '-'.</summary>
    public static bool IsValidKey(string key) => KeyPattern().IsMatch(key);

    /// <summary>The hidden marker that identifies the sticky comment of a report key.</summary>
    public static string Marker(string key) => $"<!-- mlops-report:{key} -->";

    /// <summary>Renders the report.</summary>
    public static string Render(ReportInputs inputs, ReportOptions options)
    {
        var s = new StringBuilder();
        s.AppendLine(Marker(options.Key));
        Verdict(s, inputs, options);
        if (inputs.Evaluation is { } e)
        {
            Metrics(s, e, options.Charts);
            Gates(s, e);
        }

        if (inputs.Validation is { } v) Data(s, v, options.Charts);
        if (inputs.Evaluation is { } ev)
        {
            Slices(s, ev);
            Features(s, ev, options.Charts);
        }

        if (inputs.Run is { } run) Lineage(s, run, inputs.Evaluation);
        Footer(s, options);
        return s.ToString();
    }

    private static void Verdict(StringBuilder s, ReportInputs inputs, ReportOptions options)
    {
        var project = inputs.Evaluation?.Project ?? inputs.Run?.Project ?? "model";
        var mismatches = inputs.Mismatches;
        var headline = mismatches.Count > 0 ? "⚠️ Stage outputs from different runs: this report cannot be trusted" : inputs.Evaluation switch
        {
            { Blessed: true } => "✅ Blessed: the candidate may replace the baseline",
            { } => "❌ Not blessed",
            null when inputs.Validation is { Summary.Passed: false } => "❌ Data validation failed",
            null when inputs.Run is not null => "🛠️ Trained (not evaluated)",
            _ => "✅ Data validation passed",
        };
        s.AppendLine(Invariant($"## {headline} · {project}"));
        s.AppendLine();
        foreach (var m in mismatches) s.AppendLine($"- ⚠️ {Cell(m)}");
        if (inputs.Evaluation is { } e)
        {
            var failed = e.Gates.Where(g => !g.Passed).ToList();
            foreach (var g in failed) s.AppendLine($"- ❌ **{Cell(g.Name)}**: {Cell(g.Detail)}");
            foreach (var r in e.Reasons.Where(r => failed.All(g => !r.Contains(g.Detail, StringComparison.Ordinal)))) s.AppendLine($"- {Cell(r)}");
            foreach (var w in e.Warnings) s.AppendLine($"- ⚠️ {Cell(w)}");
            var versus = e.Baseline is { } b ? $"baseline {MarkdownText.Code(Path.GetFileName(b.Path))}{(b.Source is { } src ? $" ({Cell(src)})" : string.Empty)}" : $"no baseline{(e.BaselineNote is { } n ? $" ({Cell(n)})" : string.Empty)}";
            s.AppendLine(Invariant($"- Candidate `{Path.GetFileName(e.Candidate.Path)}` ({e.Candidate.Format}) vs {versus}, on {e.Data.Rows:N0} rows of split `{e.Data.Split}`."));
        }

        if (inputs.Validation is { } v)
        {
            var drift = v.Drift is { } d ? Invariant($", drift in {d.Columns.Count(c => c.Drifted)} of {d.Compared} columns") : string.Empty;
            s.AppendLine(Invariant($"- Data validation {(v.Summary.Passed ? "✅ passed" : "❌ failed")}: {v.Summary.Rows:N0} rows, {v.Summary.Anomalies} anomal{(v.Summary.Anomalies == 1 ? "y" : "ies")}{drift}."));
        }

        if (options.Commit is { Length: >= 7 } commit) s.AppendLine($"- Commit `{commit[..7]}`.");
        s.AppendLine();
    }

    private static void Metrics(StringBuilder s, EvaluationResult e, ChartStyle charts)
    {
        var level = Invariant($"{e.Bootstrap.Confidence:0.##%}");
        s.AppendLine("### Metrics");
        s.AppendLine();
        if (e.Baseline is null)
        {
            s.AppendLine($"| metric | candidate | {level} interval |");
            s.AppendLine("| --- | ---: | ---: |");
            foreach (var (name, m) in e.Metrics) s.AppendLine($"| {name} {Arrow(m)} | {N(m.Candidate)} | {P(m.CandidateInterval)} |");
        }
        else
        {
            s.AppendLine($"| metric | candidate | baseline | change | {level} interval of change |");
            s.AppendLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var (name, m) in e.Metrics)
            {
                s.AppendLine($"| {name} {Arrow(m)} | {N(m.Candidate)} | {(m.Baseline is { } b ? N(b) : "–")} | {Change(m)} | {I(m.DeltaInterval)} |");
            }
        }

        s.AppendLine();
        // Scores in [0, 1] share one axis; error metrics such as RMSE have their own scales and stay in the table.
        var unitScores = e.Metrics.Where(kv => kv.Value.HigherIsBetter && kv.Value.Candidate is >= 0 and <= 1 && kv.Value.Baseline is null or (>= 0 and <= 1))
            .Select(kv => new ChartBar(kv.Key, kv.Value.Candidate, kv.Value.Baseline)).ToList();
        var chart = Charts.Bars(charts, "Candidate metrics", "score", unitScores, 0, 1, e.Baseline is null ? null : "baseline");
        if (chart.Length > 0) s.AppendLine(chart);
    }

    private static void Gates(StringBuilder s, EvaluationResult e)
    {
        s.AppendLine("<details><summary>Gates</summary>");
        s.AppendLine();
        s.AppendLine("| gate | verdict | detail |");
        s.AppendLine("| --- | --- | --- |");
        foreach (var g in e.Gates) s.AppendLine($"| {Cell(g.Name)} | {(g.Passed ? "✅ pass" : "❌ fail")} | {Cell(g.Detail)} |");
        s.AppendLine();
        s.AppendLine("</details>");
        s.AppendLine();
    }

    private static void Data(StringBuilder s, ValidationArtifactsView v, ChartStyle charts)
    {
        s.AppendLine("### Data");
        s.AppendLine();
        s.AppendLine(Invariant($"`{v.Summary.Data}`: {v.Summary.Rows:N0} rows, {v.Summary.Columns} columns, schema {(v.Summary.SchemaDeclared ? "declared" : "inferred")}."));
        s.AppendLine();
        if (v.Anomalies.Count > 0)
        {
            s.AppendLine("| column | problem | expected | found | rows | first at |");
            s.AppendLine("| --- | --- | --- | --- | ---: | --- |");
            foreach (var a in v.Anomalies.Take(MaxAnomalyRows))
            {
                var at = a.File is null ? string.Empty : a.Row is { } row ? Invariant($"{Path.GetFileName(a.File)}:{row}") : Path.GetFileName(a.File);
                s.AppendLine(Invariant($"| {Cell(a.Column ?? "(dataset)")} | {a.Kind} | {Cell(a.Expected)} | {Cell(a.Actual)} | {a.Count:N0} | {at} |"));
            }

            if (v.Anomalies.Count > MaxAnomalyRows) s.AppendLine().AppendLine(Invariant($"_…and {v.Anomalies.Count - MaxAnomalyRows} more in anomalies.json._"));
            s.AppendLine();
        }

        if (v.Drift is not { } d) return;
        s.AppendLine(Invariant($"Drift against `{d.Baseline}`: {(d.Drifted ? "❌" : "✅")} {d.Columns.Count(c => c.Drifted)} of {d.Compared} columns drifted ({d.DriftedShare:0.#%}; at most {d.MaxDriftedShare:0.#%} allowed)."));
        s.AppendLine();
        var compared = d.Columns.Where(c => c.Skipped is null && c.Threshold > 0).OrderByDescending(c => c.Score / c.Threshold).ToList();
        var chart = Charts.Bars(charts, "Drift score / threshold (1 = threshold)", "score / threshold", compared.Select(c => new ChartBar(c.Column, c.Score / c.Threshold)).ToList(), 0, Math.Max(1.5, Math.Ceiling(compared.Select(c => c.Score / c.Threshold).DefaultIfEmpty(0).Max() * 2) / 2), horizontal: true);
        s.AppendLine("<details><summary>Drift by column</summary>");
        s.AppendLine();
        s.AppendLine("| column | test | score | threshold | p-value | drifted |");
        s.AppendLine("| --- | --- | ---: | ---: | ---: | --- |");
        foreach (var c in d.Columns.OrderByDescending(c => c.Drifted).ThenByDescending(c => c.Threshold > 0 ? c.Score / c.Threshold : 0))
        {
            s.AppendLine(c.Skipped is { } why
                ? $"| {Cell(c.Column)} | – | – | – | – | skipped: {Cell(why)} |"
                : $"| {Cell(c.Column)} | {c.Method} | {N(c.Score)} | {N(c.Threshold)} | {N(c.PValue)} | {(c.Drifted ? "❌ yes" : "no")} |");
        }

        s.AppendLine();
        if (chart.Length > 0) s.AppendLine(chart);
        s.AppendLine("</details>");
        s.AppendLine();
    }

    private static void Slices(StringBuilder s, EvaluationResult e)
    {
        if (e.Slices.Count == 0) return;
        s.AppendLine("<details><summary>Slices (fairness)</summary>");
        s.AppendLine();
        foreach (var c in e.Slices)
        {
            s.AppendLine(Invariant($"**{Cell(c.Column)}** ({c.Metric}{(c.Gap is { } gap ? Invariant($", gap {gap:0.####}") : string.Empty)}{(c.BaselineGap is { } bg ? Invariant($", baseline gap {bg:0.####}") : string.Empty)})"));
            s.AppendLine();
            s.AppendLine(e.Baseline is null ? "| slice | rows | candidate |" : "| slice | rows | candidate | baseline |");
            s.AppendLine(e.Baseline is null ? "| --- | ---: | ---: |" : "| --- | ---: | ---: | ---: |");
            foreach (var v in c.Slices)
            {
                var name = Cell(v.Value) + (v.Gated ? string.Empty : " (small)");
                s.AppendLine(e.Baseline is null ? Invariant($"| {name} | {v.Rows:N0} | {N(v.Candidate)} |") : Invariant($"| {name} | {v.Rows:N0} | {N(v.Candidate)} | {(v.Baseline is { } b ? N(b) : "–")} |"));
            }

            s.AppendLine();
        }

        s.AppendLine("</details>");
        s.AppendLine();
    }

    private static void Features(StringBuilder s, EvaluationResult e, ChartStyle charts)
    {
        if (e.Importance.Count == 0) return;
        var top = e.Importance.Take(MaxFeatures).ToList();
        s.AppendLine(Invariant($"### Top features (drop in {top[0].Metric} when shuffled)"));
        s.AppendLine();
        var max = Math.Max(top.Max(f => f.Mean), 1e-9);
        var chart = Charts.Bars(charts, "Permutation importance", $"drop in {top[0].Metric}", top.Select(f => new ChartBar(f.Column, Math.Max(0, f.Mean))).ToList(), 0, Nice(max), horizontal: true);
        if (chart.Length > 0) s.AppendLine(chart);
        s.AppendLine("| feature | mean drop | sd |");
        s.AppendLine("| --- | ---: | ---: |");
        foreach (var f in top) s.AppendLine($"| {Cell(f.Column)} | {N(f.Mean)} | {N(f.StandardDeviation)} |");
        s.AppendLine();
    }

    private static void Lineage(StringBuilder s, RunRecord run, EvaluationResult? e)
    {
        s.AppendLine("<details><summary>Lineage</summary>");
        s.AppendLine();
        s.AppendLine("| | |");
        s.AppendLine("| --- | --- |");
        s.AppendLine($"| run | `{run.RunId}` |");
        s.AppendLine(run.Trainer is { } t ? $"| trainer | {t.Name}, seed {t.Seed}, {t.Threads} thread(s) |" : $"| command | {MarkdownText.Code(run.Command?.Line ?? "?")} |");
        s.AppendLine($"| model | `{run.Model.File}` sha256 `{run.Model.Sha256[..12]}` ({Size(run.Model.Bytes)}) |");
        s.AppendLine($"| data | fingerprint `{run.Data.Fingerprint[..12]}`, rows {string.Join(", ", run.Data.Rows.Select(kv => Invariant($"{kv.Key} {kv.Value:N0}")))} |");
        if (run.Source.Commit is { Length: >= 7 } commit) s.AppendLine($"| commit | `{commit[..7]}`{(run.Source.Dirty == true ? " (uncommitted changes)" : string.Empty)}{(run.Source.Branch is { } br ? $" on {MarkdownText.Code(br)}" : string.Empty)} |");
        s.AppendLine(Invariant($"| trained | {run.StartedAt:yyyy-MM-dd HH:mm} UTC in {run.DurationSeconds:0.#} s on {run.Host.Os} {run.Host.Architecture}, {run.Host.Cores} cores{(run.Host.Gpus.Count > 0 ? ", " + string.Join(", ", run.Host.Gpus) : string.Empty)} |"));
        if (e is not null) s.AppendLine(Invariant($"| evaluated | {e.DurationSeconds:0.#} s, {e.Bootstrap.Resamples} bootstrap resamples, seed {e.Bootstrap.Seed} |"));
        s.AppendLine($"| tool | {run.Tool} |");
        if (run.Metrics.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Training metrics:");
            s.AppendLine();
            var names = run.Metrics.Values.SelectMany(m => m.Keys).Distinct().ToList();
            s.AppendLine($"| split | {string.Join(" | ", names)} |");
            s.AppendLine($"| --- |{string.Concat(names.Select(_ => " ---: |"))}");
            foreach (var (split, m) in run.Metrics) s.AppendLine($"| {split} | {string.Join(" | ", names.Select(n => m.TryGetValue(n, out var v) ? N(v) : "–"))} |");
        }

        s.AppendLine();
        s.AppendLine("</details>");
        s.AppendLine();
    }

    private static void Footer(StringBuilder s, ReportOptions options)
    {
        var link = options.ArtifactsUrl is { } url ? $" · [full report and artifacts]({url})" : string.Empty;
        s.AppendLine($"<sub>{Artifacts.ToolInfo.NameAndVersion}{link}</sub>");
    }

    private static string Arrow(MetricComparison m) => m.HigherIsBetter ? "↑" : "↓";

    private static string Change(MetricComparison m)
    {
        if (m.Delta is not { } d) return "–";
        var mark = d == 0 ? "·" : (d > 0) == m.HigherIsBetter ? "🟢" : "🔴";
        return $"{mark} {d.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture)}";
    }

    private static double Nice(double max)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        return Math.Ceiling(max / magnitude) * magnitude;
    }

    private static string Size(long bytes) => bytes >= 1 << 20 ? Invariant($"{bytes / (double)(1 << 20):0.#} MiB") : Invariant($"{bytes / 1024.0:0.#} KiB");

    private static string N(double v) => MarkdownText.Number(v);

    private static string P(Interval? i) => MarkdownText.Interval(i);

    private static string I(Interval? i) => i is null || double.IsNaN(i.Low) ? "–" : Invariant($"[{i.Low:+0.####;-0.####;0}, {i.High:+0.####;-0.####;0}]");

    private static string Cell(string text) => MarkdownText.Cell(text);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial System.Text.RegularExpressions.Regex KeyPattern();
}
