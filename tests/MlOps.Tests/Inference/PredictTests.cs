using System.Globalization;
using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Inference;

/// <summary>mlops predict: batch inference with the production model, equal to what the server answers for the same rows.</summary>
[Trait("Category", "Integration")]
public class PredictTests
{
    private const string CopyExport = "cp model.onnx \"$MLOPS_OUTPUT_DIR/model.onnx\"";

    // The torch export trained, evaluated and registered as production, as a team's pipeline leaves it.
    private static async Task<string> ProductionAsync(TempDir dir)
    {
        var config = Examples.CopyPytorch(dir.Path);
        Assert.Equal(0, (await Support.Cli.RunAsync("train", "--config", config, "--command", CopyExport, "--output", dir.Combine("train"))).Code);
        Assert.Equal(0, (await Support.Cli.RunAsync("evaluate", "--config", config, "--model", dir.Combine("train"), "--output", dir.Combine("eval"))).Code);
        Assert.Equal(0, (await Support.Cli.RunAsync("register", "--config", config, "--model", dir.Combine("train"), "--evaluation", dir.Combine("eval/evaluation.json"), "--alias", "production")).Code);
        return config;
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    [Fact]
    public async Task Predict_scores_every_row_with_production_and_equals_the_server_row_for_row()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);
        var (code, o, e) = await Support.Cli.RunAsync("predict", "--config", config, "--output", dir.Combine("out/predictions.csv"), "--prediction-log", dir.Combine("log.jsonl"), "--log-sample", "0.5");
        Assert.True(code == 0, o + e);
        Assert.Contains("Predicted 342 rows with penguins-torch v1", o, StringComparison.Ordinal);
        var rows = ReadCsv(dir.Combine("out/predictions.csv"));
        Assert.Equal(342, rows.Count);
        Assert.Equal(["penguin_id", "label", "probability_Adelie", "probability_Chinstrap", "probability_Gentoo", "model_version", "predicted_at"], rows[0].Keys);
        Assert.All(rows, r => Assert.Equal("1", r["model_version"]));

        await using var server = await ServingSetup.FromExampleRegistryAsync(dir, "penguins-torch");
        var data = File.ReadAllLines(ExportedModels.Data);
        var header = data[0].Split(',');
        var instances = data.Skip(1).Take(40).Select(l => header.Zip(l.Split(',')).Where(p => ExportedModels.Measurements.Contains(p.First)).ToDictionary(p => p.First, p => (object)double.Parse(p.Second, CultureInfo.InvariantCulture))).ToList();
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.Url + "/v1/models/penguins-torch:predict", new StringContent(JsonSerializer.Serialize(new { instances }), System.Text.Encoding.UTF8, "application/json"));
        var served = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("predictions").EnumerateArray().ToList();
        for (var i = 0; i < instances.Count; i++)
        {
            Assert.Equal(served[i].GetProperty("label").GetString(), rows[i]["label"]);
            foreach (var c in new[] { "Adelie", "Chinstrap", "Gentoo" })
            {
                Assert.Equal(served[i].GetProperty("probabilities").GetProperty(c).GetSingle(), float.Parse(rows[i]["probability_" + c], CultureInfo.InvariantCulture));
            }
        }

        // The sampled log is in the server's format: model, version, inputs and outputs per entry.
        var entries = File.ReadAllLines(dir.Combine("log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var logged = entries.Sum(x => x.GetProperty("inputs").GetArrayLength());
        Assert.InRange(logged, 120, 220); // about half of 342
        Assert.All(entries, x =>
        {
            Assert.Equal("penguins-torch", x.GetProperty("model").GetString());
            Assert.Equal("1", x.GetProperty("version").GetString());
            Assert.Equal(x.GetProperty("inputs").GetArrayLength(), x.GetProperty("outputs").GetArrayLength());
            Assert.Equal(ExportedModels.Measurements, x.GetProperty("inputs")[0].EnumerateObject().Select(p => p.Name));
        });

        // The predictions file is what evaluate --predictions reads.
        var (ev, eo, ee) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", dir.Combine("out/predictions.csv"), "--baseline", "none", "--output", dir.Combine("eval2"));
        Assert.True(ev == 0, eo + ee);
    }

    [Fact]
    public async Task Shards_split_the_rows_without_overlap_and_jsonl_carries_the_same_predictions()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);
        var ids = new List<string>();
        foreach (var shard in new[] { "1/2", "2/2" })
        {
            var path = dir.Combine($"p{shard[0]}.jsonl");
            var (code, o, e) = await Support.Cli.RunAsync("predict", "--config", config, "--shard", shard, "--output", path);
            Assert.True(code == 0, o + e);
            var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.InRange(lines.Count, 170, 172);
            ids.AddRange(lines.Select(l => l.GetProperty("penguin_id").GetString()!));
        }

        Assert.Equal(342, ids.Count);
        Assert.Equal(342, ids.Distinct().Count());
    }

    [Fact]
    public async Task A_missing_key_column_or_an_unknown_alias_is_one_line_and_leaves_no_partial_file()
    {
        using var dir = new TempDir();
        var config = await ProductionAsync(dir);
        var (c1, _, e1) = await Support.Cli.RunAsync("predict", "--config", config, "--key", "request_id", "--output", dir.Combine("p.csv"));
        Assert.Equal(ExitCodes.UsageError, c1);
        Assert.Contains("the data has no column 'request_id'", e1, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("p.csv")));
        Assert.Empty(Directory.GetFiles(dir.Path, "p.csv*"));

        var (c2, _, e2) = await Support.Cli.RunAsync("predict", "--config", config, "--model", "penguins-torch@canary", "--output", dir.Combine("p.csv"));
        Assert.Equal(ExitCodes.UsageError, c2);
        Assert.Contains("has no 'penguins-torch' at 'canary'", e2, StringComparison.Ordinal);
    }
}
