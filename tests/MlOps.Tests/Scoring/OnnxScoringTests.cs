using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;

namespace MlOps.Tests.Scoring;

/// <summary>ONNX models through ONNX Runtime: both input mappings, outputs, and errors that name what disagrees.</summary>
public class OnnxScoringTests
{
    private static readonly string Penguins = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");

    private static async Task<Table> LoadAsync() => await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = Penguins }, new Dictionary<string, ColumnKind> { ["species"] = ColumnKind.Text });

    [Fact]
    public async Task A_matrix_input_and_one_input_per_column_score_the_same()
    {
        using var dir = new TempDir();
        var matrix = dir.Bytes("matrix.onnx", OnnxModels.NearestCentroid(Penguins));
        var columns = dir.Bytes("columns.onnx", OnnxModels.NearestCentroid(Penguins, perColumnInputs: true));
        var table = await LoadAsync();
        var rows = Enumerable.Range(0, table.RowCount).ToArray();
        using var a = OnnxScorer.Load(matrix, ModelTask.Multiclass);
        using var b = OnnxScorer.Load(columns, ModelTask.Multiclass);
        Assert.Equal(["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"], a.Inputs.Select(i => i.Name));
        Assert.Equal(a.Inputs, b.Inputs);
        var pa = a.Score(table, rows);
        var pb = b.Score(table, rows);
        Assert.Equal(pa.ClassProbabilities, pb.ClassProbabilities);
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], pa.Classes);

        // A real classifier: nearest centroid on four measurements separates the species well, and missing values are imputed.
        var truth = rows.Select(r => table.Find("species")!.Texts![r]!).ToList();
        var accuracy = MetricCalculator.Compute(LabeledPredictions.Multiclass(truth, pa))[MetricNames.Accuracy];
        Assert.InRange(accuracy, 0.85, 1.0);
        Assert.All(pa.ClassProbabilities!, p => Assert.False(float.IsNaN(p)));
    }

    [Fact]
    public async Task Batches_larger_than_one_run_give_the_same_result_as_row_by_row()
    {
        using var dir = new TempDir();
        using var scorer = OnnxScorer.Load(dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Penguins)), ModelTask.Multiclass);
        var table = await LoadAsync();
        var all = scorer.Score(table, Enumerable.Range(0, table.RowCount).ToArray());
        for (var r = 0; r < table.RowCount; r += 37)
        {
            var one = scorer.Score(table, [r]);
            Assert.Equal(all.ClassProbabilities.AsSpan(r * 3, 3).ToArray(), one.ClassProbabilities);
        }
    }

    [Fact]
    public void Feature_names_that_disagree_with_the_input_shape_are_refused_by_name()
    {
        using var dir = new TempDir();
        var path = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Penguins, declaredFeatures: ["a", "b"]));
        var e = Assert.Throws<DataException>(() => OnnxScorer.Load(path, ModelTask.Multiclass));
        Assert.Contains("input 'features' [N, 4] takes 4 columns, but model metadata mlops.features names 2: a, b.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_task_that_disagrees_with_the_model_metadata_is_refused()
    {
        using var dir = new TempDir();
        var path = dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Penguins));
        var e = Assert.Throws<DataException>(() => OnnxScorer.Load(path, ModelTask.Binary));
        Assert.Contains("the model says it is a multiclass model (mlops.task); mlops.yaml says task: binary", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_without_a_model_input_is_refused_by_column_name()
    {
        using var dir = new TempDir();
        using var scorer = OnnxScorer.Load(dir.Bytes("m.onnx", OnnxModels.NearestCentroid(Penguins)), ModelTask.Multiclass);
        var csv = dir.File("d.csv", "bill_length_mm,bill_depth_mm,flipper_length_mm\n39.1,18.7,181\n");
        var table = await TableLoader.LoadAsync(new MlOps.Data.DatasetSource { Path = csv });
        var e = Assert.Throws<DataException>(() => scorer.Score(table, [0]));
        Assert.Contains("the model needs a column 'body_mass_g' (numbers), which the data lacks", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_a_data_error()
    {
        using var dir = new TempDir();
        var path = dir.File("m.onnx", "not a model");
        var e = Assert.Throws<DataException>(() => OnnxScorer.Load(path, ModelTask.Multiclass));
        Assert.Contains("not a loadable ONNX model", e.Message, StringComparison.Ordinal);
    }
}
