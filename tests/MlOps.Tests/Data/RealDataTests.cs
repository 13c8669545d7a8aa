using System.Text.Json;
using MlOps.Tests.Support;

namespace MlOps.Tests.Data;

/// <summary>
/// Files as DuckDB writes them: the same rows as CSV and as Parquet give the same statistics
/// (timestamps typed, zones kept) and no drift; nested Parquet and JSON Lines are named by path
/// and never lose or abort; unsupported columns are skipped with a warning.
/// </summary>
[Trait("Category", "Integration")]
public class RealDataTests
{
    private static JsonElement Stats(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "stats.json"))).RootElement;

    private static Dictionary<string, JsonElement> Columns(JsonElement stats) =>
        stats.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);

    [Fact]
    public async Task The_same_rows_as_csv_and_parquet_give_the_same_statistics_with_typed_timestamps_and_no_drift()
    {
        using var dir = new TempDir();
        var csv = dir.Combine("t.csv");
        var parquet = dir.Combine("t.parquet");
        var expected = (await DuckDb.QueryAsync($"""
            create table t as select range as id,
                timestamp '2024-01-01 00:00:00' + to_minutes(range * 37) as ts,
                date '2024-01-01' + (range % 400)::int as day,
                timestamptz '2024-03-01 00:00:00+00' + to_seconds(range) as seen,
                ((hash(range) % 1000) / 10)::double as x,
                ['a', 'b', 'c'][(range % 3) + 1] as cat
                from range(50000);
            copy t to {DuckDb.Quote(csv)} (header);
            copy t to {DuckDb.Quote(parquet)} (format parquet);
            select strftime(min(ts), '%Y-%m-%dT%H:%M:%S') as ts_min, strftime(max(ts), '%Y-%m-%dT%H:%M:%S') as ts_max,
                strftime(max(day), '%Y-%m-%d') as day_max, count(distinct ts) as ts_distinct from t;
            """)).Single();

        var fromCsv = dir.Combine("csv");
        var fromParquet = dir.Combine("parquet");
        var config = dir.File("mlops.yaml", "validate:\n  drift:\n    time: true\n");
        var (code, o, e) = await Support.Cli.RunAsync("validate", "--config", config, "--data", csv, "--baseline", parquet, "--output", fromCsv);
        Assert.True(code == 0, o + e);
        (code, o, e) = await Support.Cli.RunAsync("validate", "--data", parquet, "--output", fromParquet);
        Assert.True(code == 0, o + e);

        var a = Columns(Stats(fromCsv));
        var b = Columns(Stats(fromParquet));
        Assert.Equal(b.Keys, a.Keys);
        foreach (var name in a.Keys)
        {
            foreach (var part in new[] { "type", "count", "missing", "distinct", "numeric", "time", "topValues" })
            {
                Assert.Equal(b[name].TryGetProperty(part, out var y) ? y.ToString() : null, a[name].TryGetProperty(part, out var x) ? x.ToString() : null);
            }
        }

        Assert.Equal("timestamp", a["ts"].GetProperty("type").GetString());
        Assert.Equal("naive", a["ts"].GetProperty("time").GetProperty("zone").GetString());
        Assert.Equal(expected["ts_min"].GetString(), a["ts"].GetProperty("time").GetProperty("min").GetString()); // no zone invented
        Assert.Equal(expected["ts_max"].GetString(), a["ts"].GetProperty("time").GetProperty("max").GetString());
        Assert.Equal(DuckDb.Number(expected["ts_distinct"]), a["ts"].GetProperty("distinct").GetInt64());
        Assert.Equal("date", a["day"].GetProperty("type").GetString());
        Assert.Equal(expected["day_max"].GetString(), a["day"].GetProperty("time").GetProperty("max").GetString());
        Assert.Equal("utc", a["seen"].GetProperty("time").GetProperty("zone").GetString());
        Assert.EndsWith("Z", a["seen"].GetProperty("time").GetProperty("min").GetString());

        // Compared (drift.time: true) and identical: every score zero, nothing drifted.
        using var drift = JsonDocument.Parse(File.ReadAllText(Path.Combine(fromCsv, "drift.json")));
        var columns = drift.RootElement.GetProperty("columns").EnumerateArray().ToList();
        Assert.Equal(6, columns.Count);
        Assert.All(columns, c => Assert.False(c.GetProperty("drifted").GetBoolean(), c.ToString()));
        Assert.All(columns, c => Assert.Equal(0, c.GetProperty("scores").GetProperty(c.GetProperty("kind").GetString() == "categorical" ? "js" : "ks").GetDouble(), 12));
        Assert.Contains(columns, c => c.GetProperty("column").GetString() == "ts" && c.GetProperty("kind").GetString() == "time");
    }

    [Fact]
    public async Task Time_columns_are_not_compared_by_default_and_are_checked_for_freshness()
    {
        using var dir = new TempDir();
        string Rows(DateTime newest) => "when,x\n" + string.Join("\n", Enumerable.Range(0, 50).Select(i => $"{newest.AddHours(-i):yyyy-MM-ddTHH:mm:ssZ},{i}")) + "\n";
        var old = dir.File("old.csv", Rows(DateTime.UtcNow.AddDays(-5)));
        var fresh = dir.File("fresh.csv", Rows(DateTime.UtcNow.AddHours(-1)));
        var schema = dir.File("schema.json", """{"schemaVersion":1,"kind":"mlops.schema","columns":[{"name":"when","type":"timestamp","maxAge":"2d"},{"name":"x","type":"integer"}]}""");

        var (code, o, e) = await Support.Cli.RunAsync("validate", "--data", old, "--schema", schema, "--output", dir.Combine("old"));
        Assert.True(code == 1, o + e);
        Assert.Contains("when: stale", o);
        Assert.Contains("days old", o);

        (code, o, e) = await Support.Cli.RunAsync("validate", "--data", fresh, "--schema", schema, "--baseline", old, "--output", dir.Combine("fresh"));
        Assert.True(code == 0, o + e);
        using var drift = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Combine("fresh"), "drift.json")));
        var when = drift.RootElement.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "when");
        Assert.Contains("time always moves", when.GetProperty("skipped").GetString());
        Assert.Contains("time always moves", File.ReadAllText(Path.Combine(dir.Combine("fresh"), "report.md")));

        // A declared time column with no time in it cannot be shown fresh: fail closed.
        var text = dir.File("text.csv", "when,x\nsoon,1\nlater,2\n");
        (code, o, _) = await Support.Cli.RunAsync("validate", "--data", text, "--schema", schema, "--output", dir.Combine("text"));
        Assert.Equal(1, code);
        Assert.Contains("type-mismatch", o);
        Assert.Contains("freshness cannot be checked", o);
    }

    [Fact]
    public async Task Nested_parquet_is_named_by_path_never_collides_and_skips_only_what_it_cannot_read()
    {
        using var dir = new TempDir();
        var parquet = dir.Combine("n.parquet");
        var jsonl = dir.Combine("n.jsonl");
        await DuckDb.QueryAsync($$$"""
            create table n as select range as id,
                {'a': range, 'name': 'inner' || range, 'b': {'c': range * 2}} as s,
                'outer' || (range % 2) as name,
                case when range % 5 = 1 then null else list_transform(range(range % 4), x -> x * 10) end as l,
                map {'k': range} as m,
                [{'q': range}, {'q': range + 1}] as pts,
                uuid() as u,
                'abc'::blob as bl,
                time '10:00:00' as t,
                interval 3 day as iv
                from range(100);
            copy n to {{{DuckDb.Quote(parquet)}}} (format parquet);
            copy (select id, s, name, l, pts from n) to {{{DuckDb.Quote(jsonl)}}} (format json);
            select 1;
            """);

        var output = dir.Combine("parquet");
        var (code, o, e) = await Support.Cli.RunAsync("validate", "--data", parquet, "--output", output);
        Assert.True(code == 0, o + e);
        var c = Columns(Stats(output));
        Assert.Equal(["id", "s.a", "s.name", "s.b.c", "name", "l", "l[]", "m", "m[].key", "m[].value", "pts", "pts[].q", "u", "bl"], c.Keys);

        // The struct's "name" and the top-level "name" are two columns with their own values.
        Assert.Equal(100, c["s.name"].GetProperty("distinct").GetInt64());
        Assert.Equal(["outer0", "outer1"], c["name"].GetProperty("topValues").EnumerateArray().Select(v => v.GetProperty("value").GetString()).Order());

        // A list is its length (null lists missing) plus its elements: 0 to 3 elements of 0, 10, 20.
        Assert.Equal(20, c["l"].GetProperty("missing").GetInt64());
        Assert.Equal(3, c["l"].GetProperty("numeric").GetProperty("max").GetDouble());
        var elements = Enumerable.Range(0, 100).Where(i => i % 5 != 1).Sum(i => i % 4);
        Assert.Equal(elements, c["l[]"].GetProperty("count").GetInt64());
        Assert.Equal(20, c["l[]"].GetProperty("numeric").GetProperty("max").GetDouble()); // range(3) * 10
        Assert.Equal(200, c["pts[].q"].GetProperty("count").GetInt64());
        Assert.Equal("string", c["u"].GetProperty("type").GetString());
        Assert.Equal(100, c["u"].GetProperty("distinct").GetInt64()); // a fresh UUID per row
        Assert.Equal(3, c["bl"].GetProperty("numeric").GetProperty("max").GetDouble()); // a BLOB is its length
        Assert.Contains("column \"t\" is a time of day", e);
        Assert.Contains("column \"iv\" is an INTERVAL", e);
        Assert.Contains("column \"t\" is a time of day", File.ReadAllText(Path.Combine(output, "report.md")));

        // DuckDB's JSON Lines of the same rows flatten to the same names and the same figures.
        var fromJson = dir.Combine("jsonl");
        (code, o, e) = await Support.Cli.RunAsync("validate", "--data", jsonl, "--output", fromJson);
        Assert.True(code == 0, o + e);
        var j = Columns(Stats(fromJson));
        Assert.Equal(new[] { "id", "s.a", "s.name", "s.b.c", "name", "l", "l[]", "pts", "pts[].q" }.Order(), j.Keys.Order()); // in order of first appearance
        foreach (var name in j.Keys)
        {
            Assert.Equal(c[name].GetProperty("count").GetInt64(), j[name].GetProperty("count").GetInt64());
            Assert.Equal(c[name].GetProperty("missing").GetInt64(), j[name].GetProperty("missing").GetInt64());
        }

        // data.exclude drops a column and everything under it at read time.
        var config = dir.File("mlops.yaml", $"data:\n  path: {parquet}\n  exclude: [s, l, u]\n");
        (code, o, e) = await Support.Cli.RunAsync("validate", "--config", config, "--output", dir.Combine("excluded"));
        Assert.True(code == 0, o + e);
        Assert.Equal(["id", "name", "m", "m[].key", "m[].value", "pts", "pts[].q", "bl"], Columns(Stats(dir.Combine("excluded"))).Keys);
    }
}
