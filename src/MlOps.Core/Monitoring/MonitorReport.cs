using System.Globalization;
using System.Text;
using MlOps.Artifacts;
using MlOps.Reporting;

namespace MlOps.Monitoring;

/// <summary>report.md of the monitor: the verdict per served version and rule, and the drift time series per window.</summary>
public static class MonitorReport
{
    /// <summary>Renders the report; every logged value goes through <see cref="MarkdownText.Cell"/> (log text is untrusted).</summary>
    public static string Render(MonitorResult r, ChartStyle charts = ChartStyle.Mermaid)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"# {(r.Passed ? "✅ Production matches training" : "❌ Production drifted from training")}: {MarkdownText.Cell(r.Model)}");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"{r.Log.Entries:N0} log entries in {r.Log.Files} files, {r.Versions.Sum(v => v.Rows):N0} rows, compared with the training statistics and evaluation of the version that served them.");
        if (r.Labels is { } l) s.AppendLine(CultureInfo.InvariantCulture, $"Labels: {l.Joined:N0} of {l.Labels:N0} in {MarkdownText.Cell(Path.GetFileName(l.Path))} joined on `{MarkdownText.Cell(l.Key)}`.");
        foreach (var w in r.Warnings) s.AppendLine(CultureInfo.InvariantCulture, $"- ⚠️ {MarkdownText.Cell(w)}");
        s.AppendLine();
        s.AppendLine("| version | rows | verdict | input drift | prediction drift | performance | anomalies |");
        s.AppendLine("| --- | ---: | --- | --- | --- | --- | --- |");
        foreach (var v in r.Versions)
        {
            var verdict = v.Problem is { } p ? $"❌ cannot check: {MarkdownText.Cell(p)}" : v.Passed ? "✅ pass" : "❌ fail";
            var predictions = v.PredictionProblem is { } pp ? $"❌ {MarkdownText.Cell(pp)}" : v.PredictionDrift is null ? "not compared" : List(v.PredictionDrift);
            var decay = v.Decay is null ? "no labels" : $"{(v.Decay.Passed ? "✅" : "❌")} {MarkdownText.Cell(v.Decay.Detail)}";
            s.AppendLine(CultureInfo.InvariantCulture, $"| v{MarkdownText.Cell(v.Version)} | {v.Rows:N0} | {verdict} | {List(v.Drifted)} | {predictions} | {decay} | {List(v.Anomalies)} |");
        }

        foreach (var v in r.Versions.Where(v => v.Windows.Count > 0))
        {
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture, $"## v{MarkdownText.Cell(v.Version)} over time ({MarkdownText.Cell(r.Window ?? "windows")})");
            s.AppendLine();
            var labels = v.Windows.Select(w => w.Start.ToString(Span(v.Windows) >= TimeSpan.FromDays(2) ? "MM-dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture)).ToList();
            s.Append(Charts.Series(charts, "largest input drift score ÷ threshold per window", "score ÷ threshold", labels, v.Windows.Select(w => w.Ratio).ToList(), 1, "drift threshold"));
            s.AppendLine();
            s.AppendLine("| window (UTC) | rows | worst column | score ÷ threshold | drifted |");
            s.AppendLine("| --- | ---: | --- | ---: | --- |");
            foreach (var w in v.Windows)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"| {w.Start:yyyy-MM-dd HH:mm} | {w.Rows:N0} | {MarkdownText.Cell(w.Column ?? "–")} | {w.Ratio:0.###} | {List(w.Drifted)} |");
            }
        }

        return s.ToString();
    }

    private static TimeSpan Span(IReadOnlyList<WindowPoint> windows) => windows[^1].Start - windows[0].Start;

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? "–" : string.Join(", ", items.Select(MarkdownText.Cell));
}
