using System.Globalization;
using System.Text.Json;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Serving;

/// <summary>
/// Turns request bodies of the three protocols into a <see cref="Table"/> of exactly the model's
/// inputs, checking names, types, shapes and sizes; every mistake is a <see cref="BadRequestException"/>
/// that names the field and what was expected.
/// </summary>
public static class RequestRows
{
    /// <summary>Open Inference Protocol (V2): one tensor per input, shape [N] or [N, 1].</summary>
    public static Table FromV2(JsonElement body, IReadOnlyList<ModelInput> inputs, int maxRows)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var tensors) || tensors.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("the body must be a JSON object with an \"inputs\" array of tensors ({\"name\", \"shape\", \"datatype\", \"data\"}).");
        }

        var byName = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var t in tensors.EnumerateArray())
        {
            var name = t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new BadRequestException("every input tensor needs a \"name\".");
            if (!inputs.Any(i => i.Name == name)) throw new BadRequestException($"input '{name}' is not an input of this model; it takes: {Names(inputs)}.");
            if (!byName.TryAdd(name, t)) throw new BadRequestException($"input '{name}' is given twice.");
        }

        int? rows = null;
        var columns = new List<TableColumn>();
        foreach (var input in inputs)
        {
            if (!byName.TryGetValue(input.Name, out var t)) throw new BadRequestException($"input '{input.Name}' is missing; this model takes: {Names(inputs)}.");
            var shape = t.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array ? s.EnumerateArray().Select(d => d.TryGetInt64(out var v) ? v : -1).ToArray() : throw new BadRequestException($"input '{input.Name}': \"shape\" is required, such as [N] or [N, 1].");
            if (shape is not ([> 0] or [> 0, 1])) throw new BadRequestException($"input '{input.Name}': shape [{string.Join(", ", shape)}] is not supported; expected [N] or [N, 1] (one value per row).");
            var datatype = t.TryGetProperty("datatype", out var dt) ? dt.GetString() : null;
            var expected = input.Kind == ColumnKind.Numeric ? "FP32" : "BYTES";
            if (input.Kind == ColumnKind.Numeric ? !IsNumericType(datatype) : datatype != "BYTES")
            {
                throw new BadRequestException($"input '{input.Name}': datatype {datatype ?? "(none)"} does not fit; expected {expected}{(input.Kind == ColumnKind.Numeric ? " (or another numeric type)" : " (strings)")}.");
            }

            var values = t.TryGetProperty("data", out var d) ? Flatten(d) : throw new BadRequestException($"input '{input.Name}': \"data\" is required.");
            if (values.Count != shape[0]) throw new BadRequestException($"input '{input.Name}': shape says {shape[0]} values, data has {values.Count}.");
            rows ??= values.Count;
            if (values.Count != rows) throw new BadRequestException($"input '{input.Name}' has {values.Count} rows; the other inputs have {rows}.");
            CheckRows(values.Count, maxRows);
            columns.Add(Column(input, values, i => $"input '{input.Name}' element {i}"));
        }

        return Table.Of(columns);
    }

    /// <summary>Rows as JSON objects named like the schema: V1 <c>instances</c>, MLflow <c>dataframe_records</c>.</summary>
    /// <param name="records">The rows.</param>
    /// <param name="inputs">The model's inputs.</param>
    /// <param name="maxRows">The most rows accepted.</param>
    /// <param name="field">The request field, for messages.</param>
    /// <param name="lenient">MLflow's schema enforcement: a missing key is a missing value and an extra key is ignored; otherwise both are 400.</param>
    public static Table FromRecords(JsonElement records, IReadOnlyList<ModelInput> inputs, int maxRows, string field, bool lenient = false)
    {
        if (records.ValueKind != JsonValueKind.Array) throw new BadRequestException($"\"{field}\" must be an array of row objects.");
        var rows = records.EnumerateArray().ToList();
        CheckRows(rows.Count, maxRows);
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].ValueKind != JsonValueKind.Object) throw new BadRequestException($"{field}[{r}] must be an object of column: value.");
            if (lenient) continue;
            foreach (var p in rows[r].EnumerateObject())
            {
                if (!inputs.Any(i => i.Name == p.Name)) throw new BadRequestException($"{field}[{r}]: '{p.Name}' is not an input of this model; it takes: {Names(inputs)}.");
            }
        }

        return Table.Of(inputs.Select(input => Column(input, rows.Select((row, r) => row.TryGetProperty(input.Name, out var v) ? v : lenient ? Missing : throw new BadRequestException($"{field}[{r}]: '{input.Name}' is missing; this model takes: {Names(inputs)}.")).ToList(), r => $"{field}[{r}].{input.Name}")).ToList());
    }

    private static readonly JsonElement Missing = JsonDocument.Parse("null").RootElement.Clone();

    /// <summary>Columns and rows: MLflow <c>dataframe_split</c> ({"columns": [...], "data": [[...], ...]}).</summary>
    public static Table FromSplit(JsonElement split, IReadOnlyList<ModelInput> inputs, int maxRows)
    {
        if (split.ValueKind != JsonValueKind.Object || !split.TryGetProperty("columns", out var c) || c.ValueKind != JsonValueKind.Array || !split.TryGetProperty("data", out var d) || d.ValueKind != JsonValueKind.Array)
        {
            throw new BadRequestException("\"dataframe_split\" must have \"columns\" (names) and \"data\" (rows).");
        }

        var names = c.EnumerateArray().Select(n => n.GetString() ?? string.Empty).ToList();
        foreach (var n in names.Where(n => !inputs.Any(i => i.Name == n))) throw new BadRequestException($"dataframe_split: column '{n}' is not an input of this model; it takes: {Names(inputs)}.");
        var rows = d.EnumerateArray().ToList();
        CheckRows(rows.Count, maxRows);
        for (var r = 0; r < rows.Count; r++)
        {
            if (rows[r].ValueKind != JsonValueKind.Array || rows[r].GetArrayLength() != names.Count) throw new BadRequestException($"dataframe_split.data[{r}] must be an array of {names.Count} values (one per column).");
        }

        return Table.Of(inputs.Select(input =>
        {
            var index = names.IndexOf(input.Name);
            if (index < 0) throw new BadRequestException($"dataframe_split: column '{input.Name}' is missing; this model takes: {Names(inputs)}.");
            return Column(input, rows.Select(row => row[index]).ToList(), r => $"dataframe_split.data[{r}][{index}] ({input.Name})");
        }).ToList());
    }

    /// <summary>Column-wise: MLflow <c>inputs</c> as {"column": [values]}.</summary>
    public static Table FromColumns(JsonElement columns, IReadOnlyList<ModelInput> inputs, int maxRows, string field)
    {
        foreach (var p in columns.EnumerateObject().Where(p => !inputs.Any(i => i.Name == p.Name))) throw new BadRequestException($"{field}: '{p.Name}' is not an input of this model; it takes: {Names(inputs)}.");
        int? rows = null;
        return Table.Of(inputs.Select(input =>
        {
            if (!columns.TryGetProperty(input.Name, out var values) || values.ValueKind != JsonValueKind.Array) throw new BadRequestException($"{field}: '{input.Name}' is missing or not an array; this model takes: {Names(inputs)}.");
            var list = values.EnumerateArray().ToList();
            CheckRows(list.Count, maxRows);
            rows ??= list.Count;
            if (list.Count != rows) throw new BadRequestException($"{field}: '{input.Name}' has {list.Count} values; the other columns have {rows}.");
            return Column(input, list, r => $"{field}.{input.Name}[{r}]");
        }).ToList());
    }

    // Models read FP32: a number beyond its range would silently become an infinity.
    private static float Fp32(JsonElement value, string where) =>
        value.TryGetDouble(out var d) && float.IsFinite((float)d)
            ? (float)d
            : throw new BadRequestException($"{where}: {Shorten(value.GetRawText())} is outside the FP32 range the model reads (±3.4e38).");

    private static TableColumn Column(ModelInput input, IReadOnlyList<JsonElement> values, Func<int, string> where)
    {
        if (input.Kind == ColumnKind.Numeric)
        {
            var numbers = new float[values.Count];
            for (var i = 0; i < values.Count; i++)
            {
                numbers[i] = values[i].ValueKind switch
                {
                    JsonValueKind.Number => Fp32(values[i], where(i)),
                    JsonValueKind.Null => float.NaN,
                    _ => throw new BadRequestException($"{where(i)}: expected a number (or null for missing), got {Shorten(values[i].GetRawText())}."),
                };
            }

            return TableColumn.Numeric(input.Name, numbers);
        }

        var texts = new string?[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            texts[i] = values[i].ValueKind switch
            {
                JsonValueKind.String => values[i].GetString(),
                JsonValueKind.Number => values[i].GetRawText(), // a numeric code used as a category
                JsonValueKind.Null => null,
                _ => throw new BadRequestException($"{where(i)}: expected a string (or null for missing), got {Shorten(values[i].GetRawText())}."),
            };
        }

        return TableColumn.Text(input.Name, texts);
    }

    private static List<JsonElement> Flatten(JsonElement data)
    {
        var result = new List<JsonElement>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var x in e.EnumerateArray()) Walk(x);
            }
            else
            {
                result.Add(e);
            }
        }

        Walk(data);
        return result;
    }

    private static bool IsNumericType(string? datatype) => datatype is "FP32" or "FP64" or "FP16" or "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64";

    private static void CheckRows(int rows, int maxRows)
    {
        if (rows == 0) throw new BadRequestException("the request has no rows.");
        if (rows > maxRows) throw new BadRequestException(string.Create(CultureInfo.InvariantCulture, $"the request has {rows} rows; at most {maxRows} are allowed per request."), 413);
    }

    private static string Names(IReadOnlyList<ModelInput> inputs) => string.Join(", ", inputs.Select(i => $"{i.Name} ({(i.Kind == ColumnKind.Numeric ? "number" : "string")})"));

    /// <summary>A raw JSON value cut to 40 characters for an error message.</summary>
    internal static string Shorten(string raw) => raw.Length <= 40 ? raw : raw[..40] + "…";
}
