using MlOps.Data;
using MlOps.Tests.Support;
using MlOps.Validation;
using MlOps.Validation.Statistics;
using Parquet;
using Parquet.Schema;

namespace MlOps.Tests.Data;

public class ReaderTests
{
    private static Task<DatasetProfile> Profile(string path, CsvOptions? csv = null) =>
        new Validator().ProfileAsync(new DatasetSource { Path = path, Csv = csv ?? new CsvOptions() }, null, null);

    [Fact]
    public async Task Csv_handles_quotes_embedded_newlines_crlf_bom_and_doubled_quotes()
    {
        using var d = new TempDir();
        var path = d.Bytes("q.csv", [0xEF, 0xBB, 0xBF, .. "name,note,n\r\n\"Smith, J\",\"said \"\"hi\"\"\nthen left\",1\r\nLee,plain,2\r\n"u8]);
        var p = await Profile(path);
        Assert.Equal(["name", "note", "n"], p.Columns.Select(c => c.Name));
        Assert.Equal(2, p.Rows);
        var notes = p.Find("note")!.TextCounts.Entries().Select(e => e.Key).ToList();
        Assert.Contains("said \"hi\"\nthen left", notes);
        Assert.Contains("Smith, J", p.Find("name")!.TextCounts.Entries().Select(e => e.Key));
        Assert.Equal(ColumnType.Integer, p.Find("n")!.InferredType);
    }

    [Fact]
    public async Task Csv_reads_other_delimiters_and_missing_tokens()
    {
        using var d = new TempDir();
        var path = d.File("s.csv", "a;b\n1;NA\n2;x\n");
        var p = await Profile(path, new CsvOptions { Delimiter = ';', MissingValues = ["NA"] });
        Assert.Equal(1, p.Find("b")!.Missing);
        Assert.Equal(1.5, p.Find("a")!.Moments.Mean);
    }

    [Fact]
    public async Task Records_spanning_buffer_boundaries_are_read_whole()
    {
        using var d = new TempDir();
        var path = d.Combine("big.csv");
        await using (var w = new StreamWriter(path))
        {
            await w.WriteLineAsync("id,text");
            for (var i = 0; i < 60_000; i++) await w.WriteLineAsync($"{i},\"line one\nline \"\"two\"\" {i % 7}\"");
        }

        var p = await Profile(path);
        Assert.Equal(60_000, p.Rows);
        Assert.Equal(7, p.Find("text")!.TextCounts.Tracked);
        Assert.Equal(29_999.5, p.Find("id")!.Moments.Mean);
    }

    [Fact]
    public async Task Csv_jsonl_and_parquet_of_the_same_data_give_the_same_statistics()
    {
        using var d = new TempDir();
        var csv = d.File("t.csv", "x,y,flag\n1.5,a,true\n2.5,,false\n,b,true\n");
        var jsonl = d.File("t.jsonl", "{\"x\":1.5,\"y\":\"a\",\"flag\":true}\n{\"x\":2.5,\"y\":null,\"flag\":false}\n{\"y\":\"b\",\"flag\":true}\n");
        var parquet = d.Combine("t.parquet");
        var fx = new DataField<double?>("x");
        var fy = new DataField<string>("y");
        var ff = new DataField<bool?>("flag");
        await using (var stream = File.Create(parquet))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fx, fy, ff), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<double>(fx, new double?[] { 1.5, 2.5, null });
            await group.WriteAsync(fy, new string?[] { "a", null, "b" });
            await group.WriteAsync<bool>(ff, new bool?[] { true, false, true });
        }

        var profiles = new[] { await Profile(csv), await Profile(jsonl), await Profile(parquet) };
        foreach (var p in profiles)
        {
            Assert.Equal(3, p.Rows);
            Assert.Equal(ColumnType.Number, p.Find("x")!.InferredType);
            Assert.Equal(1, p.Find("x")!.Missing);
            Assert.Equal(2.0, p.Find("x")!.Moments.Mean);
            Assert.Equal(ColumnType.String, p.Find("y")!.InferredType);
            Assert.Equal(1, p.Find("y")!.Missing);
            Assert.Equal(ColumnType.Boolean, p.Find("flag")!.InferredType);
            Assert.Equal(2, p.Find("flag")!.Trues);
        }
    }

    [Fact]
    public async Task A_glob_or_folder_of_files_is_one_dataset()
    {
        using var d = new TempDir();
        d.File("parts/a.csv", "v\n1\n2\n");
        d.File("parts/b.csv", "v\n3\n");
        d.File("parts/c.txt.bak", "not data");
        var folder = await Profile(Path.Combine(d.Path, "parts"));
        var glob = await Profile(Path.Combine(d.Path, "parts", "*.csv"));
        Assert.Equal(3, folder.Rows);
        Assert.Equal(3, glob.Rows);
        Assert.Equal(2.0, glob.Find("v")!.Moments.Mean);
    }

    [Theory]
    [InlineData("3.25", 3.25, CellKind.Number)]
    [InlineData("-17", -17, CellKind.Integer)]
    [InlineData("1e3", 1000, CellKind.Number)]
    [InlineData("0.1", 0.1, CellKind.Number)]
    [InlineData("123456789012345678901234", 1.2345678901234568e23, CellKind.Integer)]
    [InlineData(" 42 ", 42, CellKind.Integer)]
    public void Numbers_parse_exactly_like_the_runtime(string text, double expected, CellKind kind)
    {
        Assert.Equal(kind, Utf8Number.Classify(System.Text.Encoding.UTF8.GetBytes(text), out var value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1,000")]
    [InlineData("$5")]
    [InlineData("abc")]
    [InlineData("1.2.3")]
    [InlineData("-")]
    public void Non_numbers_stay_text(string text) =>
        Assert.Equal(CellKind.Text, Utf8Number.Classify(System.Text.Encoding.UTF8.GetBytes(text), out _, out _));

    [Fact]
    public void The_fast_number_path_agrees_with_double_parse_on_random_decimals()
    {
        var rng = new Random(5);
        for (var i = 0; i < 100_000; i++)
        {
            var text = (rng.NextDouble() * Math.Pow(10, rng.Next(-5, 12))).ToString("G" + rng.Next(1, 17), System.Globalization.CultureInfo.InvariantCulture);
            if (text.Contains('E', StringComparison.Ordinal)) continue;
            Utf8Number.Classify(System.Text.Encoding.UTF8.GetBytes(text), out var v, out _);
            Assert.Equal(double.Parse(text, System.Globalization.CultureInfo.InvariantCulture), v);
        }
    }
}
