using System.Globalization;
using System.Text;

namespace MlOps.Validation;

/// <summary>Renders report.md: the verdict first, then anomalies, drift and column statistics.</summary>
public static class ValidationReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The Markdown report.</summary>
    public static string Render(ValidationResult r)
    {
        var sb = new StringBuilder();
        var verdict = r.Passed ? "✅ **Data validation passed**" : "❌ **Data validation failed**";
        sb.AppendLine("## Data validation").AppendLine();
        sb.Append(Inv, $"{verdict}: {r.Profile.Rows:N0} rows, {r.Profile.Columns.Count} columns from `{r.Profile.Source}`");
        sb.AppendLine(r.Profile.Files.Count > 1 ? string.Create(Inv, $" ({r.Profile.Files.Count} files).") : ".").AppendLine();

        var reasons = new List<string>();
        if (r.Anomalies.Count > 0) reasons.Add(string.Create(Inv, $"{r.Anomalies.Count} schema anomal{(r.Anomalies.Count == 1 ? "y" : "ies")}"));
        if (r.Drift is { Drifted: true } d)
        {
            reasons.Add(string.Create(Inv, $"drift in {d.Columns.Count(c => c.Drifted)} of {d.Compared} columns ({d.DriftedShare:P0} > {d.MaxDriftedShare:P0} allowed)"));
        }

        if (reasons.Count > 0) sb.AppendLine("Why: " + string.Join("; ", reasons) + ".").AppendLine();
        foreach (var warning in r.Profile.Warnings) sb.AppendLine(Inv, $"⚠️ {Artifacts.MarkdownText.Cell(warning)}").AppendLine();
        if (!r.SchemaDeclared) sb.AppendLine("_No schema was given: schema.json holds the inferred one. Review it, commit it, and set `validate.schema` to check future data against it._").AppendLine();

        if (r.Anomalies.Count > 0)
        {
            sb.AppendLine("### Schema anomalies").AppendLine();
            sb.AppendLine("| column | problem | expected | found | first at |");
            sb.AppendLine("| --- | --- | --- | --- | --- |");
            foreach (var a in r.Anomalies)
            {
                var at = a.File is null ? string.Empty : a.Row is { } row ? string.Create(Inv, $"{Path.GetFileName(a.File)} row {row}") : Path.GetFileName(a.File);
                sb.AppendLine(Inv, $"| {Cell(a.Column ?? "(dataset)")} | {a.Kind} | {Cell(a.Expected)} | {Cell(a.Actual)} | {at} |");
            }

            sb.AppendLine();
        }

        if (r.Drift is { } drift)
        {
            sb.AppendLine(Inv, $"### Drift against `{drift.Baseline}`").AppendLine();
            sb.AppendLine("| column | kind | method | score | threshold | p-value | from | drifted |");
            sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: | --- | :---: |");
            foreach (var c in drift.Columns.OrderByDescending(c => c.Drifted).ThenBy(c => c.Column, StringComparer.Ordinal))
            {
                if (c.Skipped is not null)
                {
                    sb.AppendLine(Inv, $"| {Cell(c.Column)} | skipped | | | | | | {Cell(c.Skipped)} |");
                    continue;
                }

                sb.AppendLine(Inv, $"| {Cell(c.Column)} | {c.Kind} | {c.Method} | {c.Score:0.####} | {c.Threshold:0.####} | {P(c.PValue)} | {From(c)} | {(c.Drifted ? "🔴 yes" : "no")} |");
            }

            sb.AppendLine();
            sb.AppendLine("A column drifts when its score reaches the threshold and its test (KS or chi-square) is significant at α; see docs/validation.md.").AppendLine();
        }

        sb.AppendLine("<details><summary>Column statistics</summary>").AppendLine();
        sb.AppendLine("| column | type | missing | distinct | min | mean | max | top values |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var c in r.Profile.Columns)
        {
            var numeric = c.Numbers > 0;
            var time = c.Times > 0 && !numeric;
            var (top, _) = c.CategoryCounts();
            var tops = c.InferredType is Statistics.ColumnType.String or Statistics.ColumnType.Boolean
                ? string.Join(", ", top.Take(3).Select(kv => string.Create(Inv, $"{Cell(kv.Key)} ({kv.Value})")))
                : string.Empty;
            var (distinct, exact) = c.DistinctCount;
            sb.AppendLine(Inv, $"| {Cell(c.Name)} | {Statistics.ColumnTypes.Name(c.InferredType)}{(c.LooksLikeIdentifier ? " (identifier)" : string.Empty)} | {(c.Count == 0 ? 0 : (double)c.Missing / c.Count):P1} | {(exact ? string.Empty : "≈")}{distinct} | {(numeric ? N(c.Moments.Min) : time ? T(c, c.Moments.Min) : string.Empty)} | {(numeric ? N(c.Moments.Mean) : string.Empty)} | {(numeric ? N(c.Moments.Max) : time ? T(c, c.Moments.Max) : string.Empty)} | {tops} |");
        }

        sb.AppendLine().AppendLine("</details>");
        return sb.ToString();
    }

    // Where the figures come from: every value counted, or a sketch with its KS error bound.
    private static string From(Drift.ColumnDrift c) => c.Kind is not ("numeric" or "time") ? string.Empty
        : c.RankError == 0 ? "exact counts" : string.Create(Inv, $"sketch, KS ± {c.RankError:0.###}");

    private static string T(Statistics.ColumnProfile c, double seconds) => Data.TimeValue.Format(seconds, c.TimeKind ?? Data.TimeKind.Zoned);

    private static string N(double v) => v.ToString("0.####", Inv);

    private static string P(double p) => p < 0.0001 ? "<0.0001" : p.ToString("0.####", Inv);

    private static string Cell(string s) => Artifacts.MarkdownText.Cell(s);
}
