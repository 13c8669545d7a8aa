using System.Globalization;
using System.Text;
using MlOps.Artifacts;
using MlOps.Platforms;

namespace MlOps.Monitoring;

/// <summary>The monitor's findings as alerts: one per rule and subject (the versions that share it are listed in it).</summary>
public static class MonitorAlerts
{
    /// <summary>The alerts of a run; untrusted text (column names, model names) is escaped.</summary>
    public static IReadOnlyList<Alert> For(MonitorResult result, string? runUrl) =>
        result.Findings.GroupBy(f => (f.Rule, f.Subject)).Select(g =>
        {
            var findings = g.ToList();
            var versions = string.Join(", ", findings.Select(f => "v" + f.Version).Distinct());
            var body = new StringBuilder();
            body.AppendLine(CultureInfo.InvariantCulture, $"**{MarkdownText.Cell(g.Key.Rule)}** in **{MarkdownText.Cell(g.Key.Subject)}** of model **{MarkdownText.Cell(result.Model)}**, served by {versions}.");
            body.AppendLine();
            body.AppendLine("| version | measurement |");
            body.AppendLine("| --- | --- |");
            foreach (var f in findings) body.AppendLine(CultureInfo.InvariantCulture, $"| v{MarkdownText.Cell(f.Version)} | {MarkdownText.Cell(f.Detail)} |");
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Found by `mlops monitor` over {result.Versions.Sum(v => v.Rows):N0} logged rows{(runUrl is null ? "." : $" in [this run]({runUrl}); its job summary has the full report.")}");
            body.Append("This issue is updated in place while the problem lasts and closed when the check passes again.");
            var title = $"Model {result.Model} {versions}: {g.Key.Rule} in {g.Key.Subject}";
            return new Alert($"{g.Key.Rule}/{g.Key.Subject}", title.ReplaceLineEndings(" "), body.ToString());
        }).ToList();

    /// <summary>Which open alerts this run may close: those whose rule ran (a rule that did not run says nothing).</summary>
    public static Func<string, bool> Resolvable(MonitorResult result)
    {
        var rules = new HashSet<string>(StringComparer.Ordinal) { "not checked" };
        if (result.Versions.Any(v => v.Problem is null)) rules.UnionWith(["input drift", "schema anomaly"]);
        if (result.Versions.Any(v => v.PredictionDrift is not null)) rules.Add("prediction drift");
        if (result.Versions.Any(v => v.Decay is { Production: not null })) rules.Add("performance decay");
        return key => rules.Contains(key.Split('/')[0]);
    }
}
