using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Scoring;

namespace MlOps.Serving;

/// <summary>
/// Open Inference Protocol inference on an ONNX model's own tensors, as KServe and Triton clients
/// send them: each input is checked against the graph (name, datatype, rank, fixed dimensions,
/// element count), passed straight to ONNX Runtime, and every output (or those asked for) comes
/// back as a tensor. scikit-learn's ZipMap comes back as an FP32 [N, K] tensor whose
/// <c>parameters.classes</c> name the columns.
/// </summary>
public static class TensorInference
{
    /// <summary>True when a request's input names are the graph's inputs rather than table columns.</summary>
    public static bool Applies(OnnxScorer scorer, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array) return scorer.RowsUnavailable is not null;
        return Applies(scorer, inputs.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList());
    }

    /// <summary>True when these input names are the graph's inputs rather than table columns.</summary>
    public static bool Applies(OnnxScorer scorer, IReadOnlyList<string?> names)
    {
        if (scorer.RowsUnavailable is not null) return true;

        // A model with one input per column is served the tabular way (its inputs are its columns).
        if (scorer.Mapping!.Inputs.All(i => i.From == ModelMapping.From.InputName)) return false;
        return names.Count > 0 && names.All(n => n is not null && scorer.Signature.Inputs.Any(i => i.Name == n));
    }

    /// <summary>Runs the request and writes the whole response body.</summary>
    /// <exception cref="BadRequestException">The request does not fit the graph (400) or the model gave non-finite values (500).</exception>
    public static void Infer(Utf8JsonWriter w, ModelHandle handle, OnnxScorer scorer, JsonElement body, int maxRows, out int rows)
    {
        var signature = scorer.Signature;
        var given = new List<(string, JsonElement)>();
        foreach (var t in body.EnumerateArray("inputs"))
        {
            if (t.ValueKind != JsonValueKind.Object) throw new BadRequestException("every entry of \"inputs\" must be a tensor object {\"name\", \"shape\", \"datatype\", \"data\"}.");
            given.Add((t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new BadRequestException("every input tensor needs a \"name\"."), t));
        }

        var wanted = WantedOutputs(body, signature);
        Run(scorer, given, wanted, (spec, t) => Tensor(spec, t, maxRows), results =>
        {
            w.WriteStartObject();
            w.WriteString("model_name", handle.Name);
            w.WriteString("model_version", handle.Version);
            if (body.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String) w.WriteString("id", id.GetString());
            w.WriteStartArray("outputs");
            for (var i = 0; i < wanted.Count; i++) WriteOutput(w, wanted[i], results[i], scorer);
            w.WriteEndArray();
            w.WriteEndObject();
            return 0;
        }, out rows);
    }

    /// <summary>
    /// The run both tensor paths share: every given input is a graph input and given once, every
    /// graph input is given, each becomes an ONNX Runtime value by <paramref name="create"/>, the
    /// session runs for <paramref name="wanted"/>, and <paramref name="read"/> takes the results
    /// before the values are freed.
    /// </summary>
    internal static TResult Run<TInput, TResult>(OnnxScorer scorer, IReadOnlyList<(string Name, TInput Tensor)> given, IReadOnlyList<TensorSpec> wanted, Func<TensorSpec, TInput, (OrtValue Value, int Rows)> create, Func<IDisposableReadOnlyCollection<OrtValue>, TResult> read, out int rows)
    {
        var signature = scorer.Signature;
        var byName = new Dictionary<string, TInput>(StringComparer.Ordinal);
        foreach (var (name, t) in given)
        {
            if (!signature.Inputs.Any(i => i.Name == name)) throw new BadRequestException($"input '{name}' is not an input of this model; it takes: {Describe(signature.Inputs)}.");
            if (!byName.TryAdd(name, t)) throw new BadRequestException($"input '{name}' is given twice.");
        }

        var feeds = new List<OrtValue>();
        var names = new List<string>();
        rows = 0;
        try
        {
            foreach (var spec in signature.Inputs)
            {
                if (!byName.TryGetValue(spec.Name, out var t)) throw new BadRequestException($"input '{spec.Name}' is missing; this model takes: {Describe(signature.Inputs)}.");
                var (value, count) = create(spec, t);
                feeds.Add(value);
                names.Add(spec.Name);
                rows = Math.Max(rows, count);
            }

            IDisposableReadOnlyCollection<OrtValue> results;
            try
            {
                results = scorer.Run(names, feeds, wanted.Select(o => o.Name).ToArray());
            }
            catch (OnnxRuntimeException e)
            {
                throw new BadRequestException($"the model refused the tensors: {e.Message.Split('\n')[0]}");
            }

            using (results) return read(results);
        }
        finally
        {
            foreach (var f in feeds) f.Dispose();
        }
    }

    private static List<TensorSpec> WantedOutputs(JsonElement body, OnnxSignature signature)
    {
        if (!body.TryGetProperty("outputs", out var requested)) return signature.Outputs.ToList();
        if (requested.ValueKind != JsonValueKind.Array) throw new BadRequestException("\"outputs\" must be an array of {\"name\": ...}.");
        return Wanted(requested.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList(), signature);
    }

    /// <summary>The outputs asked for by name, in the order asked, each once; all of them when none is named.</summary>
    internal static List<TensorSpec> Wanted(IReadOnlyList<string?> requested, OnnxSignature signature)
    {
        var wanted = new List<TensorSpec>();
        foreach (var name in requested)
        {
            var spec = signature.Outputs.FirstOrDefault(s => s.Name == name)
                ?? throw new BadRequestException($"output '{name}' does not exist; this model has: {Describe(signature.Outputs)}.");
            if (!wanted.Contains(spec)) wanted.Add(spec);
        }

        return wanted.Count > 0 ? wanted : signature.Outputs.ToList();
    }

    /// <summary>Checks a tensor's datatype and shape against the graph input: its shape, element count and rows.</summary>
    internal static (long[] Shape, long Count, int Rows) CheckShape(TensorSpec spec, string datatype, IReadOnlyList<long> given, int maxRows)
    {
        var where = $"input '{spec.Name}'";
        if (datatype != spec.Datatype) throw new BadRequestException($"{where}: datatype {datatype} does not match the model's {spec.Datatype}.");
        var shape = given.ToArray();
        if (shape.Any(d => d < 0)) throw new BadRequestException($"{where}: shape entries must be whole numbers ≥ 0.");
        if (shape.Length != spec.Shape.Count) throw new BadRequestException($"{where}: shape [{string.Join(", ", shape)}] has rank {shape.Length}; the model takes {spec.ShapeText}.");
        for (var i = 0; i < shape.Length; i++)
        {
            if (spec.Shape[i] >= 0 && shape[i] != spec.Shape[i]) throw new BadRequestException($"{where}: shape [{string.Join(", ", shape)}] does not fit the model's {spec.ShapeText} (dimension {i} must be {spec.Shape[i]}).");
        }

        var rows = shape.Length > 0 ? shape[0] : 1;
        if (rows > maxRows) throw new BadRequestException($"{where}: {rows:N0} rows is more than this server accepts ({maxRows:N0}); send fewer per request.");
        return (shape, shape.Aggregate(1L, (a, b) => a * b), (int)rows);
    }

    private static (OrtValue Value, int Rows) Tensor(TensorSpec spec, JsonElement t, int maxRows)
    {
        var where = $"input '{spec.Name}'";
        var datatype = t.TryGetProperty("datatype", out var dt) && dt.ValueKind == JsonValueKind.String ? dt.GetString()! : throw new BadRequestException($"{where}: \"datatype\" is required ({spec.Datatype}).");
        if (!t.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array) throw new BadRequestException($"{where}: \"shape\" is required, such as {Example(spec)}.");
        var given = new long[s.GetArrayLength()];
        var k = 0;
        foreach (var d in s.EnumerateArray()) given[k++] = d.TryGetInt64(out var v) && v >= 0 ? v : throw new BadRequestException($"{where}: shape entries must be whole numbers ≥ 0.");
        var (shape, count, rows) = CheckShape(spec, datatype, given, maxRows);
        if (!t.TryGetProperty("data", out var data)) throw new BadRequestException($"{where}: \"data\" is required.");
        var values = new List<JsonElement>((int)Math.Min(count, 1 << 20));
        Flatten(data, values, count, where);
        if (values.Count != count) throw new BadRequestException($"{where}: shape [{string.Join(", ", shape)}] holds {count} values, data has {values.Count}.");
        return (Create(spec, values, shape, where), rows);
    }

    private static OrtValue Create(TensorSpec spec, List<JsonElement> v, long[] shape, string where)
    {
        T[] Read<T>(Func<JsonElement, T?> parse)
            where T : struct
        {
            var result = new T[v.Count];
            for (var i = 0; i < v.Count; i++) result[i] = parse(v[i]) ?? throw new BadRequestException($"{where} element {i}: {RequestRows.Shorten(v[i].GetRawText())} is not a {spec.Datatype} value.");
            return result;
        }

        static double? Number(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out var d) ? d : null;
        static long? Whole(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var l) ? l : null;
        static ulong? Unsigned(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var l) ? l : null;
        T? InRange<T>(long? x, long min, long max, Func<long, T> convert)
            where T : struct => x is { } y && y >= min && y <= max ? convert(y) : null;

        return spec.ElementType switch
        {
            // float's shortest text of its largest value (3.4028235E+38) reads as a double just above float.MaxValue: what rounds to a finite float is one.
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Read(e => Number(e) is { } d && float.IsFinite((float)d) ? (float?)(float)d : null), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Read(Number), shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Read(e => Number(e) is { } d && Math.Abs(d) <= 65504 ? (Float16?)(Float16)(float)d : null), shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), sbyte.MinValue, sbyte.MaxValue, x => (sbyte)x)), shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), short.MinValue, short.MaxValue, x => (short)x)), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), int.MinValue, int.MaxValue, x => (int)x)), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Read(Whole), shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), 0, byte.MaxValue, x => (byte)x)), shape),
            TensorElementType.UInt16 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), 0, ushort.MaxValue, x => (ushort)x)), shape),
            TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory(Read(e => InRange(Whole(e), 0, uint.MaxValue, x => (uint)x)), shape),
            TensorElementType.UInt64 => OrtValue.CreateTensorValueFromMemory(Read(Unsigned), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Read(e => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : (bool?)null), shape),
            TensorElementType.String => OrtValue.CreateFromStringTensor(new DenseTensor<string>(
                v.Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new BadRequestException($"{where} element {i}: {RequestRows.Shorten(e.GetRawText())} is not a string (BYTES).")).ToArray(),
                shape.Select(d => (int)d).ToArray())),
            _ => throw new BadRequestException($"{where}: {spec.Datatype} inputs are not served over JSON."),
        };
    }

    private static void WriteOutput(Utf8JsonWriter w, TensorSpec spec, OrtValue value, OnnxScorer scorer)
    {
        w.WriteStartObject();
        w.WriteString("name", spec.Name);
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE && spec.Kind == OnnxSignature.SequenceOfMaps)
        {
            var rows = value.GetValueCount();
            var (matrix, keys) = scorer.ReadZipMap(value, spec.Name);
            var classes = scorer.Classes is { } named && named.Count == keys.Count ? named : keys; // names from config or the training run, when they were given
            var k = keys.Count;
            CheckFinite(spec.Name, matrix, k);
            w.WriteString("datatype", "FP32");
            w.WriteStartArray("shape");
            w.WriteNumberValue(rows);
            w.WriteNumberValue(k);
            w.WriteEndArray();
            w.WriteStartObject("parameters");
            w.WriteStartArray("classes");
            foreach (var c in classes) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("data");
            foreach (var x in matrix) w.WriteNumberValue(x);
            w.WriteEndArray();
            w.WriteEndObject();
            return;
        }

        if (!value.IsTensor) throw new BadRequestException($"output '{spec.Name}' is a {spec.Kind}, which the Open Inference Protocol cannot carry; ask for the other outputs.", 500);
        var info = value.GetTensorTypeAndShape();
        var type = info.ElementDataType;
        w.WriteString("datatype", OnnxSignature.Datatype(type));
        w.WriteStartArray("shape");
        foreach (var d in info.Shape) w.WriteNumberValue(d);
        w.WriteEndArray();
        w.WriteStartArray("data");
        var width = info.Shape.Length >= 2 ? (int)info.Shape[^1] : 1;
        switch (type)
        {
            case TensorElementType.Float:
                {
                    var span = value.GetTensorDataAsSpan<float>();
                    CheckFinite(spec.Name, span, width);
                    foreach (var x in span) w.WriteNumberValue(x);
                    break;
                }

            case TensorElementType.Double:
                {
                    var span = value.GetTensorDataAsSpan<double>();
                    for (var i = 0; i < span.Length; i++)
                    {
                        if (!double.IsFinite(span[i])) throw NonFinite(spec.Name, i / Math.Max(width, 1));
                        w.WriteNumberValue(span[i]);
                    }

                    break;
                }

            case TensorElementType.Float16:
                foreach (var x in value.GetTensorDataAsSpan<Float16>())
                {
                    var f = (float)x;
                    if (!float.IsFinite(f)) throw NonFinite(spec.Name, -1);
                    w.WriteNumberValue(f);
                }

                break;
            case TensorElementType.Int64: foreach (var x in value.GetTensorDataAsSpan<long>()) w.WriteNumberValue(x); break;
            case TensorElementType.Int32: foreach (var x in value.GetTensorDataAsSpan<int>()) w.WriteNumberValue(x); break;
            case TensorElementType.Int16: foreach (var x in value.GetTensorDataAsSpan<short>()) w.WriteNumberValue(x); break;
            case TensorElementType.Int8: foreach (var x in value.GetTensorDataAsSpan<sbyte>()) w.WriteNumberValue(x); break;
            case TensorElementType.UInt64: foreach (var x in value.GetTensorDataAsSpan<ulong>()) w.WriteNumberValue(x); break;
            case TensorElementType.UInt32: foreach (var x in value.GetTensorDataAsSpan<uint>()) w.WriteNumberValue(x); break;
            case TensorElementType.UInt16: foreach (var x in value.GetTensorDataAsSpan<ushort>()) w.WriteNumberValue(x); break;
            case TensorElementType.UInt8: foreach (var x in value.GetTensorDataAsSpan<byte>()) w.WriteNumberValue(x); break;
            case TensorElementType.Bool: foreach (var x in value.GetTensorDataAsSpan<bool>()) w.WriteBooleanValue(x); break;
            case TensorElementType.String: foreach (var x in value.GetStringTensorAsArray()) w.WriteStringValue(x); break;
            default: throw new BadRequestException($"output '{spec.Name}' is {type}, which is not served over JSON.", 500);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static void CheckFinite(string name, ReadOnlySpan<float> values, int width)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) throw NonFinite(name, i / Math.Max(width, 1));
        }
    }

    internal static BadRequestException NonFinite(string name, int row) =>
        new(row < 0 ? $"output '{name}' holds non-finite values (NaN or infinite), which JSON cannot carry." : string.Create(CultureInfo.InvariantCulture, $"output '{name}' holds non-finite values (NaN or infinite), first at row {row} of the request (0-based), which JSON cannot carry."), 500);

    private static void Flatten(JsonElement data, List<JsonElement> into, long limit, string where)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            into.Add(data);
            return;
        }

        foreach (var e in data.EnumerateArray())
        {
            if (into.Count > limit) throw new BadRequestException($"{where}: data holds more values than its shape.");
            if (e.ValueKind == JsonValueKind.Array) Flatten(e, into, limit, where);
            else into.Add(e);
        }
    }

    private static IEnumerable<JsonElement> EnumerateArray(this JsonElement body, string property) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(property, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray()
            : throw new BadRequestException("the body must be a JSON object with an \"inputs\" array of tensors ({\"name\", \"shape\", \"datatype\", \"data\"}).");

    private static string Example(TensorSpec spec) => $"[{string.Join(", ", spec.Shape.Select(d => d < 0 ? 1 : d))}]";

    internal static string Describe(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(s => $"{s.Name} {s.Datatype} {s.ShapeText}"));

}
