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
    // Runs each stage with the config, in order; every one must succeed.
    private static async Task StagesAsync(string config, params string[][] stages)
    {
        foreach (var args in stages)
        {
            var (code, o, e) = await Support.Cli.RunAsync([.. args, "--config", config]);
            Assert.True(code == 0, $"{args[0]}: {o}{e}");
        }
    }

    internal static async Task<string> ProductionAsync(TempDir dir)
    {
        // Stage by stage with explicit folders: the test process's working directory is shared.
        var config = Examples.CopyPenguins(dir.Path);
        await StagesAsync(
            config,
            new[] { "validate", "--output", dir.Combine("out/validation") },
            ["train", "--output", dir.Combine("out/train")],
            ["evaluate", "--model", dir.Combine("out/train"), "--output", dir.Combine("out/evaluation")],
            ["register", "--model", dir.Combine("out/train"), "--evaluation", dir.Combine("out/evaluation/evaluation.json"), "--validation", dir.Combine("out/validation"), "--alias", "production"]);

        return config;
    }

    // Sends the example's own rows (optionally heavier) to the served model in requests of ten rows, logging every request; request n has the id "{prefix}{n}".
    internal static async Task ServeAsync(TempDir dir, string log, double extraMass, string prefix = "r", (string, double)? canary = null, int rounds = 1)
    {
        await using var server = await ServingSetup.FromExampleRegistryAsync(dir, "penguins", log, canary);
        var inputs = server.Host.Find("penguins")!.Current!.Scorer.Inputs.Select(i => i.Name).ToHashSet();
        var lines = File.ReadAllLines(dir.Combine("data/current.csv"));
        var header = lines[0].Split(',');
        using var http = new HttpClient();
        var n = 0;
        foreach (var batch in Enumerable.Repeat(lines.Skip(1), rounds).SelectMany(l => l.Chunk(10)))
        {
            var instances = batch.Select(l => header.Zip(l.Split(',')).Where(p => inputs.Contains(p.First)).ToDictionary(p => p.First, p => p.Second.Length == 0 ? null : double.TryParse(p.Second, CultureInfo.InvariantCulture, out var x) ? (object)(p.First == "body_mass_g" ? x + extraMass : x) : p.Second)).ToList();
            using var request = new HttpRequestMessage(HttpMethod.Post, server.Url + "/v1/models/penguins:predict") { Content = new StringContent(JsonSerializer.Serialize(new { instances }), System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-Request-Id", prefix + n++);
            using var response = await http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            Assert.Equal(prefix + (n - 1), response.Headers.GetValues("X-Request-Id").Single());
        }
    }

    // The truth for the rows ServeAsync sent: request_id, row within the request, species (optionally wrong).
    private static string Labels(TempDir dir, string name, bool wrong, string prefix = "r")
    {
        string[] classes = ["Adelie", "Chinstrap", "Gentoo"];
        var rows = File.ReadAllLines(dir.Combine("data/current.csv")).Skip(1).Select(l => l.Split(',')[1]).ToList();
        var lines = rows.Select((species, i) => $"{prefix}{i / 10},{i % 10},{(wrong ? classes[(Array.IndexOf(classes, species) + 1) % 3] : species)}");
        return dir.File(name, "request_id,row,species\n" + string.Join("\n", lines) + "\n");
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
        var normal = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon1/monitoring.json"))).RootElement.GetProperty("versions")[0];
        Assert.Equal(0, normal.GetProperty("predictionDrift").GetArrayLength()); // compared with the evaluation's predictions, and alike
        Assert.True(File.Exists(dir.Combine("mon1/v1/prediction-drift.json")));

        await ServeAsync(dir, dir.Combine("logs/heavy.jsonl"), 1500);
        var (bad, bo, be) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/heavy.jsonl"), "--output", dir.Combine("mon2"));
        Assert.True(bad == ExitCodes.GateFailed, bo + be);
        Assert.Contains("drift in body_mass_g", bo, StringComparison.Ordinal);
        Assert.DoesNotContain("drift in bill_length_mm", bo, StringComparison.Ordinal);
        var json = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon2/monitoring.json"))).RootElement;
        Assert.False(json.GetProperty("passed").GetBoolean());
        Assert.StartsWith("# ❌ Production drifted from training", File.ReadAllText(dir.Combine("mon2/report.md")), StringComparison.Ordinal);
        Assert.Contains(json.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "input drift" && f.GetProperty("subject").GetString() == "body_mass_g");

        // A folder of both logs: each row counted once; the heavy half still fails.
        var (both, _, _) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs"), "--output", dir.Combine("mon3"));
        Assert.Equal(ExitCodes.GateFailed, both);
        Assert.Equal(354, JsonDocument.Parse(File.ReadAllText(dir.Combine("mon3/monitoring.json"))).RootElement.GetProperty("versions")[0].GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task Labels_that_arrive_later_show_decay_and_windows_show_when_drift_began()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);
        await ServeAsync(dir, dir.Combine("logs/predictions.jsonl"), 0);

        // The truth as it was: accuracy like the evaluation's, within max-drop.
        var right = Labels(dir, "right.csv", wrong: false);
        var (ok, oo, oe) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/predictions.jsonl"), "--labels", right, "--output", dir.Combine("mon1"));
        Assert.True(ok == 0, oo + oe);
        var decay = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon1/monitoring.json"))).RootElement.GetProperty("versions")[0].GetProperty("decay");
        Assert.Equal(177, decay.GetProperty("rows").GetInt32());
        var served = decay.GetProperty("production").GetDouble();
        var labeled = File.ReadAllLines(dir.Combine("data/current.csv")).Skip(1).Select(l => l.Split(',')[1]).ToList();
        var predicted = File.ReadAllLines(dir.Combine("logs/predictions.jsonl")).SelectMany(l => JsonDocument.Parse(l).RootElement.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("label").GetString())).ToList();
        Assert.Equal(labeled.Zip(predicted).Count(p => p.First == p.Second) / 177.0, served, 9); // the same accuracy counted by hand

        // The world changed: every label is another species. Decay fails the monitor, naming the metric.
        var wrong = Labels(dir, "wrong.csv", wrong: true);
        var (bad, bo, be) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/predictions.jsonl"), "--labels", wrong, "--output", dir.Combine("mon2"));
        Assert.True(bad == ExitCodes.GateFailed, bo + be);
        Assert.Contains("more than max-drop 0.05", bo, StringComparison.Ordinal);
        var findings = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon2/monitoring.json"))).RootElement.GetProperty("findings");
        Assert.Contains(findings.EnumerateArray(), f => f.GetProperty("rule").GetString() == "performance decay" && f.GetProperty("subject").GetString() == "accuracy");

        // Labels that join nothing are one line with counts.
        var none = dir.File("none.csv", "request_id,row,species\nnope,0,Adelie\n");
        var (few, fo, _) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("logs/predictions.jsonl"), "--labels", none, "--output", dir.Combine("mon3"));
        Assert.Equal(ExitCodes.GateFailed, few);
        Assert.Contains("cannot check: 0 labeled rows joined, fewer than monitor.decay.min-rows (30)", fo, StringComparison.Ordinal);

        // Two hours of traffic: normal in the first, heavy penguins from the second; the time series shows when.
        await ServeAsync(dir, dir.Combine("logs/heavy.jsonl"), 1500);
        static IEnumerable<string> At(string file, string hour) => File.ReadAllLines(file).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\"time\":\"[^\"]+\"", $"\"time\":\"2026-11-30T{hour}:15:00Z\""));
        File.WriteAllLines(dir.Combine("day.jsonl"), At(dir.Combine("logs/predictions.jsonl"), "10").Concat(At(dir.Combine("logs/heavy.jsonl"), "11")));
        var (day, dayOut, dayErr) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("day.jsonl"), "--window", "1h", "--output", dir.Combine("mon4"));
        Assert.True(day == ExitCodes.GateFailed, dayOut + dayErr);
        var windows = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon4/monitoring.json"))).RootElement.GetProperty("versions")[0].GetProperty("windows");
        Assert.Equal(2, windows.GetArrayLength());
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero), windows[0].GetProperty("start").GetDateTimeOffset());
        Assert.Equal(0, windows[0].GetProperty("drifted").GetArrayLength());
        Assert.True(windows[0].GetProperty("ratio").GetDouble() < 1);
        Assert.Contains("body_mass_g", windows[1].GetProperty("drifted").EnumerateArray().Select(e => e.GetString()));
        Assert.True(windows[1].GetProperty("ratio").GetDouble() > 1);
        var report = File.ReadAllText(dir.Combine("mon4/report.md"));
        Assert.Contains("xychart-beta", report, StringComparison.Ordinal);
        Assert.Contains("x-axis [\"10:00\", \"11:00\"]", report, StringComparison.Ordinal);
        var (parsed, results) = await Reporting.ReportRenderingTests.MermaidCheckAsync(dir.Combine("mon4/report.md"));
        Assert.True(parsed == 0, string.Join("\n", results.Select(r => r.Error)));
        Assert.Equal("xychart", Assert.Single(results).Type);
    }

    [Fact]
    public async Task Canary_traffic_is_checked_per_version_against_each_versions_own_statistics()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);

        // A second version (another seed), registered with its own validation and evaluation, as staging.
        await StagesAsync(
            config,
            new[] { "train", "--seed", "11", "--output", dir.Combine("out2/train") },
            ["evaluate", "--model", dir.Combine("out2/train"), "--output", dir.Combine("out2/evaluation")],
            ["register", "--model", dir.Combine("out2/train"), "--evaluation", dir.Combine("out2/evaluation/evaluation.json"), "--validation", dir.Combine("out/validation"), "--alias", "staging", "--force", "--reason", "canary test"]);

        // Ten rounds of the data: the random 50:50 split leaves each version a sample like the whole (a few random requests would drift by chance).
        // Inputs only here: each version's evaluation predictions are its 33 test rows, too few for a stable reference against a random half.
        await ServeAsync(dir, dir.Combine("canary.jsonl"), 0, canary: ("staging", 50), rounds: 10);
        File.AppendAllText(config, "\nmonitor:\n  predictions: false\n");
        var (ok, oo, oe) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("canary.jsonl"), "--output", dir.Combine("mon"));
        Assert.True(ok == 0, oo + oe);
        var versions = JsonDocument.Parse(File.ReadAllText(dir.Combine("mon/monitoring.json"))).RootElement.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal(["1", "2"], versions.Select(v => v.GetProperty("version").GetString()));
        Assert.Equal(1770, versions.Sum(v => v.GetProperty("rows").GetInt64()));
        Assert.All(versions, v => Assert.True(v.GetProperty("rows").GetInt64() > 0, "both versions served a share")); // 18 requests split 50:50
        Assert.True(File.Exists(dir.Combine("mon/registry/v2/" + MlOps.Evaluation.PredictionProfile.FileName))); // v2's own reference
        var report = File.ReadAllText(dir.Combine("mon/report.md"));
        Assert.Contains("| v1 |", report, StringComparison.Ordinal);
        Assert.Contains("| v2 |", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_version_registered_without_evaluation_predictions_fails_closed()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPenguins(dir.Path);
        await StagesAsync(
            config,
            new[] { "validate", "--output", dir.Combine("out/validation") },
            ["train", "--output", dir.Combine("out/train")],
            ["register", "--model", dir.Combine("out/train"), "--validation", dir.Combine("out/validation"), "--alias", "production", "--force", "--reason", "hotfix"]);

        await ServeAsync(dir, dir.Combine("log.jsonl"), 0);
        var (bad, bo, _) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("log.jsonl"), "--output", dir.Combine("mon"));
        Assert.Equal(ExitCodes.GateFailed, bad);
        Assert.Contains("registered without prediction-stats.json", bo, StringComparison.Ordinal);

        // Said off in mlops.yaml, the rest is checked and passes.
        File.AppendAllText(config, "\nmonitor:\n  predictions: false\n");
        var (ok, oo, oe) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("log.jsonl"), "--output", dir.Combine("mon2"));
        Assert.True(ok == 0, oo + oe);
    }

    [Fact]
    public async Task Malformed_and_partial_lines_are_counted_and_an_empty_window_is_one_line()
    {
        using var dir = new TempDir();
        var good = """{"time":"2026-01-01T00:00:00Z","model":"m","version":"1","inputs":[{"a":1},{"a":2}],"outputs":[{},{}]}""";
        File.WriteAllText(dir.Combine("log.jsonl"), good + "\nnot json\n" + """{"time":"2026-01-01T00:00:01Z","model":"other","version":"1","inputs":[{"a":3}]}""" + "\n" + good + "\n{\"time\":\"2026-01-01T00:00:02Z\",\"mod");
        long rows = 0;
        var contents = await PredictionLogReader.ReadAsync([dir.Combine("log.jsonl")], "m", null, (_, version, _, inputs) =>
        {
            Assert.Equal("1", version);
            rows += inputs.GetArrayLength();
        });
        Assert.Equal(2, contents.Entries);
        Assert.Equal(1, contents.Malformed);
        Assert.Equal(dir.Combine("log.jsonl") + ":2", contents.FirstMalformed);
        Assert.Equal(1, contents.OtherModels);
        Assert.True(contents.PartialLast);
        Assert.Equal(4, rows);

        var old = await PredictionLogReader.ReadAsync([dir.Combine("log.jsonl")], "m", DateTimeOffset.Parse("2026-06-01T00:00:00Z", CultureInfo.InvariantCulture), (_, _, _, _) => Assert.Fail("older than the window"));
        Assert.Equal(2, old.OutsideWindow);

        var config = dir.File("mlops.yaml", "project: m\ntask: regression\nlabel: y\n");
        var (code, _, err) = await Support.Cli.RunAsync("monitor", "--config", config, "--log", dir.Combine("log.jsonl"), "--since", "1h", "--registry", dir.Combine("registry"), "--output", dir.Combine("mon"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("no logged rows of 'm' since", err, StringComparison.Ordinal);
        Assert.Contains("2 older, 1 malformed, in 1 files", err, StringComparison.Ordinal);

        // A decay metric the task does not have is a usage error before anything is read.
        var wrongMetric = dir.File("wrong.yaml", "project: m\ntask: regression\nlabel: y\nmonitor:\n  decay: { metric: accuracy }\n");
        var labels = dir.File("labels.csv", "request_id,y\na,1\n");
        var (usage, _, usageErr) = await Support.Cli.RunAsync("monitor", "--config", wrongMetric, "--log", dir.Combine("log.jsonl"), "--labels", labels, "--registry", dir.Combine("registry"), "--output", dir.Combine("mon2"));
        Assert.Equal(ExitCodes.UsageError, usage);
        Assert.Contains("monitor.decay.metric: 'accuracy' is not a regression metric", usageErr, StringComparison.Ordinal);
    }
}
