using System.Text.Json;
using MlOps.Reporting;
using MlOps.Tests.Support;

namespace MlOps.Tests.Reporting;

[Trait("Category", "Integration")]
public class ReportRenderingTests
{
    private static async Task<ReportInputs> InputsAsync(TempDir dir, bool blessed, int slices = 1)
    {
        await StageArtifacts.WriteEvaluationAsync(dir.Combine("evaluation"), StageArtifacts.Evaluation(blessed, slices));
        StageArtifacts.WriteValidation(dir.Combine("validation"));
        return await ReportInputs.ReadAsync(new StageFolder(dir.Combine("validation"), true), new StageFolder(dir.Combine("train"), false), new StageFolder(dir.Combine("evaluation"), true));
    }

    [Fact]
    public async Task Verdict_and_failing_gates_come_first_then_metrics_with_baseline_deltas_and_intervals()
    {
        using var dir = new TempDir();
        var md = ReportRenderer.Render(await InputsAsync(dir, blessed: false), new ReportOptions { Key = "churn", Commit = "0123456789abcdef" });
        var lines = md.Split('\n');
        Assert.Equal("<!-- mlops-report:churn -->", lines[0]);
        Assert.StartsWith("## ❌ Not blessed · penguins", lines[1]);
        Assert.Contains("- ❌ **accuracy (no significant regression)**: 0.8 vs 0.89", md);
        Assert.True(md.IndexOf("❌ **accuracy", StringComparison.Ordinal) < md.IndexOf("### Metrics", StringComparison.Ordinal));
        Assert.Contains("| accuracy ↑ | 0.8 | 0.89 | 🔴 -0.09 | [-0.12, -0.06] |", md);
        Assert.Contains("| log-loss ↓ | 0.31 | 0.33 | 🟢 -0.02 | [-0.04, +0.001] |", md);
        Assert.Contains("Data validation ❌ failed: 5,000 rows, 1 anomaly, drift in 1 of 2 columns.", md);
        Assert.Contains("| sex | out-of-domain | one of female, male | 'unknown' | 3 | data.csv:42 |", md);
        Assert.Contains("| body_mass_g | psi | 0.42 | 0.2 | 0.001 | ❌ yes |", md);
        Assert.Contains("| a\\|b | 600 | 0.9 | 0.88 |", md); // a pipe in a value cannot break the table
        Assert.Contains("Commit `0123456`", md);
    }

    [Fact]
    public async Task Charts_are_mermaid_by_default_text_on_request_and_absent_with_none()
    {
        using var dir = new TempDir();
        var inputs = await InputsAsync(dir, blessed: true);
        var mermaid = ReportRenderer.Render(inputs, new ReportOptions());
        Assert.Equal(3, mermaid.Split("```mermaid").Length - 1);
        Assert.Contains("    bar [0.91, 0.95]", mermaid);
        Assert.Contains("    line [0.89, 0.94]", mermaid); // the baseline
        Assert.DoesNotContain("log-loss\"", mermaid.Split("```mermaid")[1]); // error metrics are not on the 0-1 score axis

        var text = ReportRenderer.Render(inputs, new ReportOptions { Charts = ChartStyle.Text });
        Assert.DoesNotContain("```mermaid", text);
        Assert.Contains("accuracy  " + Charts.Bar(0.91, 0, 1) + "  0.91  (baseline 0.89)", text);

        var none = ReportRenderer.Render(inputs, new ReportOptions { Charts = ChartStyle.None });
        Assert.DoesNotContain("```", none);
    }

    [Fact]
    public void Text_bars_are_proportional_in_eighths()
    {
        Assert.Equal(new string('█', 30), Charts.Bar(1, 0, 1));
        Assert.Equal(string.Empty, Charts.Bar(0, 0, 1).Trim());
        Assert.Equal(new string('█', 15), Charts.Bar(0.5, 0, 1).Trim());
        Assert.Equal("▏", Charts.Bar(1 / 240.0, 0, 1).Trim()); // one eighth of one cell
        Assert.Equal(30, Charts.Bar(0.37, 0, 1).Length);
    }

    [Fact]
    public async Task Every_mermaid_block_parses_with_mermaids_own_parser()
    {
        using var dir = new TempDir();
        var inputs = await InputsAsync(dir, blessed: true);
        var report = dir.File("report.md", ReportRenderer.Render(inputs, new ReportOptions()));
        var awkward = dir.File("awkward.md", Charts.Bars(ChartStyle.Mermaid, "Quotes \"and\" commas, ü, 日本", "y", [new ChartBar("a, \"b\"", 0.5, 0.4), new ChartBar("[x]", double.NaN, null)], 0, 1, "baseline"));
        var broken = dir.File("broken.md", "```mermaid\nxychart-beta\n    x-axis [a, b\n    bar [1, 2]\n```\n");

        var (code, results) = await MermaidCheckAsync(report, awkward, broken);
        Assert.Equal(1, code);
        Assert.Equal(5, results.Count);
        Assert.All(results.Where(r => r.File != broken), r => Assert.True(r.Ok, r.Error));
        Assert.All(results.Where(r => r.File != broken), r => Assert.Equal("xychart", r.Type));
        Assert.False(results.Single(r => r.File == broken).Ok); // the checker can fail
    }

    [Fact]
    public void A_report_that_fits_is_untouched()
    {
        Assert.Equal("short", ReportFitter.Fit("short", 100, "link"));
    }

    [Fact]
    public async Task A_large_report_first_loses_its_collapsed_details_then_is_cut_with_a_note_and_link()
    {
        using var dir = new TempDir();
        var full = ReportRenderer.Render(await InputsAsync(dir, blessed: true, slices: 800), new ReportOptions());
        Assert.True(full.Length > ReportOptions.GitHubCommentLimit);

        var fitted = ReportFitter.Fit(full, ReportOptions.GitHubCommentLimit, "https://run/1");
        Assert.True(fitted.Length <= ReportOptions.GitHubCommentLimit);
        Assert.StartsWith("<!-- mlops-report:mlops -->", fitted);
        Assert.Contains("_Omitted to fit the comment size limit: see https://run/1._", fitted);
        Assert.Contains("### Metrics", fitted); // the summary survives
        Assert.DoesNotContain("Truncated", fitted);

        // Collapsing alone gives about 3,000 characters: a smaller limit has to cut.
        var cut = ReportFitter.Fit(full, 1500, "https://run/1");
        Assert.True(cut.Length <= 1500);
        Assert.Contains("Truncated to fit the 1,500-character comment limit. The full report: https://run/1.", cut);
        Assert.Equal(0, (cut.Split("```").Length - 1) % 2); // no code fence left open
        Assert.Equal(cut.Split("<details>").Length, cut.Split("</details>").Length);
    }

    internal static async Task<(int Code, List<MermaidResult> Results)> MermaidCheckAsync(params string[] files)
    {
        var script = Path.Combine(Support.Cli.RepoRoot, "tools", "test-services", "mermaid-check.mjs");
        var (code, stdout, stderr) = await Processes.RunAsync("node", [script, .. files], TimeSpan.FromSeconds(60), Path.GetDirectoryName(script));
        var results = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<MermaidResult>(l, new JsonSerializerOptions(JsonSerializerDefaults.Web))!).ToList();
        Assert.True(results.Count > 0, stderr);
        return (code, results);
    }

    internal sealed record MermaidResult(string File, int Block, bool Ok, string? Type, string? Error);
}
