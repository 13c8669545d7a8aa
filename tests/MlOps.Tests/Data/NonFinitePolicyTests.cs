using MlOps.Tests.Support;

namespace MlOps.Tests.Data;

/// <summary>
/// One rule for NaN, infinities and overflowing numbers in every stage: a data error naming the
/// file, row and column, or a missing value when <c>data.non-finite: missing</c> says so.
/// </summary>
[Trait("Category", "Integration")]
public class NonFinitePolicyTests
{
    private static readonly string Penguins = Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "penguins.csv");

    // The example's rows with one cell of bill_length_mm replaced on data row 7.
    private static string WithCell(TempDir dir, string value)
    {
        var lines = File.ReadAllLines(Penguins);
        var header = lines[0].Split(',');
        var column = Array.IndexOf(header, "bill_length_mm");
        var cells = lines[7].Split(',');
        cells[column] = value;
        lines[7] = string.Join(',', cells);
        return dir.File("penguins.csv", string.Join('\n', lines) + "\n");
    }

    private static string Config(TempDir dir, string data, string nonFinite) => dir.File("mlops.yaml", $"""
        project: penguins
        task: multiclass
        label: species
        data: {"{"} path: {data}{nonFinite} {"}"}
        split: {"{"} key: penguin_id {"}"}
        train: {"{"} trainer: lightgbm, hyperparameters: {"{"} iterations: 20, leaves: 8, min-samples-per-leaf: 5 {"}"} {"}"}
        """);

    [Theory]
    [InlineData("NaN", "NaN or infinity")]
    [InlineData("-Infinity", "NaN or infinity")]
    [InlineData("1e999", "NaN or infinity")]
    [InlineData("1e39", "beyond the 32-bit float range")]
    public async Task Train_refuses_a_non_finite_number_with_its_file_row_and_column_unless_told_it_is_missing(string value, string what)
    {
        using var dir = new TempDir();
        var data = WithCell(dir, value);
        var (code, o, e) = await Support.Cli.RunAsync("train", "--config", Config(dir, data, string.Empty), "--output", dir.Combine("refused"));
        Assert.True(code == 3, o + e);
        Assert.Contains("row 7", e);
        Assert.Contains("bill_length_mm", e);
        Assert.Contains(what, e);
        Assert.Contains("data.non-finite: missing", e);
        Assert.False(Directory.Exists(dir.Combine("refused")) && Directory.EnumerateFiles(dir.Combine("refused")).Any(f => f.EndsWith(".zip", StringComparison.Ordinal)));

        (code, o, e) = await Support.Cli.RunAsync("train", "--config", Config(dir, data, ", non-finite: missing"), "--output", dir.Combine("trained"));
        Assert.True(code == 0, o + e);
    }

    [Fact]
    public async Task Validate_applies_the_same_rule()
    {
        using var dir = new TempDir();
        var data = WithCell(dir, "NaN");
        var (code, _, e) = await Support.Cli.RunAsync("validate", "--config", Config(dir, data, string.Empty), "--output", dir.Combine("refused"));
        Assert.Equal(3, code);
        Assert.Contains("row 7", e);
        Assert.Contains("bill_length_mm", e);

        (code, var o, e) = await Support.Cli.RunAsync("validate", "--config", Config(dir, data, ", non-finite: missing"), "--output", dir.Combine("missing"));
        Assert.True(code == 0, o + e);
        using var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Combine("missing"), "stats.json")));
        var column = stats.RootElement.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "bill_length_mm");
        var original = File.ReadAllLines(Penguins).Skip(1).Count(l => l.Split(',')[3].Length == 0);
        Assert.Equal(original + 1, column.GetProperty("missing").GetInt64());
    }
}
