using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// The encoding computed from column statistics is the one the ML.NET featurizer fitted from them
/// computes: a missing number becomes its mean (numbers only too), a category its slot in first
/// occurrence order, an unseen or missing one nothing; a featurizer that encoded otherwise is refused.
/// </summary>
public sealed class FeatureEncodingTests
{
    private static Table Data(bool numbersOnly)
    {
        var x = new float[] { 1, float.NaN, 4, 7, float.NaN, 2 };
        var columns = new List<TableColumn> { TableColumn.Numeric("x", x), TableColumn.Numeric("y", [float.NaN, 3, 3, 6, 0, 0]) };
        if (!numbersOnly) columns.Add(TableColumn.Text("city", ["Oslo", "Lima", null, "Oslo", "", "Pune"]));
        columns.Add(TableColumn.Numeric("label", [0, 1, 0, 1, 1, 0]));
        return Table.Of(columns);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_missing_number_becomes_its_mean_in_the_encoding_and_in_the_saved_featurizer(bool numbersOnly)
    {
        var table = Data(numbersOnly);
        var rows = Enumerable.Range(0, 6).ToArray();
        var plan = FeaturePlan.Create(table, "label", null, new TrainSettings(), rows);
        var ml = new Microsoft.ML.MLContext(1);
        var encoding = FeatureEncoding.Of(plan, table, rows, categoricalSplits: true);
        var featurizer = encoding.FitFeaturizer(ml, plan);

        // Row 1 has x missing, row 0 y: the means of the others (3.5 and 2.4).
        var dense = encoding.Dense([0, 1, 2]);
        var width = encoding.Columns;
        Assert.Equal(numbersOnly ? 2 : 3, width);
        Assert.Equal(3.5f, dense[width]); // row 1's x
        Assert.Equal(2.4f, dense[1]); // row 0's y
        if (!numbersOnly)
        {
            Assert.Equal([0f, 1f, -1f], new[] { dense[2], dense[width + 2], dense[(2 * width) + 2] }); // Oslo, Lima, missing
        }

        // The featurizer computes the same: its "Features" vector of row 1 holds x's mean.
        var features = plan.Features.Select(f => table.Find(f.Column)!).ToList();
        var view = featurizer.Transform(new TableDataView(table, [1], features));
        using var cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(view.Schema["Features"]);
        Microsoft.ML.Data.VBuffer<float> v = default;
        Assert.True(cursor.MoveNext());
        getter(ref v);
        Assert.Equal(3.5f, v.DenseValues().First());
        if (!numbersOnly) Assert.Equal([0f, 1f, 0f], v.DenseValues().Skip(2).ToArray()); // Lima, the second category
    }
}
