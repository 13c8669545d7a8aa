using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace MlOps.Serving;

/// <summary>Prometheus metrics: requests, errors and a latency histogram per model, version and protocol.</summary>
public sealed class ServingMetrics
{
    /// <summary>Histogram bucket upper bounds in seconds.</summary>
    public static readonly double[] Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly ConcurrentDictionary<(string Model, string Version, string Protocol, int Status), long> _requests = new();
    private readonly ConcurrentDictionary<(string Model, string Version), Histogram> _latency = new();
    private readonly ConcurrentDictionary<(string Model, string Version), long> _rows = new();

    /// <summary>Counts one request and its latency.</summary>
    public void Record(string model, string version, string protocol, int status, double seconds, int rows)
    {
        _requests.AddOrUpdate((model, version, protocol, status), 1, (_, n) => n + 1);
        if (status < 400)
        {
            _latency.GetOrAdd((model, version), _ => new Histogram()).Observe(seconds);
            _rows.AddOrUpdate((model, version), rows, (_, n) => n + rows);
        }
    }

    /// <summary>The requests counted for a model version with a status class ("2xx", "4xx", "5xx").</summary>
    public long Count(string model, string version, string statusClass) =>
        _requests.Where(kv => kv.Key.Model == model && kv.Key.Version == version && $"{kv.Key.Status / 100}xx" == statusClass).Sum(kv => kv.Value);

    /// <summary>The Prometheus text exposition format (version 0.0.4).</summary>
    public string Render(IEnumerable<ModelSlot> slots)
    {
        var s = new StringBuilder();
        s.AppendLine("# HELP mlops_requests_total Inference requests by model, version, protocol and HTTP status.");
        s.AppendLine("# TYPE mlops_requests_total counter");
        foreach (var (k, v) in _requests.OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal))
        {
            s.Append(CultureInfo.InvariantCulture, $"mlops_requests_total{{model=\"{L(k.Model)}\",version=\"{L(k.Version)}\",protocol=\"{k.Protocol}\",code=\"{k.Status}\"}} {v}\n");
        }

        s.AppendLine("# HELP mlops_request_errors_total Inference requests answered with an error status.");
        s.AppendLine("# TYPE mlops_request_errors_total counter");
        foreach (var g in _requests.Where(kv => kv.Key.Status >= 400).GroupBy(kv => (kv.Key.Model, kv.Key.Version)))
        {
            s.Append(CultureInfo.InvariantCulture, $"mlops_request_errors_total{{model=\"{L(g.Key.Model)}\",version=\"{L(g.Key.Version)}\"}} {g.Sum(kv => kv.Value)}\n");
        }

        s.AppendLine("# HELP mlops_rows_total Rows scored.");
        s.AppendLine("# TYPE mlops_rows_total counter");
        foreach (var (k, v) in _rows) s.Append(CultureInfo.InvariantCulture, $"mlops_rows_total{{model=\"{L(k.Model)}\",version=\"{L(k.Version)}\"}} {v}\n");

        s.AppendLine("# HELP mlops_request_duration_seconds Time to answer an inference request, parsing and scoring included.");
        s.AppendLine("# TYPE mlops_request_duration_seconds histogram");
        foreach (var (k, h) in _latency)
        {
            var labels = $"model=\"{L(k.Model)}\",version=\"{L(k.Version)}\"";
            var (counts, sum, count) = h.Snapshot();
            long cumulative = 0;
            for (var i = 0; i < Buckets.Length; i++)
            {
                cumulative += counts[i];
                s.Append(CultureInfo.InvariantCulture, $"mlops_request_duration_seconds_bucket{{{labels},le=\"{Buckets[i]}\"}} {cumulative}\n");
            }

            s.Append(CultureInfo.InvariantCulture, $"mlops_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n");
            s.Append(CultureInfo.InvariantCulture, $"mlops_request_duration_seconds_sum{{{labels}}} {sum}\n");
            s.Append(CultureInfo.InvariantCulture, $"mlops_request_duration_seconds_count{{{labels}}} {count}\n");
        }

        s.AppendLine("# HELP mlops_model_alias_in_sync 1 when a model serves the version its alias points at; 0 while that version fails to load (the previous one keeps serving).");
        s.AppendLine("# TYPE mlops_model_alias_in_sync gauge");
        foreach (var slot in slots)
        {
            if (slot.Alias is null || slot.Status is not { } status) continue;
            s.Append(CultureInfo.InvariantCulture, $"mlops_model_alias_in_sync{{model=\"{L(slot.Name)}\",alias=\"{L(slot.Alias)}\",alias_version=\"{status.AliasVersion}\",served_version=\"{L(slot.Current?.Version ?? string.Empty)}\"}} {(slot.InSync ? 1 : 0)}\n");
        }

        s.AppendLine("# HELP mlops_model_load_failures The alias's version failed to load this many times in a row (0 once it loads).");
        s.AppendLine("# TYPE mlops_model_load_failures gauge");
        foreach (var slot in slots)
        {
            if (slot.Alias is null || slot.Status is not { } status) continue;
            s.Append(CultureInfo.InvariantCulture, $"mlops_model_load_failures{{model=\"{L(slot.Name)}\",alias=\"{L(slot.Alias)}\"}} {status.Failures}\n");
        }

        s.AppendLine("# HELP mlops_model_info The versions loaded: 1 per model, version and role (current or canary).");
        s.AppendLine("# TYPE mlops_model_info gauge");
        foreach (var slot in slots)
        {
            if (slot.Current is { } c) s.Append(CultureInfo.InvariantCulture, $"mlops_model_info{{model=\"{L(slot.Name)}\",version=\"{L(c.Version)}\",role=\"current\"}} 1\n");
            if (slot.CanaryVersion is { } k) s.Append(CultureInfo.InvariantCulture, $"mlops_model_info{{model=\"{L(slot.Name)}\",version=\"{L(k.Handle.Version)}\",role=\"canary\",percent=\"{k.Percent}\"}} 1\n");
        }

        return s.ToString();
    }

    private static string L(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Histogram
    {
        private readonly long[] _counts = new long[Buckets.Length];
        private long _count;
        private double _sum;
        private readonly Lock _sumLock = new();

        public void Observe(double seconds)
        {
            var i = Array.FindIndex(Buckets, b => seconds <= b);
            if (i >= 0) Interlocked.Increment(ref _counts[i]);
            Interlocked.Increment(ref _count);
            lock (_sumLock) _sum += seconds;
        }

        public (long[] Counts, double Sum, long Count) Snapshot()
        {
            lock (_sumLock) return (_counts.Select(c => Interlocked.Read(ref c)).ToArray(), _sum, Interlocked.Read(ref _count));
        }
    }
}
