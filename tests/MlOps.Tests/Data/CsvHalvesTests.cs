using System.Globalization;
using System.Text;
using MlOps.Data;
using MlOps.Tabular;
using MlOps.Tests.Support;
using MlOps.Validation.Splitting;

namespace MlOps.Tests.Data;

/// <summary>
/// A large CSV file read as two halves at once must give the table reading it whole gives, cell
/// for cell and split part for split part, or not be read that way; and a bad cell in the second
/// half must still be reported at its own file row.
/// </summary>
public class CsvHalvesTests
{
    private static readonly SplitRule Split = new("id", "salt", [("train", 0.6), ("eval", 0.2), ("test", 0.2)]);

    // id, a number with gaps, a category, a column of numbers that becomes text where `textFrom` says, a label.
    private static string Write(TempDir dir, int rows, int? textFrom = null, string? badCell = null, int badRow = -1)
    {
        var b = new StringBuilder("id,x,city,mixed,label\n");
        var random = new Random(7);
        for (var r = 0; r < rows; r++)
        {
            var x = r == badRow ? badCell! : r % 13 == 0 ? string.Empty : (random.NextDouble() * 100).ToString("0.###", CultureInfo.InvariantCulture);
            var city = r % 9 == 0 ? string.Empty : $"c{random.Next(40)}";
            var mixed = textFrom is { } t && r >= t && r % 2 == 0 ? $"t{r % 5}" : (r % 7).ToString("000", CultureInfo.InvariantCulture);
            var label = random.Next(2) == 1 ? "yes" : "no";
            b.Append(CultureInfo.InvariantCulture, $"{r},{x},{city},{mixed},{label}\n");
        }

        return dir.File("data.csv", b.ToString());
    }

    private static async Task<Table> Whole(string path, IReadOnlyDictionary<string, ColumnKind>? declared = null)
    {
        var source = new DatasetSource { Path = path };
        var loader = new TableLoader(declared, Split, source.NonFiniteAsMissing);
        await source.ReadAsync(loader, source.ResolveFiles());
        return loader.Build();
    }

    private static Task<Table?> Halves(string path, IReadOnlyDictionary<string, ColumnKind>? declared = null) =>
        CsvHalves.TryLoadAsync(new DatasetSource { Path = path }, path, declared, Split, CancellationToken.None, minimumBytes: 0);

    private static void AssertSame(Table expected, Table actual)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.Parts, actual.Parts);
        Assert.Equal(expected.Columns.Select(c => (c.Name, c.Kind)), actual.Columns.Select(c => (c.Name, c.Kind)));
        foreach (var (e, a) in expected.Columns.Zip(actual.Columns))
        {
            Assert.Equal(e.Numbers, a.Numbers);
            Assert.Equal(e.Texts, a.Texts);
        }
    }

    [Fact]
    public async Task Two_halves_give_the_table_of_the_whole_file()
    {
        using var dir = new TempDir();
        var path = Write(dir, 20_000); // city: text with empty cells, which may come first in a half
        var halves = await Halves(path);
        Assert.NotNull(halves);
        AssertSame(await Whole(path), halves);
        AssertSame(await Whole(path), await TableLoader.LoadAsync(new DatasetSource { Path = path }, null, Split));
    }

    [Fact]
    public async Task A_column_the_second_half_alone_turns_into_text_is_read_whole()
    {
        // Read whole, the numbers before row 15,000 become text ("3") and the rest keep theirs
        // ("003"); the second half alone would turn its own "003"s into "3": not the same table.
        using var dir = new TempDir();
        var path = Write(dir, 20_000, textFrom: 15_000);
        Assert.Null(await Halves(path));
        var whole = await Whole(path);
        Assert.Contains("003", whole.Find("mixed")!.Texts!);
        AssertSame(whole, await TableLoader.LoadAsync(new DatasetSource { Path = path }, null, Split));
    }

    [Fact]
    public async Task A_file_with_quotes_is_read_whole()
    {
        using var dir = new TempDir();
        var path = dir.File("q.csv", "id,name\n" + string.Concat(Enumerable.Range(0, 5_000).Select(r => $"{r},\"a\nb\"\n")));
        Assert.Null(await Halves(path));
    }

    [Fact]
    public async Task A_bad_cell_in_the_second_half_is_reported_at_its_file_row()
    {
        using var dir = new TempDir();
        var path = Write(dir, 20_000, badCell: "oops", badRow: 17_000);
        var declared = new Dictionary<string, ColumnKind> { ["x"] = ColumnKind.Numeric, ["label"] = ColumnKind.Text };
        Assert.Null(await Halves(path, declared));
        var whole = await Assert.ThrowsAnyAsync<Exception>(() => Whole(path, declared));
        var loaded = await Assert.ThrowsAnyAsync<Exception>(() => TableLoader.LoadAsync(new DatasetSource { Path = path }, declared, Split));
        Assert.Equal(whole.Message, loaded.Message);
        Assert.Contains("17001", loaded.Message, StringComparison.Ordinal); // data row 17,001 of the file, not of its half
    }
}
