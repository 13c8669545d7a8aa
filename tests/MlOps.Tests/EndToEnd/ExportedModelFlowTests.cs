using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Tests.Support;
using MlOps.Training;

namespace MlOps.Tests.EndToEnd;

/// <summary>
/// A model exported by PyTorch, exactly as torch.onnx.export wrote it (examples/pytorch/model.onnx:
/// input 'input', logits in 'output', no metadata), through train --command, evaluate and register
/// with no edit to the file; the training command copies the committed export, so no PyTorch is needed.
/// </summary>
[Trait("Category", "Integration")]
public class ExportedModelFlowTests
{
    private const string CopyExport = "cp model.onnx \"$MLOPS_OUTPUT_DIR/model.onnx\"";

    [Fact]
    public async Task A_torch_export_goes_through_train_evaluate_and_register_and_every_stage_says_which_columns_went_where()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        var (t, to, te) = await Support.Cli.RunAsync("train", "--config", config, "--command", CopyExport, "--output", dir.Combine("train"));
        Assert.True(t == 0, to + te);
        Assert.Contains("model input `input` FP32 [N, 4] ← bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g (the data's feature columns in file order)", te, StringComparison.Ordinal);

        var run = await RunRecord.ReadAsync(dir.Combine("train/run.json"));
        var mapping = run.Mapping!;
        Assert.Equal(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"], mapping.Inputs.Single().Columns);
        Assert.Equal("softmax", mapping.Transform);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], run.Classes);
        Assert.Contains("file order", File.ReadAllText(dir.Combine("train/report.md")), StringComparison.Ordinal);

        var (e, eo, ee) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", dir.Combine("train"), "--output", dir.Combine("eval"));
        Assert.True(e == 0, eo + ee);
        var result = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        Assert.True(result.Blessed);
        Assert.Equal(JsonSerializer.Serialize(mapping), JsonSerializer.Serialize(result.Candidate.Mapping)); // the same mapping, said the same way
        Assert.InRange(result.Metrics["accuracy"].Candidate, 0.85, 1.0);
        Assert.Contains("`input` FP32 [N, 4] ← bill_length_mm", File.ReadAllText(dir.Combine("eval/report.md")), StringComparison.Ordinal);

        var (r, ro, re) = await Support.Cli.RunAsync("register", "--config", config, "--model", dir.Combine("train"), "--evaluation", dir.Combine("eval/evaluation.json"), "--alias", "production", "--json");
        Assert.True(r == 0, ro + re);
        Assert.Equal(1, JsonDocument.Parse(ro).RootElement.GetProperty("modelVersion").GetInt32());

        // serve: the registry's version carries run.json, so row views use the recorded mapping and V2 takes the native tensor.
        await using var server = await ServingSetup.FromExampleRegistryAsync(dir, "penguins-torch");
        using var http = new HttpClient();
        var tensor = await http.PostAsync(server.Url + "/v2/models/penguins-torch/infer", new StringContent("""{"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[[50.0,15.2,218,5700]]}]}""", System.Text.Encoding.UTF8, "application/json"));
        var tensorBody = JsonDocument.Parse(await tensor.Content.ReadAsStringAsync()).RootElement;
        Assert.True(tensor.IsSuccessStatusCode, tensorBody.ToString());
        var logits = tensorBody.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(2, Array.IndexOf(logits, logits.Max())); // Gentoo: long flippers, heavy

        var rows = await http.PostAsync(server.Url + "/v1/models/penguins-torch:predict", new StringContent("""{"instances":[{"bill_length_mm":50.0,"bill_depth_mm":15.2,"flipper_length_mm":218,"body_mass_g":5700}]}""", System.Text.Encoding.UTF8, "application/json"));
        var rowBody = JsonDocument.Parse(await rows.Content.ReadAsStringAsync()).RootElement;
        Assert.True(rows.IsSuccessStatusCode, rowBody.ToString());
        var prediction = rowBody.GetProperty("predictions")[0];
        Assert.Equal("Gentoo", prediction.GetProperty("label").GetString());
        var p = prediction.GetProperty("probabilities");
        var exp = logits.Select(x => Math.Exp(x - logits.Max())).ToArray();
        Assert.Equal(exp[2] / exp.Sum(), p.GetProperty("Gentoo").GetDouble(), 4); // softmax, as run.json recorded
    }

    [Fact]
    public async Task Without_scores_logits_the_torch_export_is_one_line_naming_the_output_and_the_setting()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        File.WriteAllText(config, File.ReadAllText(config).Replace("scores: logits", "scores: probabilities", StringComparison.Ordinal));
        var (t, to, te) = await Support.Cli.RunAsync("train", "--config", config, "--command", CopyExport, "--output", dir.Combine("train"));
        Assert.True(t == 0, to + te); // training only collects the model
        var (e, _, ee) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", dir.Combine("train"), "--output", dir.Combine("eval"));
        Assert.Equal(ExitCodes.DataError, e);
        Assert.Contains("these look like logits; set model.scores: logits", ee, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", ee, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_set_with_more_feature_columns_than_the_input_takes_is_exit_3_naming_input_width_and_columns()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        File.WriteAllText(config, File.ReadAllText(config).Replace("exclude: [island, sex]", "exclude: [sex]", StringComparison.Ordinal));
        var (t, _, te) = await Support.Cli.RunAsync("train", "--config", config, "--command", CopyExport, "--output", dir.Combine("train"));
        Assert.Equal(ExitCodes.DataError, t);
        Assert.Contains("input 'input' [N, 4] takes 4 columns, but the data has 5 feature columns (island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g)", te, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sklearn_zipmap_export_evaluates_with_the_metrics_of_the_same_classifier_scored_another_way()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        var zipMap = dir.Bytes("zipmap.onnx", File.ReadAllBytes(Path.Combine(ExportedModels.SklearnExample, "model.onnx")));
        var reference = dir.Bytes("reference.onnx", OnnxModels.NearestCentroid(ExportedModels.Data));
        File.WriteAllText(config, File.ReadAllText(config).Replace("scores: logits", "scores: probabilities", StringComparison.Ordinal));
        var (e, eo, ee) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", zipMap, "--baseline", reference, "--output", dir.Combine("eval"));
        Assert.True(e is 0 or 1, eo + ee);
        var result = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        Assert.Equal("the keys of ZipMap output 'output_probability'", result.Candidate.Mapping!.ClassesFrom);

        // The ZipMap model and our own graph are the same classifier: every metric agrees.
        foreach (var (name, m) in result.Metrics) Assert.True(Math.Abs(m.Candidate - m.Baseline!.Value) < 1e-4, $"{name}: {m.Candidate} vs {m.Baseline}");
        Assert.InRange(result.Metrics["accuracy"].Candidate, 0.85, 1.0);
    }
}

