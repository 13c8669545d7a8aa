using System.Text.Json;
using MlOps.Configuration;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;
using MlOps.Training;
using MlOps.Validation.Splitting;

namespace MlOps.Tests.Training;

/// <summary>mlops train in both modes, train/serve skew, reproducibility, and config errors.</summary>
public class TrainTests
{
    private static string Example(string path) => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", path);

    [Fact]
    public async Task Builtin_training_writes_a_model_and_a_complete_run_record()
    {
        using var output = new TempDir();
        var (code, stdout, err) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--output", output.Path, "--json");
        Assert.True(code == ExitCodes.Success, stdout + err);
        Assert.True(File.Exists(output.Combine("model.zip")));
        Assert.True(File.Exists(output.Combine("report.md")));
        using var run = JsonDocument.Parse(File.ReadAllText(output.Combine("run.json")));
        var r = run.RootElement;
        Assert.Equal("mlops.run", r.GetProperty("kind").GetString());
        Assert.Equal(42, r.GetProperty("trainer").GetProperty("seed").GetInt32());
        Assert.Equal(100, r.GetProperty("trainer").GetProperty("hyperparameters").GetProperty("iterations").GetDouble());
        Assert.Equal(64, r.GetProperty("data").GetProperty("fingerprint").GetString()!.Length);
        var (sha, _) = await MlOps.Artifacts.DataFingerprint.FileAsync(Example("data/current.csv"));
        Assert.Equal(sha, r.GetProperty("data").GetProperty("files")[0].GetProperty("sha256").GetString());
        Assert.Equal((await MlOps.Artifacts.DataFingerprint.FileAsync(output.Combine("model.zip"))).Sha256, r.GetProperty("model").GetProperty("sha256").GetString());
        Assert.True(r.GetProperty("host").GetProperty("cores").GetInt32() > 0);
        Assert.True(r.GetProperty("durationSeconds").GetDouble() > 0);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], r.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!));
        var eval = r.GetProperty("metrics").GetProperty("eval");
        Assert.True(eval.GetProperty("accuracy").GetDouble() > 0.9, eval.ToString());
        Assert.Contains(r.GetProperty("excluded").EnumerateArray(), e => e.GetString()!.StartsWith("penguin_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Scoring_the_saved_model_on_raw_rows_equals_scoring_inside_training()
    {
        using var dir = new TempDir();
        var config = MlOpsConfig.Load(Example("mlops.yaml"));
        var split = config.Split!;
        var table = await TableLoader.LoadAsync(config.Data!, new Dictionary<string, ColumnKind> { ["species"] = ColumnKind.Text }, new SplitRule(split.Key, split.Salt, split.Fractions));
        var label = table.Find("species")!;
        var train = table.RowsOf("train");
        var eval = table.RowsOf("eval");
        var spec = LabelSpec.Resolve("species", ModelTask.Multiclass, null, label, train, "data");
        var trained = MlNetTrainer.Train(table, spec, new TrainSettings(), split.Key, train, eval);
        var inProcess = trained.Scorer.Score(table, eval);

        var modelPath = dir.Combine("model.zip");
        using (var file = File.Create(modelPath)) trained.Scorer.Save(file, trained.InputSchema);

        // The raw eval rows as a user would send them: the split's own CSV cells, read with no schema.
        var parts = await HashSplitter.SplitAsync(config.Data!, split.Key, split.Fractions, split.Salt, dir.Combine("splits"));
        using var loaded = MlNetScorer.Load(modelPath);
        var raw = await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = parts.Single(p => p.Name == "eval").Path });
        var served = loaded.Score(raw, Enumerable.Range(0, raw.RowCount).ToArray());

        Assert.Equal(eval.Length, served.Count);
        Assert.Equal(inProcess.Classes, served.Classes);
        Assert.Equal(inProcess.ClassProbabilities, served.ClassProbabilities);
        AssertRowByRowEqualsBatch(loaded, raw);
    }

    /// <summary>
    /// Serving scores a request's few rows through pooled row engines, evaluation streams through
    /// Transform: both must give the same numbers to the last bit, alone or in small batches.
    /// </summary>
    private static void AssertRowByRowEqualsBatch(MlNetScorer scorer, Table table)
    {
        var all = Enumerable.Range(0, table.RowCount).ToArray();
        var columns = ModelInputs.Resolve(table, scorer.Inputs, "test");
        var batch = scorer.ScoreStream(table, columns, all);
        var one = all.Select(r => scorer.Score(table, [r])).ToList();
        var few = all.Chunk(16).Select(rows => scorer.Score(table, rows)).ToList();
        var concurrent = new Predictions[all.Length]; // engines are pooled: no two callers share one
        Parallel.For(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, r => concurrent[r] = scorer.Score(table, [r]));
        foreach (var parts in new[] { one, few, concurrent.ToList() })
        {
            Assert.Equal(batch.Probability, Concat(parts, p => p.Probability));
            Assert.Equal(batch.ClassProbabilities, Concat(parts, p => p.ClassProbabilities));
            Assert.Equal(batch.Values, Concat(parts, p => p.Values));
        }

        static float[]? Concat(List<Predictions> parts, Func<Predictions, float[]?> select) =>
            select(parts[0]) is null ? null : parts.SelectMany(p => select(p)!).ToArray();
    }

    // threads: auto is every core where the trainer splits its work the same way each run (so a
    // run on this machine's cores is bit-identical to the next), and 1 for SDCA's lock-free updates.
    [Theory]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    [InlineData("lbfgs")]
    [InlineData("sdca")]
    public async Task The_same_data_config_and_seed_give_the_same_metrics_and_model_bytes(string trainer)
    {
        using var a = new TempDir();
        using var b = new TempDir();
        foreach (var dir in new[] { a, b })
        {
            var (code, stdout, err) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--trainer", trainer, "--output", dir.Path);
            Assert.True(code == ExitCodes.Success, stdout + err);
        }

        var runA = await RunRecord.ReadAsync(a.Combine("run.json"));
        var runB = await RunRecord.ReadAsync(b.Combine("run.json"));
        Assert.Equal(runA.Metrics["eval"], runB.Metrics["eval"]);
        Assert.Equal(runA.Model.Sha256, runB.Model.Sha256);
        Assert.Equal(File.ReadAllBytes(a.Combine("model.zip")), File.ReadAllBytes(b.Combine("model.zip")));
        Assert.Equal(trainer == "sdca" ? 1 : Environment.ProcessorCount, runA.Trainer!.Threads);
    }

    [Fact]
    public async Task The_model_is_refit_on_train_and_eval_with_the_rounds_early_stopping_chose()
    {
        using var dir = new TempDir();
        string Config(string extra) => dir.File("mlops.yaml", $"project: p\ntask: binary\nlabel: sex\npositive-class: female\ndata: {{ path: {Example("data/current.csv")} }}\nsplit: {{ key: penguin_id }}\ntrain: {{ exclude: [species], early-stopping: 5, hyperparameters: {{ iterations: 500 }}{extra} }}\n");
        var (code, o, e) = await Support.Cli.RunAsync("train", "--config", Config(string.Empty), "--output", dir.Combine("refit"));
        Assert.True(code == ExitCodes.Success, o + e);
        var run = await RunRecord.ReadAsync(dir.Combine("refit/run.json"));
        Assert.Equal(run.Data.Rows["train"] + run.Data.Rows["eval"], run.Refit!.Rows, 10.0); // rows without a label are not trained on
        Assert.InRange(run.Refit.Rounds!.Value, 1, 499); // early stopping ended the first fit before 500
        Assert.Contains("Refit on train + eval", File.ReadAllText(dir.Combine("refit/report.md")));

        (code, o, e) = await Support.Cli.RunAsync("train", "--config", Config(", refit: false"), "--output", dir.Combine("plain"));
        Assert.True(code == ExitCodes.Success, o + e);
        var plain = await RunRecord.ReadAsync(dir.Combine("plain/run.json"));
        Assert.Null(plain.Refit);
        Assert.NotEqual(plain.Model.Sha256, run.Model.Sha256);
        Assert.Equal(plain.Metrics["eval"], run.Metrics["eval"]); // the eval figures are the first fit's either way
    }

    [Fact]
    public async Task Cross_validation_reports_each_fold_with_mean_and_sd_and_is_the_same_under_a_seed()
    {
        using var dir = new TempDir();
        var config = dir.File("mlops.yaml", $"project: p\ntask: multiclass\nlabel: species\ndata: {{ path: {Example("data/current.csv")} }}\nsplit: {{ key: penguin_id }}\ntrain: {{ cv: 4, seed: 7 }}\n");
        var runs = new List<RunRecord>();
        foreach (var name in new[] { "a", "b" })
        {
            var (code, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine(name));
            Assert.True(code == ExitCodes.Success, o + e);
            runs.Add(await RunRecord.ReadAsync(dir.Combine($"{name}/run.json")));
        }

        var cv = runs[0].CrossValidation!;
        Assert.Equal(4, cv.Folds);
        Assert.Equal(runs[0].Refit!.Rows, cv.Rows); // the same train + eval rows, never test
        var accuracy = cv.Metrics["accuracy"];
        Assert.Equal(4, accuracy.Folds.Count);
        Assert.Equal(accuracy.Folds.Average(), accuracy.Mean, 12);
        var mean = accuracy.Folds.Average();
        Assert.Equal(Math.Sqrt(accuracy.Folds.Sum(v => (v - mean) * (v - mean)) / 3), accuracy.Sd, 12);
        Assert.InRange(accuracy.Mean, 0.85, 1);
        Assert.Equal(accuracy.Folds, runs[1].CrossValidation!.Metrics["accuracy"].Folds);
        Assert.Contains("4-fold cross-validation", File.ReadAllText(dir.Combine("a/report.md")));

        var bad = dir.File("bad.yaml", $"project: p\ntask: multiclass\nlabel: species\ndata: {{ path: {Example("data/current.csv")} }}\ntrain: {{ cv: 1 }}\n");
        var (badCode, _, err) = await Support.Cli.RunAsync("train", "--config", bad, "--output", dir.Combine("bad"));
        Assert.Equal(2, badCode);
        Assert.Contains("train.cv", err);
    }

    [Theory]
    [InlineData("binary")]
    [InlineData("regression")]
    public async Task Other_tasks_train_from_the_same_config_shape(string task)
    {
        using var dir = new TempDir();
        var (label, extra) = task == "binary" ? ("sex", "positive-class: female\n") : ("body_mass_g", string.Empty);
        var config = dir.File("mlops.yaml", $"project: p\ntask: {task}\nlabel: {label}\n{extra}data: {{ path: {Example("data/current.csv")} }}\nsplit: {{ key: penguin_id }}\ntrain: {{ exclude: [species] }}\n");
        var (code, stdout, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.True(code == ExitCodes.Success, stdout + err);
        var run = await RunRecord.ReadAsync(dir.Combine("out/run.json"));
        var eval = run.Metrics["eval"];
        using (var scorer = MlNetScorer.Load(dir.Combine("out/model.zip")))
        {
            AssertRowByRowEqualsBatch(scorer, await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = Example("data/current.csv") }));
        }

        if (task == "binary")
        {
            Assert.Equal("female", run.PositiveClass);
            Assert.InRange(eval["roc-auc"], 0.8, 1.0);
        }
        else
        {
            Assert.InRange(eval["r2"], 0.5, 1.0);
        }
    }

    [Fact]
    public async Task A_training_command_gets_the_splits_and_its_model_and_metrics_are_collected()
    {
        using var dir = new TempDir();
        var (code0, o0, e0) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--output", dir.Combine("builtin"));
        Assert.True(code0 == 0, o0 + e0);

        // A stand-in for a real training script: checks its inputs, logs, writes a model and metrics.
        var script = dir.File("train.sh", $$$"""
            set -e
            test -s "$MLOPS_TRAIN_DATA" && test -s "$MLOPS_EVAL_DATA" && test -s "$MLOPS_TEST_DATA"
            test "$MLOPS_LABEL" = species && test "$MLOPS_TASK" = multiclass && test "$MLOPS_SEED" = 7
            echo "epoch 1 loss 0.5"
            head -1 "$MLOPS_TRAIN_DATA"
            cp "{{{dir.Combine("builtin/model.zip")}}}" "$MLOPS_OUTPUT_DIR/model.zip"
            echo '{"train": {"loss": 0.1}, "eval": {"accuracy": 0.93}}' > "$MLOPS_OUTPUT_DIR/metrics.json"
            """);
        var (code, stdout, err) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--command", $"sh {script}", "--seed", "7", "--output", dir.Combine("out"));
        Assert.True(code == ExitCodes.Success, stdout + err);
        Assert.Contains("epoch 1 loss 0.5", err, StringComparison.Ordinal);
        Assert.Contains("penguin_id,species", File.ReadAllText(dir.Combine("out/train.log")), StringComparison.Ordinal);
        var run = await RunRecord.ReadAsync(dir.Combine("out/run.json"));
        Assert.Equal("command", run.Mode);
        Assert.Equal(0.93, run.Metrics["eval"]["accuracy"]);
        Assert.Equal(0.1, run.Metrics["train"]["loss"]);
        Assert.Equal("mlnet", run.Model.Format);
        Assert.Equal(6, run.Inputs.Count);
        Assert.Equal(177, run.Data.Rows.Values.Sum());
    }

    [Fact]
    public async Task A_failing_command_fails_with_its_exit_code_and_last_lines()
    {
        using var dir = new TempDir();
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--command", "echo loading; echo 'CUDA out of memory' >&2; exit 17", "--output", dir.Path);
        Assert.Equal(17, code);
        Assert.Contains("exited with code 17", err, StringComparison.Ordinal);
        Assert.Contains("CUDA out of memory", err.Split('\n').Single(l => l.StartsWith("error:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_stopped_with_124()
    {
        using var dir = new TempDir();
        var config = dir.File("mlops.yaml", $"task: multiclass\nlabel: species\ndata: {{ path: {Example("data/current.csv")} }}\ntrain: {{ command: 'sleep 30', timeout: 1s }}\n");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.Equal(CommandRunner.TimeoutExitCode, code);
        Assert.Contains("timeout (1s)", err, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "the command was not killed");
    }

    [Fact]
    public async Task A_command_that_writes_no_model_is_a_clear_error()
    {
        using var dir = new TempDir();
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", Example("mlops.yaml"), "--command", "true", "--output", dir.Path);
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("wrote no model", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("trainer: lightgbn", "Did you mean 'lightgbm'?")]
    [InlineData("hyperparameters: { leafs: 8 }", "unknown key 'leafs'. Did you mean 'leaves'?")]
    [InlineData("hyperparameters: { learning-rate: 3 }", "train.hyperparameters.learning-rate: 3 is out of range")]
    [InlineData("hyperparameters: { iterations: 2.5 }", "2.5 is not a whole number")]
    [InlineData("trainer: poisson", "poisson cannot learn a multiclass task")]
    [InlineData("{ trainer: sdca, early-stopping: 5 }", "sdca does not support early stopping")]
    [InlineData("timeout: soon", "'soon' is not a duration")]
    public async Task Bad_train_settings_are_config_errors_that_name_the_key(string train, string expected)
    {
        using var dir = new TempDir();
        var body = train.StartsWith('{') ? $"train: {train}" : $"train:\n  {train}";
        var config = dir.File("mlops.yaml", $"task: multiclass\nlabel: species\ndata: {{ path: {Example("data/current.csv")} }}\n{body}\n");
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_missing_label_column_names_the_columns_there_are()
    {
        using var dir = new TempDir();
        var config = dir.File("mlops.yaml", $"task: multiclass\nlabel: kind\ndata: {{ path: {Example("data/current.csv")} }}\n");
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("out"));
        Assert.Equal(ExitCodes.DataError, code);
        Assert.Contains("the label column 'kind' is not in the data; columns: penguin_id, species", err, StringComparison.Ordinal);
    }
}
