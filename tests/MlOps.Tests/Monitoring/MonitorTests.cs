using System.Globalization;
using System.Text.Json;
using MlOps.Monitoring;
using MlOps.Tests.Support;

namespace MlOps.Tests.Monitoring;

/// <summary>
/// mlops monitor through the real server: the example trained, registered with its statistics and
/// promoted; traffic like the training data passes, traffic with heavier penguins fails naming
/// the column; malformed and partial log lines are counted, never fatal.
/// </summary>
[Trait("Category", "Integration")]
public class MonitorTests
{
    private static async Task<string> ProductionAsync(TempDir dir)
    {
        // Stage by stage with explicit folders: the test process's working directory is shared.
        var config = Examples.CopyPenguins(dir.Path);
        foreach (var args in new[]
        {
            new[] { "validate", "--output", dir.Combine("out/validation") },
            ["train", "--output", dir.Combine("out/train")],
            ["evaluate", "--model", dir.Combine("out/train"), "--output", dir.Combine("out/evaluation")],
            ["register", "--model", dir.Combine("out/train"), "--evaluation", dir.Combine("out/evaluation/evaluation.json"), "--validation", dir.Combine("out/validation"), "--alias", "production"],
        })
        {
            var (code, o, e) = await Support.Cli.RunAsync([.. args, "--config", config]);
            Assert.True(code == 0, $"{args[0]}: {o}{e}");
        }

        return config;
    }

    // Sends the example's own rows (optionally heavier) to the served model, logging every request.
    private static async Task ServeAsync(TempDir dir, string log, double extraMass)
    {
        await using var server = await ServingSetup.FromExampleRegistryAsync(dir, "penguins", log);
        var inputs = server.Host.Find("penguins")!.Current!.Scorer.Inputs.Select(i => i.Name).ToHashSet();
        var lines = File.ReadAllLines(dir.Combine("data/current.csv"));
        var header = lines[0].Split(',');
        using var http = new HttpClient();
        foreach (var batch in lines.Skip(1).Chunk(10))
        {
            var instances = batch.Select(l => header.Zip(l.Split(',')).Where(p => inputs.Contains(p.First)).ToDictionary(p => p.First, p => p.Second.Length == 0 ? null : double.TryParse(p.Second, CultureInfo.InvariantCulture, out var x) ? (object)(p.First == "body_mass_g" ? x + extraMass : x) : p.Second)).ToList();
            using var response = await http.PostAsync(server.Url + "/v1/models/penguins:predict", new StringContent(JsonSerializer.Serialize(new { instances }), System.Text.Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Traffic_like_training_passes_and_heavier_penguins_fail_naming_the_column()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);
        await ServeAsync(dir, dir.Combine("logs/normal.jsonl"), 0);
        var (ok, oo, oe) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/normal.jsonl"), "--output", dir.Combine("mon1"));
        Assert.True(ok == 0, oo + oe);
        Assert.Contains("PASSED", oo, StringComparison.Ordinal);
        Assert.Contains("v1: 177 rows, pass", oo, StringComparison.Ordinal);

        await ServeAsync(dir, dir.Combine("logs/heavy.jsonl"), 1500);
        var (bad, bo, be) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/heavy.jsonl"), "--output", dir.Combine("mon2"));
        Assert.True(bad == ExitCodes.GateFailed, bo + be);
        Assert.Contains("drift in body_mass_g", bo, StringComparison.Ordinal);
        Assert.DoesNotContain("drift in bill_length_mm", bo, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon2/monitoring.json"))).RootElement;
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.StartsWith("# ❌ Production inputs drifted", File.ReadAllText(dir.Combine("mon2/report.md")), StringComparison.Ordinal);

        // A folder of both logs: each row counted once; the heavy half still fails.
        var (both, _, _) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs"), "--output", dir.Combine("mon3"));
        Assert.Equal(ExitCodes.GateFailed, both);
        Assert.Equal(354, JsonDocument.Parse(File.ReadAllText(dir.Combine("mon3/monitoring.json"))).RootElement.GetProperty("versions")[0].GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task Malformed_and_partial_lines_are_counted_and_an_empty_window_is_one_line()
    {
        using var dir = new TempDir();
        var good = """{"time":"2026-01-01T00:00:00Z","model":"m","version":"1","inputs":[{"a":1},{"a":2}],"outputs":[{},{}]}""";
        File.WriteAllText(dir.Combine("log.jsonl"), good + "\nnot json\n" + """{"time":"2026-01-01T00:00:01Z","model":"other","version":"1","inputs":[{"a":3}]}""" + "\n" + good + "\n{\"time\":\"2026-01-01T00:00:02Z\",\"mod");
        var contents = await PredictionLogReader.ReadAsync([dir.Combine("log.jsonl")], "m", null, dir.Combine("out"));
        Assert.Equal(2, contents.Entries);
        Assert.Equal(1, contents.Malformed);
        Assert.Equal(dir.Combine("log.jsonl") + ":2", contents.FirstMalformed);
        Assert.Equal(1, contents.OtherModels);
        Assert.True(contents.PartialLast);
        Assert.Equal(4, contents.Versions["1"].Rows);

        var old = await PredictionLogReader.ReadAsync([dir.Combine("log.jsonl")], "m", DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture), dir.Combine("out2"));
        Assert.Equal(2, old.OutsideWindow);
        Assert.Empty(old.Versions);

        var config = dir.File("mlops.yaml", "project: m\ntask: regression\nlabel: y\n");
        var (code, _, err) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("log.jsonl"), "--since", "1h", "--registry", dir.Combine("registry"), "--output", dir.Combine("mon"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("no logged rows of 'm' since", err, StringComparison.Ordinal);
        Assert.Contains("2 older, 1 malformed, in 1 files", err, StringComparison.Ordinal);
    }
}
