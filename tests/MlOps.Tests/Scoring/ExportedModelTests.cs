using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;

namespace MlOps.Tests.Scoring;

/// <summary>Models as PyTorch and scikit-learn export them, with no metadata of ours: input mapping, logits, ZipMap, classes.</summary>
public class ExportedModelTests
{
    private static async Task<Table> LoadAsync(string csv) =>
        await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = csv }, new Dictionary<string, ColumnKind> { ["species"] = ColumnKind.Text });

    private static ModelBinding FileOrder(Table table, ModelSettings? settings = null) => new()
    {
        Settings = settings ?? new ModelSettings(),
        DataColumns = ModelInputs.FeatureColumns(table, "species", "penguin_id", ["island", "sex"]),
        TrainingClasses = ModelInputs.LabelValues(table.Find("species")!, Enumerable.Range(0, table.RowCount)),
    };

    // The reference: our own nearest-centroid graph (MatMul, Add, Softmax) with its columns named in metadata.
    private static float[] Reference(Table table, int[] rows)
    {
        using var dir = new TempDir();
        using var reference = OnnxScorer.Load(dir.Bytes("ref.onnx", OnnxModels.NearestCentroid(ExportedModels.Data)), ModelTask.Multiclass);
        return reference.Score(table, rows).ClassProbabilities!;
    }

    [Fact]
    public async Task A_torch_export_maps_the_feature_columns_in_file_order_and_its_logits_get_softmax()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Torch(ExportedModels.Data));
        var table = await LoadAsync(ExportedModels.Data);
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        using var scorer = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table, new ModelSettings { Scores = ScoreKind.Logits }));

        var input = Assert.Single(scorer.Mapping!.Inputs);
        Assert.Equal("input", input.Name);
        Assert.Equal(ExportedModels.Measurements, input.Columns);
        Assert.Equal(ModelMapping.From.FileOrder, input.From);
        Assert.Equal("FP32", input.Datatype);
        Assert.Equal("softmax", scorer.Mapping.Transform);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], scorer.Classes);
        Assert.Equal("the label values seen in training, sorted", scorer.Mapping.ClassesFrom);

        var p = scorer.Score(table, rows);
        var reference = Reference(table, rows);
        for (var i = 0; i < reference.Length; i++) Assert.Equal(reference[i], p.ClassProbabilities![i], 4);
        var truth = rows.Select(r => table.Find("species")!.Texts![r]!).ToList();
        Assert.InRange(MetricCalculator.Compute(LabeledPredictions.Multiclass(truth, p))[MetricNames.Accuracy], 0.85, 1.0);
    }

    [Fact]
    public async Task Logits_read_as_probabilities_are_refused_with_the_setting_to_use()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Torch(ExportedModels.Data));
        var table = await LoadAsync(ExportedModels.Data);
        using var scorer = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table));
        var e = Assert.Throws<DataException>(() => scorer.Score(table, [0, 1, 2]));
        Assert.Contains("output 'output' gives", e.Message, StringComparison.Ordinal);
        Assert.Contains("outside [0, 1]: these look like logits; set model.scores: logits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_feature_count_that_does_not_match_names_the_input_its_width_and_the_columns()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Torch(ExportedModels.Data));
        var table = await LoadAsync(ExportedModels.Data);
        var binding = FileOrder(table) with { DataColumns = ModelInputs.FeatureColumns(table, "species", "penguin_id", []) };
        var e = Assert.Throws<DataException>(() => OnnxScorer.Load(model, ModelTask.Multiclass, binding));
        Assert.Contains("input 'input' [N, 4] takes 4 columns, but the data has 6 feature columns (island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex)", e.Message, StringComparison.Ordinal);
        Assert.Contains("model.features", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_features_win_over_file_order_and_an_unknown_input_name_is_a_config_error()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Torch(ExportedModels.Data));
        var table = await LoadAsync(ExportedModels.Data);
        string[] reordered = ["bill_depth_mm", "bill_length_mm", "flipper_length_mm", "body_mass_g"];
        using (var scorer = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table, new ModelSettings { Features = reordered, Scores = ScoreKind.Logits })))
        {
            Assert.Equal(reordered, scorer.Mapping!.Inputs[0].Columns);
            Assert.Equal(ModelMapping.From.ConfigFeatures, scorer.Mapping.Inputs[0].From);
        }

        var e = Assert.Throws<ConfigException>(() => OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table, new ModelSettings { Inputs = new Dictionary<string, IReadOnlyList<string>> { ["inputs"] = reordered } })));
        Assert.Contains("'inputs' is not an input of model.onnx; its inputs: input [N, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_data_columns_a_matrix_input_serves_tensors_only_and_says_what_to_set()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Torch(ExportedModels.Data));
        using var scorer = OnnxScorer.Load(model, null, ModelBinding.None);
        Assert.Contains("input 'input' is a [N, 4] matrix and nothing names its columns: set model.features", scorer.RowsUnavailable, StringComparison.Ordinal);
        Assert.Equal(["input"], scorer.Signature.Inputs.Select(i => i.Name));
        Assert.Equal([-1L, 4L], scorer.Signature.Inputs[0].Shape);
        Assert.Equal(["output"], scorer.Signature.Outputs.Select(o => o.Name));
        var table = await LoadAsync(ExportedModels.Data);
        Assert.Throws<DataException>(() => scorer.Score(table, [0]));
    }

    [Fact]
    public async Task A_sklearn_zipmap_output_is_read_with_its_keys_as_the_classes()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Sklearn(ExportedModels.Data));
        var table = await LoadAsync(ExportedModels.Data);
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        using var scorer = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table) with { TrainingClasses = null });
        Assert.Equal("output_probability", scorer.Mapping!.ScoreOutput);
        Assert.Equal("output_label", scorer.Mapping.LabelOutput);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], scorer.Classes);
        Assert.Equal("the keys of ZipMap output 'output_probability'", scorer.Mapping.ClassesFrom);
        Assert.Equal(OnnxSignature.SequenceOfMaps, scorer.Signature.Outputs.Single(o => o.Name == "output_probability").Kind);

        var p = scorer.Score(table, rows);
        var reference = Reference(table, rows);
        for (var i = 0; i < reference.Length; i++) Assert.Equal(reference[i], p.ClassProbabilities![i], 4);
    }

    [Fact]
    public async Task Integer_zipmap_keys_take_their_names_from_config_classes_and_a_count_that_disagrees_is_refused()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("model.onnx", ExportedModels.Sklearn(ExportedModels.Data, intLabels: true));
        var table = await LoadAsync(ExportedModels.Data);
        using (var keys = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table) with { TrainingClasses = null }))
        {
            Assert.Equal(["0", "1", "2"], keys.Classes);
        }

        using (var named = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table, new ModelSettings { Classes = ["Adelie", "Chinstrap", "Gentoo"] })))
        {
            Assert.Equal("mlops.yaml model.classes", named.Mapping!.ClassesFrom);
            Assert.Equal(Reference(table, [0, 200])[..3], named.Score(table, [0, 200]).ClassProbabilities![..3]);
        }

        using var wrong = OnnxScorer.Load(model, ModelTask.Multiclass, FileOrder(table, new ModelSettings { Classes = ["Adelie", "Gentoo"] }));
        var e = Assert.Throws<DataException>(() => wrong.Score(table, [0]));
        Assert.Contains("output 'output_probability' row 0 has 3 classes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Onnx_element_types_map_to_the_open_inference_protocol_datatypes()
    {
        var expected = new Dictionary<Microsoft.ML.OnnxRuntime.Tensors.TensorElementType, string>
        {
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float] = "FP32",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Double] = "FP64",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16] = "FP16",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int8] = "INT8",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int16] = "INT16",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32] = "INT32",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int64] = "INT64",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt8] = "UINT8",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt16] = "UINT16",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt32] = "UINT32",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt64] = "UINT64",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool] = "BOOL",
            [Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String] = "BYTES",
        };
        foreach (var (type, datatype) in expected) Assert.Equal(datatype, OnnxSignature.Datatype(type));
    }

    [Fact]
    public void Class_labels_sort_numerically_when_all_are_numbers_as_exporters_number_them()
    {
        Assert.Equal(["2", "10", "11"], OnnxBinder.SortClasses(["10", "2", "11", "2"]));
        Assert.Equal(["Adelie", "Gentoo", "b"], OnnxBinder.SortClasses(["b", "Gentoo", "Adelie"]));
    }
}

