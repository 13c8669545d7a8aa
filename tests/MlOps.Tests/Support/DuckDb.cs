using System.Text.Json;

namespace MlOps.Tests.Support;

/// <summary>
/// DuckDB (from npm, run through tools/test-services/duckdb-sql.mjs): an engine outside the
/// project that writes the Parquet and CSV files users bring and computes exact statistics to
/// check ours against.
/// </summary>
public static class DuckDb
{
    private static readonly string Script = Path.Combine(Cli.RepoRoot, "tools", "test-services", "duckdb-sql.mjs");

    /// <summary>Runs the statements; returns the last one's rows (DuckDB's JSON values: numbers as text).</summary>
    public static async Task<List<Dictionary<string, JsonElement>>> QueryAsync(string sql)
    {
        using var dir = new TempDir();
        var file = dir.File("script.sql", sql);
        var (code, stdout, stderr) = await Processes.RunAsync("node", [Script, "--file", file], TimeSpan.FromSeconds(120), Path.GetDirectoryName(Script));
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        return doc.RootElement.EnumerateArray()
            .Select(row => row.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal))
            .ToList();
    }

    /// <summary>A value DuckDB printed, as a double (it prints numbers as JSON strings or numbers).</summary>
    public static double Number(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetDouble()
        : double.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A path quoted as a DuckDB string literal.</summary>
    public static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
}