/// <summary>A model ONNX Runtime cannot feed from rows (an FP16 input here) is evaluated from the predictions its training command wrote.</summary>
public class UnscorableModelTests
{
    private static byte[] HalfPrecision() => OnnxWriter.Exported("pytorch", new Dictionary<string, long> { [string.Empty] = 17 }, g =>
    {
        g.String(2, "half");
        g.NamedValue(11, "input", 10, "batch_size", -1, 3); // FLOAT16
        g.Op("Cast", ["input"], ["output"], string.Empty, ("to", 1L));
        g.NamedValue(12, "output", OnnxWriter.FloatType, "batch_size", -1, 3);
    });

    [Fact]
    public async Task Train_accepts_it_with_predictions_csv_and_evaluate_scores_those_predictions()
    {
        using var dir = new TempDir();
        var config = Examples.CopyPytorch(dir.Path);
        dir.Bytes("half.onnx", HalfPrecision());

        // The command's predictions: the torch fixture's softmax for every row, one probability column per class.
        var table = await MlOps.Tabular.TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = ExportedModels.Data }, new Dictionary<string, MlOps.Tabular.ColumnKind> { ["species"] = MlOps.Tabular.ColumnKind.Text, ["penguin_id"] = MlOps.Tabular.ColumnKind.Text });
        using (var torch = MlOps.Scoring.OnnxScorer.Load(Path.Combine(ExportedModels.TorchExample, "model.onnx"), MlOps.Scoring.ModelTask.Multiclass, new MlOps.Scoring.ModelBinding { Settings = new MlOps.Scoring.ModelSettings { Features = ExportedModels.Measurements, Scores = MlOps.Scoring.ScoreKind.Logits }, TrainingClasses = ["Adelie", "Chinstrap", "Gentoo"] }))
        {
            var p = torch.Score(table, Enumerable.Range(0, table.RowCount).ToArray());
            var lines = new List<string> { "penguin_id,probability_Adelie,probability_Chinstrap,probability_Gentoo" };
            for (var r = 0; r < table.RowCount; r++) lines.Add(table.Find("penguin_id")!.Texts![r] + "," + string.Join(",", Enumerable.Range(0, 3).Select(k => p.ClassProbabilities![(r * 3) + k].ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            File.WriteAllLines(dir.Combine("predictions.csv"), lines);
        }

        var (t, to, te) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("train"), "--command", "cp half.onnx \"$MLOPS_OUTPUT_DIR/model.onnx\" && cp predictions.csv \"$MLOPS_OUTPUT_DIR/\"");
        Assert.True(t == 0, to + te);
        Assert.Contains("input 'input' takes FP16", te, StringComparison.Ordinal);
        Assert.Contains("evaluate will use predictions.csv", te, StringComparison.Ordinal);

        var (e, eo, ee) = await Support.Cli.RunAsync("evaluate", "--config", config, "--model", dir.Combine("train"), "--output", dir.Combine("eval"));
        Assert.True(e == 0, eo + ee);
        var result = await EvaluationResult.ReadAsync(dir.Combine("eval/evaluation.json"));
        Assert.Equal("onnx", result.Candidate.Format); // the model keeps its identity: register and report check its SHA-256
        Assert.EndsWith("predictions.csv", result.Candidate.Predictions, StringComparison.Ordinal);
        Assert.InRange(result.Metrics["accuracy"].Candidate, 0.85, 1.0);

        // So it registers like any blessed model.
        var (g, go, ge) = await Support.Cli.RunAsync("register", "--config", config, "--model", dir.Combine("train"), "--evaluation", dir.Combine("eval/evaluation.json"));
        Assert.True(g == 0, go + ge);

        // Without the file, train says what the model lacks and what to write.
        var (t2, _, te2) = await Support.Cli.RunAsync("train", "--config", config, "--output", dir.Combine("train2"), "--command", "cp half.onnx \"$MLOPS_OUTPUT_DIR/model.onnx\"");
        Assert.Equal(ExitCodes.DataError, t2);
        Assert.Contains("Or write predictions.csv for the evaluation rows beside the model.", te2, StringComparison.Ordinal);
    }
}
