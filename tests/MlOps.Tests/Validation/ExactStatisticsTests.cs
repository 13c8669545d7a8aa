using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Validation;

/// <summary>
/// Integer columns with a few hundred distinct values over far more rows than the quantile sketch
/// holds: statistics, quantiles and the KS statistic must equal DuckDB's exact figures on the same
/// files, and with exact counts turned off the sketch's KS must stay within the bound it reports.
/// </summary>
[Trait("Category", "Integration")]
public class ExactStatisticsTests
{
    // 200,000 rows each: a skewed integer column (about 300 values) and a shifted copy of it.
    private static async Task<(string A, string B)> WriteAsync(TempDir dir)
    {
        var a = dir.Combine("a.csv");
        var b = dir.Combine("b.csv");
        await DuckDb.QueryAsync($"""
            copy (select (hash(range) % 300)::bigint * (hash(range * 7) % 2)::bigint as x, range as id from range(200000)) to {DuckDb.Quote(a)} (header);
            copy (select (hash(range + 11) % 310)::bigint * (hash(range * 5) % 2)::bigint + 3 as x, range as id from range(200000)) to {DuckDb.Quote(b)} (header);
            select 1;
            """);
        return (a, b);
    }

    private static async Task<Dictionary<string, JsonElement>> DuckDbFiguresAsync(string a, string b) => (await DuckDb.QueryAsync($"""
        create table a as select x from read_csv({DuckDb.Quote(a)});
        create table b as select x from read_csv({DuckDb.Quote(b)});
        create table ca as select x, count(*) n from a group by x;
        create table cb as select x, count(*) n from b group by x;
        create table pts as select x from ca union select x from cb;
        create table cum as select p.x,
            sum(coalesce(ca.n, 0)) over (order by p.x) / (select count(*) from a) as fa,
            sum(coalesce(cb.n, 0)) over (order by p.x) / (select count(*) from b) as fb
            from pts p left join ca on ca.x = p.x left join cb on cb.x = p.x;
        select (select max(abs(fa - fb)) from cum) as ks,
            min(x) as min, max(x) as max, avg(x) as mean, stddev_samp(x) as std, count(distinct x) as distinct,
            quantile_cont(x, 0.01) as p01, quantile_cont(x, 0.25) as p25, quantile_cont(x, 0.5) as p50,
            quantile_cont(x, 0.75) as p75, quantile_cont(x, 0.99) as p99
            from b;
        """)).Single();

    private static JsonElement Column(JsonElement doc, string array, string key, string name) =>
        doc.GetProperty(array).EnumerateArray().Single(c => c.GetProperty(key).GetString() == name);

    [Fact]
    public async Task Statistics_quantiles_and_ks_equal_duckdbs_exact_values_and_the_sketch_stays_within_its_bound()
    {
        using var dir = new TempDir();
        var (a, b) = await WriteAsync(dir);
        var expected = await DuckDbFiguresAsync(a, b);

        var output = dir.Combine("exact");
        var (code, _, err) = await Support.Cli.RunAsync("validate", "--data", b, "--baseline", a, "--output", output);
        Assert.True(code is 0 or 1, err);
        using var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "stats.json")));
        using var drift = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "drift.json")));
        var x = Column(stats.RootElement, "columns", "name", "x");
        var numeric = x.GetProperty("numeric");
        Assert.True(numeric.GetProperty("quantilesExact").GetBoolean());
        Assert.Equal(0, numeric.GetProperty("rankError").GetDouble());
        Assert.Equal(DuckDb.Number(expected["distinct"]), x.GetProperty("distinct").GetInt64());
        Assert.True(x.GetProperty("distinctExact").GetBoolean());
        foreach (var name in new[] { "min", "max", "mean", "std" })
        {
            Assert.Equal(DuckDb.Number(expected[name]), numeric.GetProperty(name).GetDouble(), 9);
        }

        foreach (var q in new[] { "p01", "p25", "p50", "p75", "p99" })
        {
            Assert.Equal(DuckDb.Number(expected[q]), numeric.GetProperty("quantiles").GetProperty(q).GetDouble(), 9);
        }

        var exactKs = DuckDb.Number(expected["ks"]);
        var column = Column(drift.RootElement, "columns", "column", "x");
        Assert.Equal(exactKs, column.GetProperty("scores").GetProperty("ks").GetDouble(), 12);
        Assert.Equal(0, column.GetProperty("rankError").GetDouble());

        // The same files with exact counts off: the sketch's KS differs, but by no more than its bound.
        var config = dir.File("mlops.yaml", "validate:\n  exact-values: 0\n");
        var sketched = dir.Combine("sketch");
        (code, _, err) = await Support.Cli.RunAsync("validate", "--config", config, "--data", b, "--baseline", a, "--output", sketched);
        Assert.True(code is 0 or 1, err);
        using var sketchDrift = JsonDocument.Parse(File.ReadAllText(Path.Combine(sketched, "drift.json")));
        var approx = Column(sketchDrift.RootElement, "columns", "column", "x");
        var bound = approx.GetProperty("rankError").GetDouble();
        Assert.InRange(bound, 0.005, 0.05);
        Assert.InRange(approx.GetProperty("scores").GetProperty("ks").GetDouble(), exactKs - bound, exactKs + bound);
        Assert.Contains("sketch, KS ±", File.ReadAllText(Path.Combine(sketched, "report.md")));
        Assert.Contains("exact counts", File.ReadAllText(Path.Combine(output, "report.md")));
    }

    [Fact]
    public async Task A_stats_json_with_exact_counts_is_as_good_a_baseline_as_the_data()
    {
        using var dir = new TempDir();
        var (a, b) = await WriteAsync(dir);
        var first = dir.Combine("first");
        var (code, _, err) = await Support.Cli.RunAsync("validate", "--data", a, "--output", first);
        Assert.True(code == 0, err);
        var statsText = File.ReadAllText(Path.Combine(first, "stats.json"));
        Assert.Contains("\"valueCounts\"", statsText);

        var viaData = dir.Combine("via-data");
        var viaStats = dir.Combine("via-stats");
        await Support.Cli.RunAsync("validate", "--data", b, "--baseline", a, "--output", viaData);
        await Support.Cli.RunAsync("validate", "--data", b, "--baseline", Path.Combine(first, "stats.json"), "--output", viaStats);
        using var one = JsonDocument.Parse(File.ReadAllText(Path.Combine(viaData, "drift.json")));
        using var two = JsonDocument.Parse(File.ReadAllText(Path.Combine(viaStats, "drift.json")));
        Assert.Equal(
            Column(one.RootElement, "columns", "column", "x").GetProperty("scores").ToString(),
            Column(two.RootElement, "columns", "column", "x").GetProperty("scores").ToString());
    }
}