/// <summary>The committed example models are exactly what <see cref="ExportedModels"/> writes (MLOPS_UPDATE_FIXTURES=1 rewrites them).</summary>
public class ExportedFixtureTests
{
    [Fact]
    public void Committed_fixtures_are_what_the_generator_writes()
    {
        var fixtures = new Dictionary<string, byte[]>
        {
            [Path.Combine(ExportedModels.TorchExample, "model.onnx")] = ExportedModels.Torch(ExportedModels.Data),
            [Path.Combine(ExportedModels.SklearnExample, "model.onnx")] = ExportedModels.Sklearn(ExportedModels.Data),
        };
        foreach (var (path, bytes) in fixtures)
        {
            if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_FIXTURES") == "1") File.WriteAllBytes(path, bytes);
            Assert.True(File.Exists(path), $"{path} is missing; run the tests once with MLOPS_UPDATE_FIXTURES=1.");
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
    }
}

/// <summary>A float matrix and a string column feeding one model together.</summary>
public class MixedInputTests
{
    // numbers [N, 4] FP32 + island [N, 1] BYTES → LabelEncoder → Concat → MatMul → Softmax.
    private static byte[] Mixed() => OnnxWriter.Exported("tf2onnx", new Dictionary<string, long> { [string.Empty] = 15, ["ai.onnx.ml"] = 2 }, g =>
    {
        g.String(2, "mixed");
        g.Value(11, "numbers", OnnxWriter.FloatType, -1, 4);
        g.Value(11, "island", OnnxWriter.StringType, -1, 1);
        g.Op("LabelEncoder", ["island"], ["island_code"], "ai.onnx.ml", ("keys_strings", new[] { "Biscoe", "Dream", "Torgersen" }), ("values_floats", new[] { 1f, 2f, 3f }), ("default_float", 0f));
        g.Op("Concat", ["numbers", "island_code"], ["features"], string.Empty, ("axis", 1L));
        g.Initializer("W", [5, 3], [0.01f, 0, -0.01f, 0, 0, 0, 0, 0.01f, 0, 0, 0, 0.001f, 1f, 0f, -1f]);
        g.Op("MatMul", ["features", "W"], ["logits"]);
        g.Op("Softmax", ["logits"], ["probabilities"], string.Empty, ("axis", 1L));
        g.Value(12, "probabilities", OnnxWriter.FloatType, -1, 3);
    });

