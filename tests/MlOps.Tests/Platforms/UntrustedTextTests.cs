using MlOps.Platforms;
using MlOps.Tests.Support;

namespace MlOps.Tests.Platforms;

/// <summary>Hostile cells, labels and slice values stay text: no runner command, no markup, no mention.</summary>
public sealed class UntrustedTextTests
{
    private const string Hostile = "Dream\n::error file=x.py,line=1::owned\r::add-mask::secret\n  ::warning::w\n##vso[task.complete result=Succeeded;]done ##VSO[task.setvariable variable=x]1 ##[error]e @octocat <img src=x onerror=alert(1)> [click](http://evil) `code` **bold**";

    private static readonly Dictionary<string, string> GitHub = new() { ["GITHUB_ACTIONS"] = "true", ["CI"] = "true" };
    private static readonly Dictionary<string, string> Azure = new() { ["TF_BUILD"] = "True" };

    /// <summary>
    /// What a runner would take for a command: a line (split at \r or \n) starting with "::", or
    /// "##[" / "##vso[" anywhere. <paramref name="ours"/> names mlops's own commands, which may
    /// appear once at the start of their line, with data only in their escaped message.
    /// </summary>
    private static void AssertNoRunnerCommand(string output, params string[] ours)
    {
        foreach (var line in output.Split('\n', '\r'))
        {
            var trimmed = line.TrimStart();
            var own = ours.FirstOrDefault(p => trimmed.StartsWith(p, StringComparison.Ordinal));
            var rest = own is null ? line : trimmed[own.Length..];
            Assert.False(own is null && trimmed.StartsWith("::", StringComparison.Ordinal), $"a workflow command: {line}");
            Assert.DoesNotContain("##vso[", rest, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("##[", rest, StringComparison.Ordinal);
        }
    }

    private static void AssertInertMarkdown(string markdown)
    {
        Assert.DoesNotContain("<img", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("@octocat", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("[click](", markdown, StringComparison.Ordinal);
        if (markdown.Contains("onerror", StringComparison.Ordinal)) Assert.Contains("&lt;img src=x", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void The_console_writer_keeps_commands_inert_however_the_text_is_split(int chunk)
    {
        var raw = new StringWriter();
        using (var writer = new InertConsoleWriter(raw))
        {
            var text = "progress\n" + Hostile + "\n#" + "#vso[task.complete]split\n";
            for (var i = 0; i < text.Length; i += chunk) writer.Write(text.Substring(i, Math.Min(chunk, text.Length - i)));
            writer.WriteLine("::error::at the start of a WriteLine");
        }

        var output = raw.ToString();
        AssertNoRunnerCommand(output);
        Assert.Equal(("progress\n" + Hostile + "\n##vso[task.complete]split\n::error::at the start of a WriteLine" + Environment.NewLine).Replace("\u200B", string.Empty, StringComparison.Ordinal), output.Replace("\u200B", string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void Markdown_cells_and_code_spans_cannot_carry_markup()
    {
        AssertInertMarkdown(MlOps.Artifacts.MarkdownText.Cell(Hostile));
        Assert.DoesNotContain("\n", MlOps.Artifacts.MarkdownText.Cell(Hostile), StringComparison.Ordinal);
        Assert.Equal("``a`b``", MlOps.Artifacts.MarkdownText.Code("a`b"));
        Assert.Equal("``` ``x`` ```", MlOps.Artifacts.MarkdownText.Code("``x``"));
    }

    [Theory]
    [InlineData("github")]
    [InlineData("azure")]
    public async Task A_hostile_cell_through_validate_and_report_stays_text(string platform)
    {
        using var dir = new TempDir();
        var workspace = dir.Combine("w");
        var lines = File.ReadAllLines(Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "current.csv")).ToList();
        lines.Add($"9999,Adelie,\"{Hostile.Replace("\"", "\"\"", StringComparison.Ordinal)}\",39.5,17.4,186,3800,female");
        Directory.CreateDirectory(Path.Combine(workspace, "data"));
        var config = Examples.CopyPenguins(workspace, "data/hostile.csv");
        File.WriteAllLines(Path.Combine(workspace, "data", "hostile.csv"), lines);
        var env = new Dictionary<string, string>(platform == "github" ? GitHub : Azure)
        {
            ["GITHUB_STEP_SUMMARY"] = dir.File("summary.md", string.Empty),
            ["GITHUB_OUTPUT"] = dir.File("output.txt", string.Empty),
        };

        var (code, stdout, stderr) = await Support.Cli.RunWithEnvironmentAsync(env, "validate", "--config", config, "--output", Path.Combine(workspace, "mlops-out/validation"));
        Assert.True(code == 1, stdout + stderr);
        Assert.Contains("owned", stdout + stderr, StringComparison.Ordinal);
        AssertNoRunnerCommand(stdout + stderr);
        AssertInertMarkdown(File.ReadAllText(Path.Combine(workspace, "mlops-out/validation/report.md")));

        // The report step: its own annotations are the only commands, and their messages are escaped.
        (code, stdout, stderr) = await Support.Cli.RunWithEnvironmentAsync(env, "report", "--config", config, "--validation", Path.Combine(workspace, "mlops-out/validation"), "--output", Path.Combine(workspace, "mlops-out/report.md"));
        string[] ours = platform == "github" ? ["::error file=", "::warning", "::notice"] : ["##vso[task.logissue", "##vso[task.uploadsummary", "##vso[task.setvariable"];
        AssertNoRunnerCommand(stdout + stderr, ours);
        Assert.Contains(ours[0], stdout, StringComparison.Ordinal);
        AssertInertMarkdown(File.ReadAllText(Path.Combine(workspace, "mlops-out/report.md")));
    }

    [Fact]
    public async Task Hostile_slice_values_and_columns_in_evaluate_stay_text()
    {
        using var dir = new TempDir();
        var source = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");
        var lines = File.ReadAllLines(source).Select((l, i) => i == 0 ? l : i % 3 == 0 ? l.Replace(",Dream,", $",\"{Hostile.Replace("\"", "\"\"", StringComparison.Ordinal)}\",", StringComparison.Ordinal) : l);
        var data = dir.File("hostile.csv", string.Join('\n', lines) + "\n");
        var config = dir.File("mlops.yaml", $"project: penguins\ntask: multiclass\nlabel: species\ndata: {{ path: {data} }}\nsplit: {{ key: penguin_id }}\nevaluate: {{ split: all, bootstrap: {{ resamples: 50 }}, slices: {{ columns: [island], min-size: 1, max-gap: 0.0001 }}, importance: {{ repeats: 0 }} }}\n");
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(source));
        var (code, stdout, stderr) = await Support.Cli.RunWithEnvironmentAsync(GitHub, "evaluate", "--config", config, "--model", model, "--baseline", "none", "--output", dir.Combine("eval"));
        Assert.True(code is 0 or 1, stdout + stderr);
        AssertNoRunnerCommand(stdout + stderr);
        var report = File.ReadAllText(dir.Combine("eval/report.md"));
        Assert.Contains("owned", report, StringComparison.Ordinal);
        AssertInertMarkdown(report);
    }
}
