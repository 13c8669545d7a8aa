using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>The README's main job and its planted-failure twin, through the real CLI.</summary>
public class ValidateEndToEndTests
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    [Fact]
    public async Task The_example_passes_and_writes_every_artifact()
    {
        using var output = new TempDir();
        var (code, stdout, err) = await Support.Cli.RunAsync("validate", "--config", Example("mlops.yaml"), "--output", output.Path);
        Assert.True(code == ExitCodes.Success, stdout + err);
        foreach (var file in new[] { "stats.json", "schema.json", "anomalies.json", "drift.json", "validation.json", "report.md" })
        {
            Assert.True(File.Exists(Path.Combine(output.Path, file)), file);
        }

        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "stats.json")));
        Assert.Equal(1, stats.RootElement.GetProperty("schemaVersion").GetInt32());
        var species = stats.RootElement.GetProperty("columns").EnumerateArray().First(c => c.GetProperty("name").GetString() == "species");
        Assert.Equal("string", species.GetProperty("type").GetString());
        Assert.Equal(3, species.GetProperty("distinct").GetInt64());
    }

    [Fact]
    public async Task Planted_drift_and_schema_breaks_fail_the_gate_with_a_readable_report()
    {
        using var output = new TempDir();
        var (code, stdout, _) = await Support.Cli.RunAsync("validate", "--config", Example("mlops.yaml"), "--data", Example("data/planted/current.csv"), "--output", output.Path);
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("island: out-of-domain", stdout, StringComparison.Ordinal);
        Assert.Contains("'Anvers'", stdout, StringComparison.Ordinal);
        Assert.Contains("row 11", stdout, StringComparison.Ordinal);
        Assert.Contains("bill_depth_mm: out-of-range", stdout, StringComparison.Ordinal);
        Assert.Contains("flipper_length_mm: type-mismatch", stdout, StringComparison.Ordinal);
        Assert.Contains("drift: body_mass_g", stdout, StringComparison.Ordinal);

        var report = File.ReadAllText(Path.Combine(output.Path, "report.md"));
        Assert.StartsWith("## Data validation", report, StringComparison.Ordinal);
        Assert.Contains("❌ **Data validation failed**", report, StringComparison.Ordinal);
        Assert.Contains("| body_mass_g | numeric | psi |", report, StringComparison.Ordinal);

        using var drift = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "drift.json")));
        var columns = drift.RootElement.GetProperty("columns").EnumerateArray().ToList();
        Assert.All(columns, c => Assert.True(c.TryGetProperty("scores", out _)));   // every column's scores, drifted or not
        Assert.Contains(columns, c => c.GetProperty("column").GetString() == "body_mass_g" && c.GetProperty("drifted").GetBoolean());
        Assert.Contains(columns, c => c.GetProperty("column").GetString() == "species" && !c.GetProperty("drifted").GetBoolean());
    }

    [Fact]
    public async Task Json_output_is_machine_readable()
    {
        using var output = new TempDir();
        var (code, stdout, _) = await Support.Cli.RunAsync("validate", "--config", Example("mlops.yaml"), "--output", output.Path, "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal("mlops.validation", doc.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Drift_against_a_stats_json_baseline_equals_drift_against_the_dataset()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        await Support.Cli.RunAsync("validate", "--data", Example("data/reference.csv"), "--output", a.Path);
        var viaStats = await Support.Cli.RunAsync("validate", "--config", Example("mlops.yaml"), "--baseline", Path.Combine(a.Path, "stats.json"), "--output", b.Path, "--json");
        var viaData = await Support.Cli.RunAsync("validate", "--config", Example("mlops.yaml"), "--output", a.Path, "--json");
        Assert.Equal(0, viaStats.Code);
        var d1 = File.ReadAllText(Path.Combine(b.Path, "drift.json"));
        var d2 = File.ReadAllText(Path.Combine(a.Path, "drift.json"));
        Assert.Equal(Scores(d2), Scores(d1));
        Assert.Equal(0, viaData.Code);
    }

    [Fact]
    public async Task Sharded_statistics_merge_to_the_single_pass_figures()
    {
        using var d = new TempDir();
        var data = Example("data/penguins.csv");
        var one = await Run("validate", "--data", data, "--output", d.Combine("all"));
        await Run("validate", "--data", data, "--shard", "1/2", "--output", d.Combine("s1"));
        await Run("validate", "--data", data, "--shard", "2/2", "--output", d.Combine("s2"));
        var merge = await Support.Cli.RunAsync("stats", "merge", d.Combine("s1/stats.json"), d.Combine("s2/stats.json"), "--output", d.Combine("merged.json"));
        Assert.Equal(0, merge.Code);

        using var whole = JsonDocument.Parse(File.ReadAllText(d.Combine("all/stats.json")));
        using var merged = JsonDocument.Parse(File.ReadAllText(d.Combine("merged.json")));
        Assert.Equal(whole.RootElement.GetProperty("rows").GetInt64(), merged.RootElement.GetProperty("rows").GetInt64());
        foreach (var (w, m) in whole.RootElement.GetProperty("columns").EnumerateArray().Zip(merged.RootElement.GetProperty("columns").EnumerateArray()))
        {
            Assert.Equal(w.GetProperty("name").GetString(), m.GetProperty("name").GetString());
            Assert.Equal(w.GetProperty("missing").GetInt64(), m.GetProperty("missing").GetInt64());
            Assert.Equal(w.GetProperty("distinct").GetInt64(), m.GetProperty("distinct").GetInt64());
            if (w.TryGetProperty("numeric", out var wn))
            {
                var mn = m.GetProperty("numeric");
                Assert.Equal(wn.GetProperty("mean").GetDouble(), mn.GetProperty("mean").GetDouble(), 9);
                Assert.Equal(wn.GetProperty("std").GetDouble(), mn.GetProperty("std").GetDouble(), 9);
                Assert.Equal(wn.GetProperty("quantiles").GetProperty("p50").GetDouble(), mn.GetProperty("quantiles").GetProperty("p50").GetDouble());
            }
        }

        Assert.Equal(0, one);
    }

    private static async Task<int> Run(params string[] args) => (await Support.Cli.RunAsync(args)).Code;

    private static string Scores(string driftJson)
    {
        using var doc = JsonDocument.Parse(driftJson);
        return string.Join(";", doc.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("column").GetString() + "=" + c.GetProperty("score").GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
    }
}
