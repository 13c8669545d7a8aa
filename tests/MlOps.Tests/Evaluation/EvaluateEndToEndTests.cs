using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Tests.Support;

namespace MlOps.Tests.Evaluation;

/// <summary>mlops evaluate through the CLI: ML.NET and ONNX candidates and baselines on the example data.</summary>
public class EvaluateEndToEndTests
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    private static string Config(TempDir dir, string evaluate = "") => dir.File("mlops.yaml", $"""
        project: penguins
        task: multiclass
        label: species
        data: {"{"} path: {Example("data/penguins.csv")} {"}"}
        split: {"{"} key: penguin_id {"}"}
        train: {"{"} trainer: lightgbm, hyperparameters: {"{"} leaves: 8, min-samples-per-leaf: 5 {"}"} {"}"}
        evaluate:
          first-model: allow
          split: all
          bootstrap: {"{"} resamples: 300 {"}"}
        {evaluate}
        """);

    [Fact]
    public async Task An_ml_net_candidate_beats_a_weak_onnx_baseline_and_is_blessed()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  slices: { columns: [island, sex], min-size: 20 }");
        var (t, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("train"));
        Assert.True(t == 0, o + e);
        var weak = dir.Bytes("weak.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv"), use: ["body_mass_g"]));
        var (code, stdout, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", dir.Combine("train"), "--baseline", weak, "--output", dir.Combine("eval"));
        Assert.True(code == ExitCodes.Success, stdout + err);
        Assert.StartsWith("BLESSED", stdout, StringComparison.Ordinal);

        var r = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        Assert.True(r.Blessed);
        Assert.Equal("mlnet", r.Candidate.Format);
        Assert.Equal("onnx", r.Baseline!.Format);
        var accuracy = r.Metrics["accuracy"];
        Assert.True(accuracy.Delta > 0.1, $"delta {accuracy.Delta}");
        Assert.True(accuracy.DeltaInterval!.Low > 0, "the improvement should be significant on 344 rows");
        Assert.Equal(accuracy.Candidate - accuracy.Baseline!.Value, accuracy.Delta!.Value, 12);
        Assert.Equal(["island", "sex"], r.Slices.Select(s => s.Column));
        Assert.Contains(r.Slices[0].Slices, s => s.Value == "Biscoe" && s.Rows > 100);
        Assert.NotEmpty(r.Importance);
        Assert.Equal(6, r.Importance.Count);
        Assert.NotNull(r.Latency);
        var report = File.ReadAllText(dir.Combine("eval/report.md"));
        Assert.StartsWith("# ✅ Blessed", report, StringComparison.Ordinal);
        Assert.Contains("| accuracy ↑ |", report, StringComparison.Ordinal);
        Assert.Contains("## Slices", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weak_onnx_candidate_against_a_strong_baseline_is_not_blessed_and_exits_1_with_the_report_written()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        var (t, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("baseline"));
        Assert.True(t == 0, o + e);
        var weak = dir.Bytes("weak.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv"), use: ["body_mass_g"]));
        var (code, stdout, _) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", weak, "--baseline", dir.Combine("baseline"), "--output", dir.Combine("eval"), "--json");
        Assert.Equal(ExitCodes.GateFailed, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("blessed").GetBoolean());
        var reason = json.RootElement.GetProperty("reasons")[0].GetString()!;
        Assert.Contains("accuracy (no significant regression): significantly worse", reason, StringComparison.Ordinal);
        Assert.StartsWith("# ❌ Not blessed", File.ReadAllText(dir.Combine("eval/report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_first_model_has_no_baseline_and_only_absolute_thresholds_decide()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  gates: { accuracy: { threshold: 0.999, test: no-regression } }");
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv")));
        var (code, stdout, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", model, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("is below the threshold 0.999", stdout, StringComparison.Ordinal);
        Assert.Contains("no baseline: first model: the registry '", stdout, StringComparison.Ordinal);
        Assert.Contains("' does not exist yet (evaluate.first-model: allow); only absolute thresholds were checked.", stdout, StringComparison.Ordinal);
        Assert.StartsWith("NOT BLESSED with no baseline (first model:", stdout, StringComparison.Ordinal);
        var r = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        Assert.Null(r.Baseline);
        Assert.Null(r.Metrics["accuracy"].Delta);

        var lenient = Config(dir, "  gates: { accuracy: { threshold: 0.8 } }");
        var (ok, o2, e2) = await Support.Cli.RunAsync("evaluate", "--config", lenient, "--model", model, "--baseline", "none", "--output", dir.Combine("eval2"));
        Assert.True(ok == ExitCodes.Success, o2 + e2);
    }

    [Fact]
    public async Task A_slice_gap_gate_fails_when_groups_differ_too_much()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  slices: { columns: [island], min-size: 20, max-gap: 0.0001 }\n  gates: { accuracy: { threshold: 0.5 } }");
        var model = dir.Bytes("weak.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv"), use: ["bill_depth_mm"]));
        var (code, stdout, _) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", model, "--baseline", "none", "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("slice gap island (accuracy, max 0.0001)", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gates: { acuracy: { threshold: 0.9 } }", "'acuracy' is not a multiclass metric")]
    [InlineData("gates: { accuracy: { test: maybe } }", "'maybe' is not a test")]
    [InlineData("gates: { accuracy: { treshold: 0.9 } }", "Did you mean 'threshold'?")]
    [InlineData("slices: { columns: [planet] }", "the column 'planet' is not in the data")]
    public async Task Bad_evaluate_settings_are_config_errors(string evaluate, string expected)
    {
        using var dir = new TempDir();
        var config = Config(dir, "  " + evaluate);
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv")));
        var (code, _, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", model, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_candidate_says_to_train_first()
    {
        using var dir = new TempDir();
        var (code, _, err) = await Support.Cli.RunAsync("evaluate", "--config", Config(dir), "--model", dir.Combine("nothing"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("run 'mlops train' first", err, StringComparison.Ordinal);
    }
}
