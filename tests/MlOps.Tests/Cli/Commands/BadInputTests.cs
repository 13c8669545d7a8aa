using System.Text;
using MlOps.Tests.Support;

namespace MlOps.Tests.Cli.Commands;

/// <summary>Every kind of bad input: one clear line naming the file (and row), exit 3, no stack trace.</summary>
public class BadInputTests
{
    private static async Task AssertDataError(string path, params string[] expected)
    {
        using var output = new TempDir();
        var (code, _, err) = await Support.Cli.RunAsync("validate", "--data", path, "--output", output.Path);
        Assert.Equal(ExitCodes.DataError, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Contains(path, lines[0], StringComparison.Ordinal);
        foreach (var e in expected) Assert.Contains(e, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_file() { using var d = new TempDir(); await AssertDataError(d.File("e.csv", ""), "empty"); }

    [Fact]
    public async Task Header_only() { using var d = new TempDir(); await AssertDataError(d.File("h.csv", "a,b\n"), "no data rows"); }

    [Fact]
    public async Task Ragged_row() { using var d = new TempDir(); await AssertDataError(d.File("r.csv", "a,b\n1,2\n3,4,5\n"), "line 3 (row 2)", "expected 2 fields", "found 3"); }

    [Fact]
    public async Task Unterminated_quote() { using var d = new TempDir(); await AssertDataError(d.File("q.csv", "a,b\n1,\"open\n2,3\n"), "line 2", "never closes"); }

    [Fact]
    public async Task Invalid_utf8()
    {
        using var d = new TempDir();
        await AssertDataError(d.Bytes("u.csv", [.. "a,b\n1,x\n2,"u8, 0xC3, 0x28, (byte)'\n']), "row 2", "column \"b\"", "invalid UTF-8");
    }

    [Fact]
    public async Task Binary_garbage()
    {
        using var d = new TempDir();
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[10] = 0;
        await AssertDataError(d.Bytes("g.csv", bytes), "binary");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-inf")]
    [InlineData("1e999")]
    public async Task Not_finite_numbers(string token)
    {
        using var d = new TempDir();
        await AssertDataError(d.File("n.csv", $"a,b\n1,2\n3,{token}\n"), "row 2", "column \"b\"", "NaN or infinity");
    }

    [Fact]
    public async Task A_100_MB_single_line_is_refused_without_exhausting_memory()
    {
        using var d = new TempDir();
        var path = d.Combine("long.csv");
        await using (var f = File.Create(path))
        {
            f.Write("a,b\n1,"u8);
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
            for (var i = 0; i < 100; i++) f.Write(chunk);
        }

        await AssertDataError(path, "longer than 32 MiB");
    }

    [Fact]
    public async Task Missing_file() { using var d = new TempDir(); await AssertDataError(Path.Combine(d.Path, "nope.csv"), "not found"); }

    [Fact]
    public async Task Folder_without_data()
    {
        using var d = new TempDir();
        d.File("notes/readme.md", "# no data here");
        await AssertDataError(Path.Combine(d.Path, "notes"), "no data files");
    }

    [Fact]
    public async Task Invalid_json_line()
    {
        using var d = new TempDir();
        await AssertDataError(d.File("j.jsonl", "{\"a\": 1}\n{\"a\": }\n"), "line 2", "invalid JSON");
    }

    [Fact]
    public async Task Not_a_parquet_file()
    {
        using var d = new TempDir();
        await AssertDataError(d.File("p.parquet", "this is not parquet at all"), "not a readable Parquet file");
    }

    [Fact]
    public async Task Unknown_config_key_is_a_usage_error_with_a_suggestion()
    {
        using var d = new TempDir();
        var config = d.File("mlops.yaml", "data:\n  path: x.csv\nvalidat:\n  schema: s.json\n");
        var (code, _, err) = await Support.Cli.RunAsync("validate", "--config", config);
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("unknown key 'validat'", err, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'validate'?", err, StringComparison.Ordinal);
        Assert.Contains(":3", err, StringComparison.Ordinal); // the line of the bad key
    }

    [Fact]
    public async Task Unknown_flag_is_a_usage_error()
    {
        var (code, _, err) = await Support.Cli.RunAsync("validate", "--dta", "x.csv");
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("--dta", err, StringComparison.Ordinal);
    }
}
