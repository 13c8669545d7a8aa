using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// A label's classes and positives read from numbers as from their texts (each number's
/// round-trip text is its class, a missing one none): the same classes, the same positives, -0
/// and 0 two classes as their texts are.
/// </summary>
public sealed class LabelSpecTests
{
    [Fact]
    public void Numbers_are_the_classes_their_texts_are()
    {
        var numbers = new float[] { 1, 0, float.NaN, 1, 0, 1, 0.5f };
        var column = TableColumn.Numeric("y", numbers);
        var texts = TableColumn.Text("y", numbers.Select(v => float.IsNaN(v) ? null : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        var rows = Enumerable.Range(0, 6).ToArray(); // 0.5 is not in these rows

        var fromNumbers = LabelSpec.Resolve("y", ModelTask.Binary, null, column, rows, "data");
        var fromTexts = LabelSpec.Resolve("y", ModelTask.Binary, null, texts, rows, "data");
        Assert.Equal("1", fromNumbers.PositiveClass);
        Assert.Equal(fromTexts, fromNumbers);
        var all = Enumerable.Range(0, numbers.Length).ToArray();
        Assert.Equal([true, false, false, true, false, true, false], fromNumbers.Positives(column, all));
        Assert.Equal(fromTexts.Positives(texts, all), fromNumbers.Positives(column, all));

        // Three values are not a binary label; -0 and 0 are two values, as their texts are.
        var three = Assert.Throws<DataException>(() => LabelSpec.Resolve("y", ModelTask.Binary, null, column, Enumerable.Range(0, 7).ToArray(), "data"));
        Assert.Contains("3 values (0, 0.5, 1)", three.Message);
        var zeros = TableColumn.Numeric("y", [0f, -0f, 1f]);
        Assert.Contains("3 values (-0, 0, 1)", Assert.Throws<DataException>(() => LabelSpec.Resolve("y", ModelTask.Binary, null, zeros, [0, 1, 2], "data")).Message);
    }
}
