using System.Diagnostics;
using System.Globalization;
using MlOps.Data;
using MlOps.Validation;
using MlOps.Validation.Drift;

namespace MlOps.Benchmarks;

/// <summary>
/// The validate stage: statistics pass and drift on mixed and numeric CSV and their Parquet
/// copies, against DuckDB's SUMMARIZE of the same file in the same run (the peer, from npm, on
/// both cores); and the wide case (50,000 columns x 3 rows): time, peak memory, stats.json size.
/// </summary>
internal static class ValidateBench
{
    private static readonly string DuckDbScript = PeerProcess.RepoPath("tools", "test-services", "duckdb-sql.mjs");

    public static async Task RunAsync(int rows, string dir)
    {
        // CSV first: the peak working set only grows, so the CSV figures are CSV's own.
        foreach (var format in new[] { ".csv", ".parquet" })
        {
            foreach (var (name, numericOnly) in new[] { ("numeric", true), ("mixed", false) })
            {
                foreach (var n in new[] { rows / 4, rows })
                {
                    var csv = Path.Combine(dir, $"{name}-{n}.csv");
                    if (!File.Exists(csv)) Generate(csv, n, numericOnly, seed: 1);
                    var parquet = Path.ChangeExtension(csv, ".parquet");
                    if (!File.Exists(parquet)) await DuckDbAsync($"copy (select * from '{csv}') to '{parquet}' (format parquet)");
                    await OneAsync(name, n, format == ".csv" ? csv : parquet);
                }
            }
        }
    }

    /// <summary>The wide case in its own process, so its peak memory is its own.</summary>
    public static async Task WideAsync(string dir)
    {
        var path = Path.Combine(dir, "wide-50000x3.csv");
        if (!File.Exists(path))
        {
            var rng = new Random(7);
            using var w = new StreamWriter(path);
            w.WriteLine(string.Join(',', Enumerable.Range(0, 50_000).Select(i => $"c{i}")));
            for (var r = 0; r < 3; r++) w.WriteLine(string.Join(',', Enumerable.Range(0, 50_000).Select(i => i % 2 == 0 ? rng.Next(0, 100).ToString(CultureInfo.InvariantCulture) : rng.NextDouble().ToString("R", CultureInfo.InvariantCulture))));
        }

        var sw = Stopwatch.StartNew();
        var profile = await new Validator().ProfileAsync(new DatasetSource { Path = path }, null, null);
        var stats = Path.Combine(dir, "wide-stats.json");
        await MlOps.Validation.Statistics.StatsFile.WriteAsync(stats, profile);
        var statsSeconds = sw.Elapsed.TotalSeconds;
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;
        sw.Restart();
        var drift = DriftDetector.Compare(profile, await MlOps.Validation.Statistics.StatsFile.ReadAsync(stats), new DriftOptions());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wide     50,000 cols x 3 rows: stats + stats.json {statsSeconds:0.00} s, peak working set {peak / 1e6:0} MB; stats.json {new FileInfo(stats).Length / 1e6:0.0} MB; " +
            $"read back and drift vs it ({drift.Columns.Count:N0} cols) {sw.Elapsed.TotalSeconds:0.00} s, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
    }

    private static async Task OneAsync(string name, int n, string path)
    {
        // Cold is what one mlops process pays (its first read of the format includes the JIT);
        // warm is the same read again in the same process.
        var sw = Stopwatch.StartNew();
        await new Validator().ProfileAsync(new DatasetSource { Path = path }, null, null);
        var cold = sw.Elapsed.TotalSeconds;
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        sw.Restart();
        var profile = await new Validator().ProfileAsync(new DatasetSource { Path = path }, null, null);
        var seconds = sw.Elapsed.TotalSeconds;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var live = GC.GetTotalMemory(forceFullCollection: true);
        sw.Restart();
        var drift = DriftDetector.Compare(profile, profile, new DriftOptions());
        var driftMs = sw.Elapsed.TotalMilliseconds;
        var mb = new FileInfo(path).Length / 1e6;
        var peer = await DuckDbAsync("--summarize", path);
        var duck = peer.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).Min();
        var format = Path.GetExtension(path).TrimStart('.');
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-8} {format,-7} {n,9:N0} rows x 20 cols ({mb,6:0.0} MB): stats warm {seconds,5:0.00} s = {n / seconds,9:N0} rows/s ({mb / seconds,4:0} MB/s), cold {cold,5:0.00} s; " +
            $"DuckDB SUMMARIZE (2 threads, best of 3) {duck,5:0.00} s, peak RSS {peer.GetProperty("peakRssMb").GetInt32()} MB: ratio warm {seconds / duck:0.00}x, cold {cold / duck:0.00}x; " +
            $"allocated {allocated / 1e6,6:0.0} MB; live heap after {live / 1e6,5:0.0} MB; drift {drift.Columns.Count} cols in {driftMs,5:0} ms; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
    }

    // The peer runs in node (npm's @duckdb/node-api, installed by the Services target).
    private static async Task<System.Text.Json.JsonElement> DuckDbAsync(params string[] args)
    {
        var (code, stdout, stderr) = await PeerProcess.RunAsync("node", [DuckDbScript, .. args], Path.GetDirectoryName(DuckDbScript));
        if (code != 0) throw new InvalidOperationException($"DuckDB failed (run ./build.sh services first): {stderr}");
        return System.Text.Json.JsonDocument.Parse(stdout.Trim()).RootElement.Clone();
    }

    private static void Generate(string path, int n, bool numericOnly, int seed)
    {
        var rng = new Random(seed);
        string[] cities = ["Lisbon", "Oslo", "Lima", "Pune", "Austin", "Kyoto", "Accra", "Quito"];
        using var w = new StreamWriter(path);
        w.WriteLine(string.Join(',', Enumerable.Range(0, 20).Select(i => $"c{i}")));
        var sb = new System.Text.StringBuilder();
        for (var r = 0; r < n; r++)
        {
            sb.Clear();
            for (var c = 0; c < 20; c++)
            {
                if (c > 0) sb.Append(',');
                if (numericOnly || c < 12)
                {
                    sb.Append((rng.NextDouble() * 1000).ToString("0.###", CultureInfo.InvariantCulture));
                }
                else if (c < 16)
                {
                    sb.Append(rng.Next(0, 100).ToString(CultureInfo.InvariantCulture));
                }
                else if (c < 19)
                {
                    sb.Append(cities[rng.Next(cities.Length)]);
                }
                else
                {
                    sb.Append("user-").Append(rng.Next(0, 500_000).ToString(CultureInfo.InvariantCulture));
                }
            }

            w.WriteLine(sb);
        }
    }
}
