using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tests.Support;
using MlOps.Training;

namespace MlOps.Tests.Evaluation;

/// <summary>Nothing that cannot be checked is a pass: missing baselines, typos, NaN metrics and predictions, one-class labels.</summary>
public sealed class FailClosedTests
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    private static string Config(TempDir dir, string evaluate = "", string data = "data/penguins.csv", string extra = "") => dir.File("mlops.yaml", $$"""
        project: penguins
        task: multiclass
        label: species
        data: { path: {{(Path.IsPathRooted(data) ? data : Example(data))}} }
        split: { key: penguin_id }
        registry: { path: {{dir.Combine("registry")}} }
        train: { trainer: lightgbm, hyperparameters: { leaves: 8, min-samples-per-leaf: 5 } }
        evaluate:
          bootstrap: { resamples: 200 }
        {{evaluate}}
        {{extra}}
        """);

    private static async Task<string> TrainAsync(TempDir dir, string config, string folder = "train")
    {
        var (code, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine(folder));
        Assert.True(code == 0, o + e);
        return dir.Combine(folder);
    }

    [Fact]
    public async Task A_registry_folder_that_does_not_exist_is_an_error_unless_the_run_allows_a_first_model()
    {
        using var dir = new TempDir();
        var config = Config(dir);
        var train = await TrainAsync(dir, config);
        var (code, stdout, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains($"the registry folder '{dir.Combine("registry")}' does not exist", err, StringComparison.Ordinal);
        Assert.Contains("--baseline none, or evaluate.first-model: allow", err, StringComparison.Ordinal);
        Assert.DoesNotContain("BLESSED", stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("eval/evaluation.json")));

        var allowed = Config(dir, "  first-model: allow");
        (code, stdout, err) = await Support.Cli.RunAsync("evaluate", "--config", allowed, "--model", train, "--output", dir.Combine("eval"));
        Assert.True(code == ExitCodes.Success, stdout + err);
        Assert.StartsWith("BLESSED with no baseline (first model: the registry", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_ci_runner_a_missing_local_registry_is_an_error_even_when_first_models_are_allowed()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  first-model: allow");
        var train = await TrainAsync(dir, config);
        var runner = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["CI"] = "true" };
        var (code, stdout, err) = await Support.Cli.RunWithEnvironmentAsync(runner, "evaluate", "--config", config, "--model", train, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("does not exist on this runner", err, StringComparison.Ordinal);
        Assert.Contains("use a shared registry (registry.azure", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("BLESSED", stdout, StringComparison.Ordinal);

        // Saying so explicitly is the way out.
        (code, stdout, err) = await Support.Cli.RunWithEnvironmentAsync(runner, "evaluate", "--config", config, "--model", train, "--baseline", "none", "--output", dir.Combine("eval"));
        Assert.True(code == ExitCodes.Success, stdout + err);
        Assert.StartsWith("BLESSED with no baseline (--baseline is none)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_or_unset_alias_is_an_error_and_the_verdict_names_the_baseline_it_used()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  first-model: allow");
        var train = await TrainAsync(dir, config);
        var (code, o, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--output", dir.Combine("eval"));
        Assert.True(code == 0, o + e);
        (code, o, e) = await Support.Cli.RunAsync("register", "--config", config, "--model", train, "--evaluation", dir.Combine("eval/evaluation.json"), "--alias", "production");
        Assert.True(code == 0, o + e);

        (code, o, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--baseline", "prodution", "--output", dir.Combine("eval2"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("'penguins' has no alias 'prodution'", e, StringComparison.Ordinal);
        Assert.Contains("did you mean 'production'?", e, StringComparison.Ordinal);
        Assert.Contains("production → v1", e, StringComparison.Ordinal);

        // The model has versions, so "first model" cannot apply even though it is allowed.
        (code, _, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--baseline", "champion", "--output", dir.Combine("eval2"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("no alias 'champion'", e, StringComparison.Ordinal);

        (code, o, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--output", dir.Combine("eval2"));
        Assert.True(code == 0, o + e);
        Assert.StartsWith("BLESSED against registry penguins v1 (production):", o, StringComparison.Ordinal);
        var report = File.ReadAllText(dir.Combine("eval2/report.md"));
        Assert.StartsWith("# ✅ Blessed: penguins candidate vs baseline `model.zip` (registry penguins v1 (production))", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_path_that_is_a_file_is_a_config_error()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  first-model: allow");
        var train = await TrainAsync(dir, config);
        dir.File("registry", "not a folder");
        var (code, _, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("is a file, not a registry folder", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_finite_predictions_are_a_data_error_that_names_the_rows_and_never_hang()
    {
        using var dir = new TempDir();
        var config = Config(dir, "  first-model: allow\n  split: all");
        var model = dir.Bytes("raw.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv"), impute: false));
        var run = Support.Cli.RunAsync("evaluate", "--config", config, "--model", model, "--output", dir.Combine("eval"));
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, "evaluate hangs on NaN predictions");
        var (code, _, err) = await run;
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("the candidate model gave 2 non-finite predictions (NaN or infinite)", err, StringComparison.Ordinal);
        Assert.Contains("first at data rows 4, 340", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    public static TheoryData<ModelTask> Tasks() => [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression];

    [Theory]
    [MemberData(nameof(Tasks))]
    public async Task No_metric_spins_or_throws_on_NaN_predictions(ModelTask task)
    {
        var data = task switch
        {
            ModelTask.Binary => LabeledPredictions.Binary([true, false, true, false, true], Predictions.Binary([float.NaN, 0.3f, float.NaN, 0.8f, float.PositiveInfinity])),
            ModelTask.Multiclass => LabeledPredictions.Multiclass(["a", "b", "a"], Predictions.Multiclass(["a", "b"], [float.NaN, 0.5f, 0.2f, 0.8f, float.NaN, float.NaN])),
            _ => LabeledPredictions.Regression([1, 2, 3], Predictions.Regression([float.NaN, 2, float.NegativeInfinity])),
        };
        var work = Task.Run(() =>
        {
            var metrics = MetricCalculator.Compute(data);
            var boot = PairedBootstrap.Run(data, data, 0.5, 50, 0.95, 1);
            return (metrics, boot);
        });
        Assert.True(await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(30))) == work, $"a {task.Name()} metric spins on NaN");
        var (metrics, _) = await work;
        Assert.Equal(MetricNames.For(task).Count, metrics.Count);
        Assert.Equal(task == ModelTask.Binary ? 3 : 2, MetricCalculator.NonFinite(data.Predictions).Count);
    }

    [Fact]
    public void An_undefined_metric_fails_every_gate_on_it_with_the_reason()
    {
        var positives = LabeledPredictions.Binary([true, true, true], Predictions.Binary([0.9f, 0.2f, 0.7f]));
        var auc = MetricCalculator.Compute(positives)[MetricNames.RocAuc];
        Assert.True(double.IsNaN(auc));
        var m = new MetricComparison(auc, null, null, null, null, true) { Undefined = MetricCalculator.WhyUndefined(positives, MetricNames.RocAuc, auc) };
        foreach (var gate in new[] { new MetricGate { Metric = MetricNames.RocAuc, Threshold = 0.99 }, GateEvaluator.Defaults(ModelTask.Binary)[0] })
        {
            var result = GateEvaluator.Check(gate, m, 0.95);
            Assert.False(result.Passed);
            Assert.Equal("ROC AUC is undefined: the evaluation rows have one class (no negative rows); an undefined metric never passes a gate", result.Detail);
        }
    }

    [Fact]
    public async Task Evaluation_rows_with_one_class_are_a_data_error()
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(Example("data/penguins.csv"));
        var adelie = dir.File("adelie.csv", string.Join('\n', lines.Where((l, i) => i == 0 || l.Contains(",Adelie,", StringComparison.Ordinal))) + "\n");
        var config = Config(dir, "  first-model: allow\n  split: all", adelie);
        var model = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv")));
        var (code, _, err) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", model, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("the label 'species' has one class only ('Adelie' on all", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lightgbm", "multiclass")]
    [InlineData("fasttree", "multiclass")]
    [InlineData("sdca", "multiclass")]
    [InlineData("lbfgs", "multiclass")]
    [InlineData("lightgbm", "binary")]
    [InlineData("fasttree", "binary")]
    [InlineData("sdca", "binary")]
    [InlineData("lbfgs", "binary")]
    public async Task Every_trainer_refuses_a_label_with_one_class_in_one_line(string trainer, string task)
    {
        using var dir = new TempDir();
        var lines = File.ReadAllLines(Example("data/penguins.csv"));
        var data = dir.File("one.csv", string.Join('\n', lines.Where((l, i) => i == 0 || (l.Contains(",Adelie,", StringComparison.Ordinal) && l.EndsWith(",male", StringComparison.Ordinal)))) + "\n");
        var label = task == "binary" ? "sex" : "species";
        var config = dir.File("one.yaml", $"project: p\ntask: {task}\nlabel: {label}\ndata: {{ path: {data} }}\nsplit: {{ key: penguin_id }}\ntrain: {{ trainer: {trainer}, exclude: [{(task == "binary" ? "species" : "sex")}] }}\n");
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains($"the label '{label}' has one class only", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.False(File.Exists(dir.Combine("out/model.zip")));
    }

    [Fact]
    public async Task A_label_missing_on_every_row_is_a_data_error()
    {
        using var dir = new TempDir();
        var data = dir.File("nolabel.csv", "penguin_id,species,bill_length_mm\n1,,39.1\n2,,40.2\n3,,41.0\n");
        var config = dir.File("nolabel.yaml", $"project: p\ntask: multiclass\nlabel: species\ndata: {{ path: {data} }}\nsplit: {{ key: penguin_id }}\n");
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("species", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_models_that_agree_on_every_row_cannot_detect_a_change_smaller_than_the_rows_allow()
    {
        // A paired interval of [0, 0] says nothing about what 33 rows could detect.
        var mde = GateEvaluator.DetectableChange(new Interval(0, 0), 0.95, 33, shareOfRows: true)!.Value;
        Assert.Equal(Math.Pow(1.959964 + 0.841621, 2) / 33, mde, 4);
        Assert.Equal(0, GateEvaluator.DetectableChange(new Interval(0, 0), 0.95, 33, shareOfRows: false)!.Value);
        var result = GateEvaluator.Check(new MetricGate { Metric = "accuracy", MinChange = -0.02, Test = SignificanceTest.NoRegression }, new MetricComparison(0.94, null, 0.94, 0, new Interval(0, 0), true) { DetectableChange = mde }, 0.95, rows: 33);
        Assert.True(result.Passed);
        Assert.Contains("the smallest change these 33 rows can detect (80% power) is ±0.2378, larger than the gate's margin -0.02", result.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_test_set_too_small_for_the_gate_margin_is_warned_and_can_be_made_to_fail()
    {
        using var dir = new TempDir();
        var gate = "  first-model: allow\n  gates: { accuracy: { min-change: -0.02, test: no-regression } }";
        var config = Config(dir, gate);
        var train = await TrainAsync(dir, config);
        var weak = dir.Bytes("weak.onnx", OnnxModels.NearestCentroid(Example("data/penguins.csv"), use: ["bill_depth_mm"]));
        var (code, o, e) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", train, "--baseline", weak, "--output", dir.Combine("eval"));
        Assert.True(code == ExitCodes.Success, o + e);
        var r = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        var mde = r.Gates[0].DetectableChange!.Value;
        var interval = r.Metrics["accuracy"].DeltaInterval!;

        // Independently: (z(0.975) + z(0.8)) × the interval's standard error, and for a share of
        // rows at least (z(0.975) + z(0.8))² / n, the best case n rows can show.
        var z = 1.959964 + 0.841621;
        Assert.Equal(Math.Max(z * (interval.High - interval.Low) / (2 * 1.959964), z * z / r.Data.Rows), mde, 5);
        Assert.True(mde > 0.02, $"mde {mde}");
        var warning = Assert.Single(r.Warnings);
        Assert.Contains($"the smallest change these {r.Data.Rows} rows can detect (80% power) is ±", warning, StringComparison.Ordinal);
        Assert.Contains("larger than the gate's margin -0.02", warning, StringComparison.Ordinal);
        Assert.Contains("warning: accuracy: the smallest change", o, StringComparison.Ordinal);
        Assert.Contains("detects changes of ±", File.ReadAllText(dir.Combine("eval/report.md")), StringComparison.Ordinal);

        var strict = Config(dir, gate + "\n  min-detectable-change: 0.02");
        (code, o, _) = await Support.Cli.RunAsync("evaluate", "--config", strict, "--model", train, "--baseline", weak, "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.GateFailed, code);
        Assert.Contains("too few rows: the smallest change", o, StringComparison.Ordinal);
        Assert.Contains("more than evaluate.min-detectable-change 0.02", o, StringComparison.Ordinal);
    }
}
