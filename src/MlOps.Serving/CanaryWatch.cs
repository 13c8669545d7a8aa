using System.Collections.Concurrent;
using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Scoring;
using MlOps.Validation.Statistics;

namespace MlOps.Serving;

/// <summary>
/// What each version answered since a watched canary started: requests, failures (every status of
/// 400 or more: requests are routed at random, so clients' own mistakes reach both versions alike),
/// a latency sample and the profile of its predictions. <c>mlops deploy --canary --analyze</c>
/// reads it from <c>GET /admin/models/NAME/canary</c> and compares the canary with production.
/// </summary>
public sealed class CanaryWatch
{
    private readonly ConcurrentDictionary<string, VersionWatch> _versions = new(StringComparer.Ordinal);

    /// <summary>When the watch started.</summary>
    public DateTimeOffset Since { get; } = DateTimeOffset.UtcNow;

    /// <summary>Counts one answer of <paramref name="version"/>.</summary>
    public void Answered(string version, int status, double seconds) => Of(version).Answered(status, seconds);

    /// <summary>Adds what <paramref name="version"/> predicted for one request.</summary>
    public void Predicted(string version, Predictions predictions) => Of(version).Predicted(predictions);

    /// <summary>Writes <c>{"since", "versions": {VERSION: {"requests", "failed", "rows", "latency": {"p50", "p95", "samples"}}}}</c> (seconds).</summary>
    public void WriteSummary(Utf8JsonWriter w)
    {
        w.WriteString("since", Since);
        w.WriteStartObject("versions");
        foreach (var (version, watch) in _versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(version);
            watch.Write(w);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    /// <summary>Writes the stats.json of <paramref name="version"/>'s predictions; false when it answered nothing.</summary>
    public bool WritePredictions(string version, Utf8JsonWriter w) => _versions.TryGetValue(version, out var watch) && watch.WritePredictions(w);

    private VersionWatch Of(string version) => _versions.GetOrAdd(version, v => new VersionWatch(v));

    private sealed class VersionWatch(string version)
    {
        private const int LatencySlots = 4096;
        private readonly Lock _lock = new();
        private readonly double[] _latency = new double[LatencySlots];
        private readonly PredictionProfiler _predictions = new($"v{version} canary traffic");
        private long _requests;
        private long _failed;
        private long _seen;

        public void Answered(int status, double seconds)
        {
            Interlocked.Increment(ref _requests);
            if (status >= 400) Interlocked.Increment(ref _failed);
            lock (_lock)
            {
                // A uniform sample of every latency so far (reservoir sampling, algorithm R).
                var n = _seen++;
                if (n < LatencySlots) _latency[n] = seconds;
                else if (Random.Shared.NextInt64(n + 1) is var j && j < LatencySlots) _latency[j] = seconds;
            }
        }

        public void Predicted(Predictions predictions)
        {
            lock (_lock) _predictions.Add(predictions);
        }

        public void Write(Utf8JsonWriter w)
        {
            double[] sample;
            long rows;
            lock (_lock)
            {
                sample = _latency.AsSpan(0, (int)Math.Min(_seen, LatencySlots)).ToArray();
                rows = _predictions.Rows;
            }

            Array.Sort(sample);
            w.WriteNumber("requests", Interlocked.Read(ref _requests));
            w.WriteNumber("failed", Interlocked.Read(ref _failed));
            w.WriteNumber("rows", rows);
            w.WriteStartObject("latency");
            if (sample.Length > 0)
            {
                w.WriteNumber("p50", Quantile(sample, 0.50));
                w.WriteNumber("p95", Quantile(sample, 0.95));
            }

            w.WriteNumber("samples", sample.Length);
            w.WriteEndObject();
        }

        public bool WritePredictions(Utf8JsonWriter w)
        {
            lock (_lock)
            {
                if (_predictions.Rows == 0) return false;
                StatsFile.Write(w, _predictions.Build());
                return true;
            }
        }

        // The sample quantile by linear interpolation between order statistics (numpy's default).
        private static double Quantile(double[] sorted, double q)
        {
            var at = q * (sorted.Length - 1);
            var lo = (int)Math.Floor(at);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            return sorted[lo] + ((at - lo) * (sorted[hi] - sorted[lo]));
        }
    }
}
