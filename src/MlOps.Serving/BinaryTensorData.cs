using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MlOps.Serving;

/// <summary>
/// Triton's binary tensor data extension of the V2 REST protocol (tritonclient.http's default):
/// a request body that is a JSON header of <c>Inference-Header-Content-Length</c> bytes followed by
/// the inputs whose <c>parameters.binary_data_size</c> says so, in order; and, when the request
/// asks (<c>outputs[].parameters.binary_data</c> or <c>parameters.binary_data_output</c>), an answer
/// whose outputs carry <c>binary_data_size</c> instead of <c>data</c>, their bytes after the JSON.
/// An ONNX model's own tensors go straight from the body's bytes into ONNX Runtime and back
/// (<see cref="RawTensorInference"/>); otherwise binary inputs become JSON data and JSON answers
/// become binary, so both paths answer alike.
/// </summary>
internal static class BinaryTensorData
{
    /// <summary>The header that gives the JSON part's length.</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>True when the request uses the extension.</summary>
    public static bool Applies(HttpRequest request) => request.Headers.ContainsKey(HeaderLength);

    /// <summary>Reads a binary request: its JSON header and the bytes after it.</summary>
    /// <exception cref="BadRequestException">The header length does not fit the body, or the header is not JSON.</exception>
    public static async Task<BinaryRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!int.TryParse(request.Headers[HeaderLength].ToString(), out var headerLength) || headerLength < 0)
        {
            throw new BadRequestException($"{HeaderLength} must be the byte length of the JSON part of the body.");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken); // bounded by Kestrel's MaxRequestBodySize
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length); // the stream's own array: no second copy of the body
        if (headerLength > body.Length) throw new BadRequestException($"{HeaderLength} is {headerLength} but the body has {body.Length} bytes.");
        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(body[..headerLength]);
        }
        catch (JsonException e)
        {
            throw new BadRequestException($"the JSON part of the body is not valid JSON ({e.Message.Split('\n')[0]}).");
        }

        var root = header.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            header.Dispose();
            throw new BadRequestException("the JSON part must be an object with an \"inputs\" array.");
        }

        return new BinaryRequest(header, body[headerLength..]);
    }

    /// <summary>Every input as raw bytes, when every input is binary (tritonclient's default); null when some carry JSON data.</summary>
    /// <exception cref="BadRequestException">A binary_data_size does not fit the body, or bytes are left over.</exception>
    public static List<RawInput>? RawInputs(BinaryRequest request)
    {
        var inputs = request.Header.RootElement.GetProperty("inputs");
        var raw = new List<RawInput>();
        var binary = request.Binary;
        foreach (var input in inputs.EnumerateArray())
        {
            if (input.ValueKind != JsonValueKind.Object || Size(input) is not { } size) return null;
            var name = input.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw new BadRequestException("every input tensor needs a \"name\".");
            if (size < 0 || size > binary.Length) throw new BadRequestException($"input '{name}': binary_data_size {size} is more than the {binary.Length} bytes left in the body.");
            var datatype = input.TryGetProperty("datatype", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : throw new BadRequestException($"input '{name}': \"datatype\" is required.");
            var shape = input.TryGetProperty("shape", out var s) && s.ValueKind == JsonValueKind.Array
                ? s.EnumerateArray().Select(x => x.TryGetInt64(out var v) && v >= 0 ? v : throw new BadRequestException($"input '{name}': shape entries must be whole numbers ≥ 0.")).ToList()
                : throw new BadRequestException($"input '{name}': \"shape\" is required.");
            raw.Add(new RawInput(name, datatype, shape, binary[..(int)size], null));
            binary = binary[(int)size..];
        }

        if (binary.Length > 0) throw new BadRequestException($"{binary.Length} bytes after the binary inputs belong to no input (check each binary_data_size).");
        return raw;
    }

    /// <summary>The plain V2 JSON a binary request stands for (binary inputs become JSON data).</summary>
    /// <exception cref="BadRequestException">A binary_data_size does not fit the body.</exception>
    public static JsonDocument ToJson(BinaryRequest request)
    {
        var root = request.Header.RootElement;
        var inputs = root.GetProperty("inputs");
        var binary = request.Binary;
        var output = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(output))
        {
            w.WriteStartObject();
            foreach (var p in root.EnumerateObject())
            {
                if (!p.NameEquals("inputs"))
                {
                    p.WriteTo(w);
                    continue;
                }

                w.WriteStartArray("inputs");
                foreach (var input in inputs.EnumerateArray())
                {
                    if (Size(input) is not { } size)
                    {
                        input.WriteTo(w);
                        continue;
                    }

                    var name = input.TryGetProperty("name", out var n) ? n.GetString() ?? "?" : "?";
                    if (size < 0 || size > binary.Length) throw new BadRequestException($"input '{name}': binary_data_size {size} is more than the {binary.Length} bytes left in the body.");
                    w.WriteStartObject();
                    foreach (var f in input.EnumerateObject().Where(f => !f.NameEquals("data") && !f.NameEquals("parameters"))) f.WriteTo(w);
                    TensorBytes.WriteData(w, name, input.TryGetProperty("datatype", out var d) ? d.GetString() ?? string.Empty : string.Empty, binary[..(int)size], null);
                    w.WriteEndObject();
                    binary = binary[(int)size..];
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        if (binary.Length > 0) throw new BadRequestException($"{binary.Length} bytes after the binary inputs belong to no input (check each binary_data_size).");
        return JsonDocument.Parse(output.WrittenMemory.ToArray());
    }

    /// <summary>The names of the outputs a request asks for, in order (none: all).</summary>
    public static List<string?> RequestedOutputs(JsonElement request) =>
        request.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array
            ? outputs.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null).ToList()
            : [];

    /// <summary>
    /// The answer to raw outputs: the wanted ones as binary after the JSON header (null header
    /// length when none is wanted: a plain JSON answer), the others with their data in the JSON.
    /// </summary>
    public static (byte[] Body, int? HeaderLength) Answer(ModelHandle handle, IReadOnlyList<RawOutput> outputs, JsonElement request)
    {
        var wanted = Wanted(request) ?? (_ => false);
        var header = new ArrayBufferWriter<byte>();
        var tail = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            w.WriteString("model_name", handle.Name);
            w.WriteString("model_version", handle.Version);
            if (request.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String) w.WriteString("id", id.GetString());
            w.WriteStartArray("outputs");
            foreach (var o in outputs)
            {
                w.WriteStartObject();
                w.WriteString("name", o.Name);
                w.WriteString("datatype", o.Datatype);
                w.WriteStartArray("shape");
                foreach (var d in o.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                var binary = wanted(o.Name);
                if (binary || o.Classes is not null)
                {
                    w.WriteStartObject("parameters");
                    if (o.Classes is { } classes)
                    {
                        w.WriteStartArray("classes");
                        foreach (var c in classes) w.WriteStringValue(c);
                        w.WriteEndArray();
                    }

                    if (binary) w.WriteNumber("binary_data_size", o.Data.Length);
                    w.WriteEndObject();
                }

                if (binary) tail.Write(o.Data);
                else TensorBytes.WriteData(w, o.Name, o.Datatype, o.Data, null);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return tail.Length == 0 ? (header.WrittenSpan.ToArray(), null) : ([.. header.WrittenSpan, .. tail.ToArray()], header.WrittenCount);
    }

    /// <summary>The outputs the request wants as binary: all (binary_data_output), some (binary_data per output); null for none.</summary>
    public static Func<string, bool>? Wanted(JsonElement request)
    {
        var all = request.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("binary_data_output", out var b) && b.ValueKind == JsonValueKind.True;
        var some = new HashSet<string>(StringComparer.Ordinal);
        if (request.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var o in outputs.EnumerateArray())
            {
                if (o.TryGetProperty("parameters", out var op) && op.ValueKind == JsonValueKind.Object && op.TryGetProperty("binary_data", out var bd) && o.TryGetProperty("name", out var n))
                {
                    if (bd.ValueKind == JsonValueKind.True) some.Add(n.GetString()!);
                    else if (bd.ValueKind == JsonValueKind.False) all = false;
                }
            }
        }

        return all || some.Count > 0 ? name => all || some.Contains(name) : null;
    }

    /// <summary>Rewrites a V2 JSON answer with the wanted outputs as binary; null when none is wanted.</summary>
    public static (byte[] Body, int HeaderLength)? Answer(ReadOnlyMemory<byte> json, Func<string, bool> wanted)
    {
        using var answer = JsonDocument.Parse(json);
        if (!answer.RootElement.TryGetProperty("outputs", out var outputs) || !outputs.EnumerateArray().Any(o => wanted(o.GetProperty("name").GetString()!))) return null;
        var header = new ArrayBufferWriter<byte>();
        var tail = new MemoryStream();
        using (var w = new Utf8JsonWriter(header))
        {
            w.WriteStartObject();
            foreach (var p in answer.RootElement.EnumerateObject())
            {
                if (!p.NameEquals("outputs"))
                {
                    p.WriteTo(w);
                    continue;
                }

                w.WriteStartArray("outputs");
                foreach (var o in outputs.EnumerateArray())
                {
                    if (!wanted(o.GetProperty("name").GetString()!))
                    {
                        o.WriteTo(w);
                        continue;
                    }

                    var bytes = TensorBytes.Bytes(o.GetProperty("datatype").GetString()!, o.GetProperty("data"));
                    tail.Write(bytes);
                    w.WriteStartObject();
                    foreach (var f in o.EnumerateObject().Where(f => !f.NameEquals("data"))) f.WriteTo(w);
                    w.WriteStartObject("parameters");
                    w.WriteNumber("binary_data_size", bytes.Length);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return ([.. header.WrittenSpan, .. tail.ToArray()], header.WrittenCount);
    }

    private static long? Size(JsonElement input) =>
        input.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("binary_data_size", out var s) && s.TryGetInt64(out var size) ? size : null;
}

/// <summary>A binary tensor data request: its JSON header (disposed with it) and the bytes after the header.</summary>
internal sealed record BinaryRequest(JsonDocument Header, ReadOnlyMemory<byte> Binary) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose() => Header.Dispose();
}
