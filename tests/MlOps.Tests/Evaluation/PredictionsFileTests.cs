using System.Globalization;
using System.Text;
using MlOps.Evaluation;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;

namespace MlOps.Tests.Evaluation;

/// <summary>mlops evaluate --predictions: models we cannot run, evaluated from what they predicted, with the same verdict as scoring them.</summary>
public class PredictionsFileTests
{
    private static string Config(TempDir dir) => dir.File("mlops.yaml", $"""
        project: penguins
        task: multiclass
        label: species
        data: {"{"} path: {ExportedModels.Data} {"}"}
        split: {"{"} key: penguin_id {"}"}
        train: {"{"} exclude: [island, sex] {"}"}
        evaluate:
          split: all
          bootstrap: {"{"} resamples: 200 {"}"}
          gates:
            accuracy: {"{"} threshold: 0.8, min-change: -0.01, test: no-regression {"}"}
        """);

    // What a team's own scoring job would write: the key and one probability column per class, floats round-tripped exactly.
    private static async Task<string> WritePredictionsAsync(TempDir dir, string name, string model, IEnumerable<int>? order = null, bool duplicate = false, int drop = 0)
    {
        var table = await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = ExportedModels.Data }, new Dictionary<string, ColumnKind> { ["species"] = ColumnKind.Text, ["penguin_id"] = ColumnKind.Text });
        using var scorer = OnnxScorer.Load(model, ModelTask.Multiclass);
        var rows = (order ?? Enumerable.Range(0, table.RowCount)).ToArray();
        var p = scorer.Score(table, rows);
        var s = new StringBuilder("penguin_id," + string.Join(",", p.Classes!.Select(c => "probability_" + c)) + "\n");
        for (var i = drop; i < rows.Length; i++)
        {
            var id = table.Find("penguin_id")!.Texts![rows[i]];
            s.Append(duplicate && i == 5 ? table.Find("penguin_id")!.Texts![rows[4]] : id);
            for (var k = 0; k < 3; k++) s.Append(',').Append(p.ClassProbabilities![(i * 3) + k].ToString("R", CultureInfo.InvariantCulture));
            s.Append('\n');
        }

        return dir.File(name, s.ToString());
    }

    [Fact]
    public async Task Predictions_files_give_the_same_metrics_intervals_and_verdict_as_scoring_the_models_themselves()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        var candidate = dir.Bytes("candidate.onnx", OnnxModels.NearestCentroid(ExportedModels.Data));
        var baseline = dir.Bytes("baseline.onnx", OnnxModels.NearestCentroid(ExportedModels.Data, use: ["body_mass_g", "flipper_length_mm"]));

        var (m, mo, me) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", candidate, "--baseline", baseline, "--output", dir.Combine("models"));
        Assert.True(m is 0 or 1, mo + me);

        // Shuffled rows: the join is by key, not by position.
        var shuffled = Enumerable.Range(0, 342).OrderBy(i => (i * 7919) % 342).ToArray();
        var cp = await WritePredictionsAsync(dir, "candidate.csv", candidate, shuffled);
        var bp = await WritePredictionsAsync(dir, "baseline.csv", baseline);
        var (p, po, pe) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", cp, "--baseline-predictions", bp, "--output", dir.Combine("files"));
        Assert.True(p == m, po + pe);

        var a = await EvaluationResult.ReadAsync(dir.Combine("models/evaluation.json"));
        var b = await EvaluationResult.ReadAsync(dir.Combine("files/evaluation.json"));
        Assert.Equal(a.Blessed, b.Blessed);
        Assert.Equal(a.Gates.Select(g => (g.Name, g.Passed)), b.Gates.Select(g => (g.Name, g.Passed)));
        foreach (var (name, x) in a.Metrics)
        {
            var y = b.Metrics[name];
            Assert.Equal(x.Candidate, y.Candidate, 6);
            Assert.Equal(x.Baseline!.Value, y.Baseline!.Value, 6);
            Assert.Equal(x.DeltaInterval!.Low, y.DeltaInterval!.Low, 6);
            Assert.Equal(x.DeltaInterval.High, y.DeltaInterval.High, 6);
        }

        Assert.Equal("predictions", b.Candidate.Format);
        Assert.Empty(b.Importance);
        Assert.Null(b.Latency);
    }

    [Fact]
    public async Task Duplicate_keys_and_rows_without_a_prediction_are_exit_3_naming_the_keys()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(ExportedModels.Data));
        var twice = await WritePredictionsAsync(dir, "twice.csv", model, duplicate: true);
        var (c1, _, e1) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", twice, "--baseline", "none", "--output", dir.Combine("a"));
        Assert.Equal(ExitCodes.DataError, c1);
        Assert.Contains("key '6' appears twice (rows 5 and 6); each row needs one prediction.", e1, StringComparison.Ordinal);

        var short1 = await WritePredictionsAsync(dir, "short.csv", model, drop: 3);
        var (c2, _, e2) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", short1, "--baseline", "none", "--output", dir.Combine("b"));
        Assert.Equal(ExitCodes.DataError, c2);
        Assert.Contains("3 of the 342 evaluation rows have no prediction, first '1', '2', '3'; predict every row of the split (joined on 'penguin_id').", e2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_without_the_key_column_says_how_to_join_and_row_order_joins_when_asked()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(ExportedModels.Data));
        var withKey = await WritePredictionsAsync(dir, "p.csv", model);
        var noKey = dir.File("nokey.csv", string.Join("\n", File.ReadAllLines(withKey).Select(l => l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..])) + "\n");
        var (c1, _, e1) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", noKey, "--baseline", "none", "--output", dir.Combine("a"));
        Assert.Equal(ExitCodes.DataError, c1);
        Assert.Contains("has no key column 'penguin_id' to join on", e1, StringComparison.Ordinal);

        var (c2, o2, e2) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", noKey, "--predictions-key", "row-order", "--baseline", "none", "--output", dir.Combine("b"));
        Assert.True(c2 == 0, o2 + e2);
        var r = await EvaluationResult.ReadAsync(dir.Combine("b/evaluation.json"));
        Assert.InRange(r.Metrics["accuracy"].Candidate, 0.85, 1.0);
    }

    [Fact]
    public async Task A_latency_gate_fails_closed_on_a_predictions_file()
    {
        using var dir = new TempDir();
        var config = dir.File("mlops2.yaml", File.ReadAllText(Config(dir)) + "\n  max-latency-p95-ms: 100\n");
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(ExportedModels.Data));
        var p = await WritePredictionsAsync(dir, "p.csv", model);
        var (code, o, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--predictions", p, "--baseline", "none", "--output", dir.Combine("a"));
        Assert.True(code == ExitCodes.GateFailed, o + e);
        var r = await EvaluationResult.ReadAsync(dir.Combine("a/evaluation.json"));
        Assert.Contains(r.Gates, g => !g.Passed && g.Detail.Contains("predictions file", StringComparison.Ordinal));
    }
}
