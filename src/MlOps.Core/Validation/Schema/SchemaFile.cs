using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>Reads and writes schema.json, refusing unknown keys with the closest valid one.</summary>
public static class SchemaFile
{
    private static readonly string[] RootKeys = ["schemaVersion", "kind", "columns", "minRows", "maxRows", "allowNewColumns"];
    private static readonly string[] ColumnKeys = ["name", "type", "required", "maxMissingRate", "domain", "min", "max", "maxAge", "identifier"];

    /// <summary>Writes a schema atomically.</summary>
    public static Task WriteAsync(string path, DatasetSchema schema, CancellationToken cancellationToken = default) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            await using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", DatasetSchema.CurrentVersion);
            w.WriteString("kind", "mlops.schema");
            if (schema.MinRows is { } min) w.WriteNumber("minRows", min);
            if (schema.MaxRows is { } max) w.WriteNumber("maxRows", max);
            w.WriteBoolean("allowNewColumns", schema.AllowNewColumns);
            w.WriteStartArray("columns");
            foreach (var c in schema.Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("type", c.Type.Name());
                w.WriteBoolean("required", c.Required);
                if (c.Identifier) w.WriteBoolean("identifier", true);
                if (c.MaxMissingRate is { } mmr) w.WriteNumber("maxMissingRate", mmr);
                if (c.Type.IsTime())
                {
                    if (c.Min is { } lo) w.WriteString("min", FormatTime(lo, c.Type));
                    if (c.Max is { } hi) w.WriteString("max", FormatTime(hi, c.Type));
                    if (c.MaxAge is { } age) w.WriteString("maxAge", FormatAge(age));
                }
                else
                {
                    if (c.Min is { } lo) w.WriteNumber("min", lo);
                    if (c.Max is { } hi) w.WriteNumber("max", hi);
                }
                if (c.Domain is { } domain)
                {
                    w.WriteStartArray("domain");
                    foreach (var d in domain) w.WriteStringValue(d);
                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            await w.FlushAsync(cancellationToken);
        }, cancellationToken);

    /// <summary>Reads and checks a schema.json.</summary>
    /// <exception cref="ConfigException">The file is missing or invalid.</exception>
    public static async Task<DatasetSchema> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw Errors.Config(path, "schema file not found; create one with 'mlops schema infer'.");
        await using var stream = File.OpenRead(path);
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw Errors.Config($"{path}:{e.LineNumber + 1}", "not valid JSON.");
        }

        using (doc)
        {
            return Parse(doc.RootElement, path);
        }
    }

    private static DatasetSchema Parse(JsonElement root, string path)
    {
        CheckKeys(root, RootKeys, path);
        if (!root.TryGetProperty("columns", out var cols) || cols.ValueKind != JsonValueKind.Array)
        {
            throw Errors.Config(path, "expected a \"columns\" array.");
        }

        var columns = new List<ColumnSchema>();
        var i = 0;
        foreach (var c in cols.EnumerateArray())
        {
            var where = $"{path}: columns[{i++}]";
            CheckKeys(c, ColumnKeys, where);
            var name = c.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Errors.Config(where, "\"name\" is required.");
            var typeText = c.TryGetProperty("type", out var t) ? t.GetString() : null;
            var type = ColumnTypes.Parse(typeText) ?? throw Errors.Config($"{where} (\"{name}\")", $"type '{typeText}' is not one of integer, number, boolean, string, date, timestamp.");
            var mmr = Number(c, "maxMissingRate", where);
            if (mmr is < 0 or > 1) throw Errors.Config($"{where} (\"{name}\")", "maxMissingRate must be between 0 and 1.");
            var min = type.IsTime() ? Time(c, "min", $"{where} (\"{name}\")") : Number(c, "min", where);
            var max = type.IsTime() ? Time(c, "max", $"{where} (\"{name}\")") : Number(c, "max", where);
            TimeSpan? maxAge = null;
            if (c.TryGetProperty("maxAge", out var age) && age.ValueKind != JsonValueKind.Null)
            {
                if (!type.IsTime()) throw Errors.Config($"{where} (\"{name}\")", "\"maxAge\" applies to date and timestamp columns only.");
                maxAge = age.ValueKind == JsonValueKind.String
                    ? Durations.ParseWindow(age.GetString()!, $"{where} (\"{name}\") maxAge")
                    : throw Errors.Config($"{where} (\"{name}\")", "\"maxAge\" must be a window such as \"2d\" or \"12h\".");
            }
            if (min > max) throw Errors.Config($"{where} (\"{name}\")", $"min {min} is greater than max {max}.");
            if (columns.Any(x => x.Name == name)) throw Errors.Config($"{where} (\"{name}\")", "the column is declared twice; each name once.");
            if (c.TryGetProperty("domain", out var d) && d.ValueKind != JsonValueKind.Array) throw Errors.Config($"{where} (\"{name}\")", "\"domain\" must be an array of values.");
            columns.Add(new ColumnSchema
            {
                Name = name,
                Type = type,
                Required = Boolean(c, "required", where) ?? true,
                MaxMissingRate = mmr,
                Min = min,
                Max = max,
                MaxAge = maxAge,
                Identifier = Boolean(c, "identifier", where) ?? false,
                Domain = c.TryGetProperty("domain", out var domain) ? domain.EnumerateArray().Select(e => e.ToString()).ToList() : null,
            });
        }

        var minRows = Count(root, "minRows", path);
        var maxRows = Count(root, "maxRows", path);
        if (minRows > maxRows) throw Errors.Config(path, $"minRows {minRows} is greater than maxRows {maxRows}.");
        return new DatasetSchema
        {
            Columns = columns,
            MinRows = minRows,
            MaxRows = maxRows,
            AllowNewColumns = Boolean(root, "allowNewColumns", path) ?? false,
        };
    }

    private static double? Time(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String && Data.TimeValue.TryParse(v.GetString()!, out var seconds, out _)
            ? seconds
            : throw Errors.Config(where, $"\"{key}\" must be an ISO-8601 date or timestamp such as \"2024-05-01\" or \"2024-05-01T12:00:00Z\"; found {v.GetRawText()}.");
    }

    private static string FormatTime(double seconds, ColumnType type) =>
        Data.TimeValue.Format(seconds, type == ColumnType.Date ? Data.TimeKind.Date : Data.TimeKind.Naive);

    private static string FormatAge(TimeSpan age) =>
        age.TotalDays == Math.Floor(age.TotalDays) ? $"{age.TotalDays:0}d"
        : age.TotalHours == Math.Floor(age.TotalHours) ? $"{age.TotalHours:0}h"
        : $"{age.TotalMinutes:0.###}m";

    private static long? Count(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
            ? n
            : throw Errors.Config(where, $"\"{key}\" must be a whole number of rows from 0 to {long.MaxValue}; found {v.GetRawText()}.");
    }

    private static bool? Boolean(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Errors.Config(where, $"\"{key}\" must be true or false."),
        };
    }

    private static double? Number(JsonElement e, string key, string where)
    {
        if (!e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Errors.Config(where, $"\"{key}\" must be a number.");
    }

    private static void CheckKeys(JsonElement e, string[] valid, string where)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Errors.Config(where, "expected a JSON object.");
        foreach (var p in e.EnumerateObject())
        {
            if (!valid.Contains(p.Name)) throw Errors.UnknownKey(where, p.Name, valid);
        }
    }
}
