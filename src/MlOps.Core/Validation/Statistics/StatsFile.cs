using System.Globalization;
using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Validation.Sketches;

namespace MlOps.Validation.Statistics;

/// <summary>
/// Reads and writes stats.json: a readable summary per column (type, counts, min/max/mean/std,
/// quantiles, histogram, distinct, top values) and the sketches behind it, so any stats.json can
/// be merged with another or used as a drift baseline.
/// </summary>
public static class StatsFile
{
    private static readonly (string Name, double Q)[] ReportedQuantiles =
        [("p01", 0.01), ("p05", 0.05), ("p10", 0.1), ("p25", 0.25), ("p50", 0.5), ("p75", 0.75), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)];

    /// <summary>Writes the profile as stats.json.</summary>
    public static Task WriteAsync(string path, DatasetProfile profile, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            // A wide table is written without indentation: a third of the bytes, same content.
            await using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = profile.Columns.Count <= 1000 });
            Write(w, profile);
            await w.FlushAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Writes the profile to a JSON writer.</summary>
    public static void Write(Utf8JsonWriter w, DatasetProfile profile)
    {
        w.WriteStartObject();
        w.WriteNumber("schemaVersion", ArtifactKinds.SchemaVersion);
        w.WriteString("kind", "mlops.stats");
        w.WriteString("tool", ToolInfo.NameAndVersion);
        w.WriteString("source", profile.Source);
        if (profile.Shard is not null) w.WriteString("shard", profile.Shard);
        w.WriteNumber("rows", profile.Rows);
        w.WriteStartArray("files");
        foreach (var f in profile.Files) w.WriteStringValue(f);
        w.WriteEndArray();
        w.WriteStartArray("columns");
        foreach (var c in profile.Columns)
        {
            WriteColumn(w, c);

            // The writer buffers until flushed: hand each 64 KiB to the stream so memory stays flat.
            if (w.BytesPending > 1 << 16) w.Flush();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteColumn(Utf8JsonWriter w, ColumnProfile c)
    {
        var type = c.InferredType;
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteString("type", type.Name());
        w.WriteNumber("count", c.Count);
        w.WriteNumber("missing", c.Missing);
        w.WriteNumber("missingRate", c.Count == 0 ? 0 : (double)c.Missing / c.Count);
        var (distinct, exact) = c.DistinctCount;
        w.WriteNumber("distinct", distinct);
        w.WriteBoolean("distinctExact", exact);
        if (c.Numbers > 0)
        {
            var sample = c.NumericSample();
            w.WriteStartObject("numeric");
            w.WriteNumber("count", c.Numbers);
            w.WriteNumber("min", c.Moments.Min);
            w.WriteNumber("max", c.Moments.Max);
            w.WriteNumber("mean", c.Moments.Mean);
            w.WriteNumber("std", c.Moments.SampleStdDev);
            w.WriteNumber("zeros", c.Zeros);
            w.WriteBoolean("quantilesExact", c.NumericExact);
            w.WriteNumber("rankError", c.RankError);
            w.WriteStartObject("quantiles");
            foreach (var (name, q) in ReportedQuantiles) w.WriteNumber(name, sample.Quantile(q));
            w.WriteEndObject();
            w.WriteStartArray("histogram");
            // Ten bins, or one per distinct value when there are fewer.
            var (distinctValues, _) = c.DistinctCount;
            foreach (var (from, to, count) in Histogram(sample, c.Moments.Min, c.Moments.Max, (int)Math.Clamp(distinctValues, 1, 10)))
            {
                w.WriteStartObject();
                w.WriteNumber("from", from);
                w.WriteNumber("to", to);
                w.WriteNumber("count", count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        if (c.Times > 0 && c.Numbers == 0)
        {
            var sample = c.NumericSample();
            var kind = c.TimeKind ?? Data.TimeKind.Zoned;
            w.WriteStartObject("time");
            w.WriteNumber("count", c.Times);
            w.WriteString("zone", c.TimeKind switch { Data.TimeKind.Date => "date", Data.TimeKind.Naive => "naive", Data.TimeKind.Zoned => "utc", _ => "mixed" });
            w.WriteString("min", Data.TimeValue.Format(c.Moments.Min, kind));
            w.WriteString("max", Data.TimeValue.Format(c.Moments.Max, kind));
            w.WriteString("median", Data.TimeValue.Format(sample.Quantile(0.5), kind == Data.TimeKind.Date ? Data.TimeKind.Naive : kind));
            w.WriteNumber("rangeSeconds", c.Moments.Max - c.Moments.Min);
            w.WriteBoolean("quantilesExact", c.NumericExact);
            w.WriteEndObject();
        }

        var (top, topExact) = c.CategoryCounts();
        if (type is ColumnType.String or ColumnType.Boolean || (c.NumberCounts is { Count: <= FrequentItems.DefaultCapacity } numbers && type.IsNumeric() && numbers.Count * 2 <= c.Numbers))
        {
            w.WriteBoolean("topValuesExact", topExact);
            w.WriteStartArray("topValues");
            foreach (var (value, count) in top.Take(20))
            {
                w.WriteStartObject();
                w.WriteString("value", value);
                w.WriteNumber("count", count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        WriteSketch(w, c);
        w.WriteEndObject();
    }

    /// <summary>Ten equal-width bins over [min, max] with counts from the quantile sketch.</summary>
    public static IEnumerable<(double From, double To, long Count)> Histogram(WeightedSample sample, double min, double max, int bins = 10)
    {
        if (sample.TotalWeight == 0) yield break;
        if (max <= min)
        {
            yield return (min, max, sample.TotalWeight);
            yield break;
        }

        var width = (max - min) / bins;
        long previous = 0;
        for (var i = 0; i < bins; i++)
        {
            var to = i == bins - 1 ? max : min + (width * (i + 1));
            var cumulative = (long)Math.Round(sample.Cdf(to) * sample.TotalWeight);
            yield return (min + (width * i), to, cumulative - previous);
            previous = cumulative;
        }
    }

    private static void WriteSketch(Utf8JsonWriter w, ColumnProfile c)
    {
        w.WriteStartObject("sketch");
        // Counts that are zero are left out (a reader takes an absent count as 0).
        w.WriteStartObject("counts");
        foreach (var (name, value) in new[] { ("numbers", c.Numbers), ("integers", c.Integers), ("booleans", c.Booleans), ("trues", c.Trues), ("texts", c.Texts), ("nonFinite", c.NonFinite), ("times", c.Times), ("dates", c.Dates), ("zonedTimes", c.ZonedTimes) })
        {
            if (value != 0) w.WriteNumber(name, value);
        }

        w.WriteEndObject();
        w.WriteStartObject("moments");
        w.WriteNumber("count", c.Moments.Count);
        w.WriteNumber("mean", c.Moments.Count > 0 ? c.Moments.Mean : 0);
        w.WriteNumber("m2", c.Moments.M2);
        if (c.Moments.Count > 0)
        {
            w.WriteNumber("min", c.Moments.Min);
            w.WriteNumber("max", c.Moments.Max);
        }

        w.WriteEndObject();
        w.WriteStartObject("kll");
        w.WriteNumber("k", c.Quantiles.K);
        w.WriteNumber("count", c.Quantiles.Count);
        w.WriteString("rng", c.Quantiles.RngState.ToString("x16", CultureInfo.InvariantCulture));
        w.WriteStartArray("levels");
        foreach (var level in c.Quantiles.Levels)
        {
            w.WriteStartArray();
            foreach (var v in level) w.WriteNumberValue(v);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        if (c.Distinct.IsSparse)
        {
            // Few distinct values: the hashes themselves (8 bytes each), not 4 KiB of registers.
            var hashes = c.Distinct.Hashes();
            var packed = new byte[hashes.Length * 8];
            for (var i = 0; i < hashes.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(packed.AsSpan(i * 8), hashes[i]);
            w.WriteBase64String("hllHashes", packed);
        }
        else
        {
            w.WriteBase64String("hll", c.Distinct.Registers);
        }
        if (c.TextCounts.Tracked > 0 || c.TextCounts.MaxError > 0 || c.TextCounts.Capacity != FrequentItems.DefaultCapacity) WriteFrequent(w, c);
        if (c.NumberCounts is { } numbers)
        {
            // Up to validate.exact-values entries: packed (see ValueCounts) to keep stats.json small.
            if (c.ExactValues != ColumnProfile.DefaultExactValues) w.WriteNumber("exactValues", c.ExactValues);
            w.WriteBase64String("valueCounts", ValueCounts.Pack(numbers));
        }

        w.WriteEndObject();
    }

    private static void WriteFrequent(Utf8JsonWriter w, ColumnProfile c)
    {
        w.WriteStartObject("frequent");
        w.WriteNumber("capacity", c.TextCounts.Capacity);
        w.WriteNumber("maxError", c.TextCounts.MaxError);
        w.WriteStartArray("items");
        foreach (var (value, count) in c.TextCounts.Entries())
        {
            w.WriteStartArray();
            w.WriteStringValue(value);
            w.WriteNumberValue(count);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads a stats.json back into a mergeable profile.</summary>
    /// <exception cref="DataException">The file is missing, not JSON, or not a stats.json.</exception>
    public static async Task<DatasetProfile> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenOrThrow(path);
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw Errors.Data(path, $"not valid JSON (line {e.LineNumber + 1}): expected a stats.json written by mlops.");
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement, path);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or InvalidDataException)
            {
                throw Errors.Data(path, $"not a stats.json written by mlops ({e.Message.TrimEnd('.')}).");
            }
        }
    }

    private static FileStream OpenOrThrow(string path)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "file not found.");
        return File.OpenRead(path);
    }

    private static DatasetProfile Read(JsonElement root, string path)
    {
        if (root.GetProperty("kind").GetString() != "mlops.stats")
        {
            throw new InvalidDataException("its kind is not mlops.stats");
        }

        var version = root.GetProperty("schemaVersion").GetInt32();
        if (version > ArtifactKinds.SchemaVersion)
        {
            throw Errors.Data(path, $"schemaVersion {version} is newer than this mlops understands ({ArtifactKinds.SchemaVersion}); upgrade mlops.");
        }

        var columns = new List<ColumnProfile>();
        foreach (var c in root.GetProperty("columns").EnumerateArray())
        {
            columns.Add(ReadColumn(c));
        }

        return new DatasetProfile
        {
            Source = path,
            Files = root.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList(),
            Rows = root.GetProperty("rows").GetInt64(),
            Columns = columns,
            Shard = root.TryGetProperty("shard", out var s) ? s.GetString() : null,
        };
    }

    private static ColumnProfile ReadColumn(JsonElement c)
    {
        var s = c.GetProperty("sketch");
        var counts = s.GetProperty("counts");
        var m = s.GetProperty("moments");
        var kll = s.GetProperty("kll");
        var exactValues = s.TryGetProperty("exactValues", out var ev) ? ev.GetInt32() : ColumnProfile.DefaultExactValues;
        var profile = new ColumnProfile(c.GetProperty("name").GetString()!, exactValues)
        {
            Missing = c.GetProperty("missing").GetInt64(),
            Numbers = Count(counts, "numbers"),
            Integers = Count(counts, "integers"),
            Booleans = Count(counts, "booleans"),
            Trues = Count(counts, "trues"),
            Texts = Count(counts, "texts"),
            NonFinite = Count(counts, "nonFinite"),
            Times = Count(counts, "times"),
            Dates = Count(counts, "dates"),
            ZonedTimes = Count(counts, "zonedTimes"),
            Zeros = c.TryGetProperty("numeric", out var num) ? num.GetProperty("zeros").GetInt64() : 0,
            Quantiles = KllSketch.Restore(
                kll.GetProperty("k").GetInt32(),
                kll.GetProperty("count").GetInt64(),
                ulong.Parse(kll.GetProperty("rng").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                kll.GetProperty("levels").EnumerateArray().Select(l => l.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList()),
            Distinct = s.TryGetProperty("hllHashes", out var hashes) ? HyperLogLog.RestoreHashes(hashes.GetBytesFromBase64()) : HyperLogLog.Restore(s.GetProperty("hll").GetBytesFromBase64()),
            TextCounts = s.TryGetProperty("frequent", out var freq)
                ? FrequentItems.Restore(
                    freq.GetProperty("capacity").GetInt32(),
                    freq.GetProperty("maxError").GetInt64(),
                    freq.GetProperty("items").EnumerateArray().Select(i => new KeyValuePair<string, long>(i[0].GetString()!, i[1].GetInt64())))
                : new FrequentItems(),
        };
        var moments = Moments.Empty;
        moments.Count = m.GetProperty("count").GetInt64();
        moments.Mean = m.GetProperty("mean").GetDouble();
        moments.M2 = m.GetProperty("m2").GetDouble();
        if (moments.Count > 0)
        {
            moments.Min = m.GetProperty("min").GetDouble();
            moments.Max = m.GetProperty("max").GetDouble();
        }

        profile.Moments = moments;
        // valueCounts (packed); numberCounts ([value, count] pairs) in stats.json files of earlier releases.
        profile.RestoreNumberCounts(
            s.TryGetProperty("valueCounts", out var vc) ? ValueCounts.Unpack(vc.GetBytesFromBase64(), exactValues)
            : s.TryGetProperty("numberCounts", out var nc) ? nc.EnumerateArray().ToDictionary(e => e[0].GetDouble(), e => e[1].GetInt64(), ValueCounts.Comparer)
            : null);
        return profile;
    }

    private static long Count(JsonElement counts, string name) => counts.TryGetProperty(name, out var v) ? v.GetInt64() : 0;

    /// <summary>Merges partial profiles (shards) into one; columns are matched by name.</summary>
    public static DatasetProfile Merge(IReadOnlyList<DatasetProfile> parts)
    {
        var columns = new List<ColumnProfile>();
        var index = new Dictionary<string, ColumnProfile>(StringComparer.Ordinal);
        long rows = 0;
        foreach (var part in parts)
        {
            foreach (var col in part.Columns)
            {
                if (!index.TryGetValue(col.Name, out var target))
                {
                    target = new ColumnProfile(col.Name, col.ExactValues) { Missing = rows };
                    index[col.Name] = target;
                    columns.Add(target);
                }

                target.Merge(col);
            }

            // Columns this part lacked were missing in all its rows.
            foreach (var target in columns.Where(t => part.Find(t.Name) is null))
            {
                target.Missing += part.Rows;
            }

            rows += part.Rows;
        }

        return new DatasetProfile
        {
            Source = string.Join(" + ", parts.Select(p => p.Source)),
            Files = parts.SelectMany(p => p.Files).ToList(),
            Rows = rows,
            Columns = columns,
        };
    }
}