    [Fact]
    public async Task A_string_input_takes_its_own_column_and_the_matrix_takes_the_remaining_feature_columns_in_file_order()
    {
        using var dir = new TempDir();
        var model = dir.Bytes("mixed.onnx", Mixed());
        var table = await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = ExportedModels.Data }, new Dictionary<string, ColumnKind> { ["species"] = ColumnKind.Text, ["island"] = ColumnKind.Text });
        var binding = new ModelBinding
        {
            DataColumns = ModelInputs.FeatureColumns(table, "species", "penguin_id", ["sex"]),
            TrainingClasses = ["Adelie", "Chinstrap", "Gentoo"],
        };
        using var scorer = OnnxScorer.Load(model, ModelTask.Multiclass, binding);
        var inputs = scorer.Mapping!.Inputs.ToDictionary(i => i.Name);
        Assert.Equal(["island"], inputs["island"].Columns);
        Assert.Equal("BYTES", inputs["island"].Datatype);
        Assert.Equal(ExportedModels.Measurements, inputs["numbers"].Columns);
        Assert.Equal(ModelMapping.From.FileOrder, inputs["numbers"].From);

        // The string input is really used: the same measurements on another island give other probabilities.
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        var p = scorer.Score(table, rows);
        for (var r = 0; r < rows.Length; r++) Assert.Equal(1.0, p.ClassProbabilities!.Skip(r * 3).Take(3).Sum(x => (double)x), 4);
        var island = table.Find("island")!;
        var biscoe = rows.First(r => island.Texts![r] == "Biscoe");
        var swapped = Table.Of(table.Columns.Select(c => c.Name == "island" ? TableColumn.Text("island", [.. Enumerable.Repeat<string?>("Torgersen", table.RowCount)]) : c).ToList());
        Assert.NotEqual(p.ClassProbabilities![biscoe * 3], scorer.Score(swapped, [biscoe]).ClassProbabilities![0]);
    }
}
