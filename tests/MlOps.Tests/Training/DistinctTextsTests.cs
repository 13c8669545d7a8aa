using MlOps.Tabular;

namespace MlOps.Tests.Training;

/// <summary>
/// Distinct texts told apart by reference first are the texts distinct by value, in the order
/// they first occur, whether equal texts share one string (as the loader interns them) or not.
/// </summary>
public sealed class DistinctTextsTests
{
    [Fact]
    public void Equal_texts_are_one_value_whether_or_not_they_are_one_string()
    {
        // "Oslo" twice as two strings (past the loader's interning limit), "Lima" as one string.
        var oslo1 = new string("Oslo".AsSpan());
        var oslo2 = new string("Oslo".AsSpan());
        Assert.NotSame(oslo1, oslo2);
        var lima = "Lima";
        string?[] texts = [null, oslo2, lima, oslo1, null, "Pune", lima, "", oslo2];
        var rows = Enumerable.Range(0, texts.Length).ToArray();

        Assert.Equal(["Oslo", "Lima", "Pune", ""], DistinctTexts.Of(texts, rows));
        Assert.Equal(["Lima", "Oslo"], DistinctTexts.Of(texts, [6, 4, 3, 1, 0])); // the rows' order, not the column's
        Assert.Empty(DistinctTexts.Of(texts, [0, 4]));

        // The same as counting by value, on a column of many values.
        var random = new Random(2);
        var column = Enumerable.Range(0, 5_000).Select(_ => random.Next(10) == 0 ? null : new string($"k{random.Next(300)}".AsSpan())).ToArray();
        var all = Enumerable.Range(0, column.Length).ToArray();
        Assert.Equal(column.OfType<string>().Distinct(StringComparer.Ordinal).ToList(), DistinctTexts.Of(column, all));
    }
}
