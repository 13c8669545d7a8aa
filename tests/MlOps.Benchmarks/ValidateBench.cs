using System.Diagnostics;
using System.Globalization;
using MlOps.Data;
using MlOps.Validation;
using MlOps.Validation.Drift;

namespace MlOps.Benchmarks;

/// <summary>The validate stage: statistics pass and drift on mixed and numeric CSV.</summary>
internal static class ValidateBench
{
    public static async Task RunAsync(int rows, string dir)
    {
        foreach (var (name, numericOnly) in new[] { ("numeric", true), ("mixed", false) })
        {
            foreach (var n in new[] { rows / 4, rows })
            {
                var path = Path.Combine(dir, $"{name}-{n}.csv");
                if (!File.Exists(path)) Generate(path, n, numericOnly, seed: 1);
                GC.Collect();
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var sw = Stopwatch.StartNew();
                var profile = await new Validator().ProfileAsync(new DatasetSource { Path = path }, null, null);
                var seconds = sw.Elapsed.TotalSeconds;
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                var live = GC.GetTotalMemory(forceFullCollection: true);
                sw.Restart();
                var drift = DriftDetector.Compare(profile, profile, new DriftOptions());
                var driftMs = sw.Elapsed.TotalMilliseconds;
                var mb = new FileInfo(path).Length / 1e6;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-8} {n,9:N0} rows x 20 cols ({mb,6:0.0} MB): stats {seconds,6:0.00} s = {n / seconds,11:N0} rows/s ({mb / seconds,5:0} MB/s); " +
                    $"allocated {allocated / 1e6,6:0.0} MB; live heap after {live / 1e6,5:0.0} MB; drift {drift.Columns.Count} cols in {driftMs,5:0} ms; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
            }
        }
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
