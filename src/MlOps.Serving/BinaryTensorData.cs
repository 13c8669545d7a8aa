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
/// Binary inputs become JSON data and JSON answers become binary, so both paths answer alike.
/// </summary>
internal static class BinaryTensorData
{
    /// <summary>The header that gives the JSON part's length.</summary>
    public const string HeaderLength = "Inference-Header-Content-Length";

    /// <summary>True when the request uses the extension.</summary>
    public static bool Applies(HttpRequest request) => request.Headers.ContainsKey(HeaderLength);

    /// <summary>Reads a binary request into the plain V2 JSON it stands for.</summary>
    /// <exception cref="BadRequestException">The header length or a binary_data_size does not fit the body.</exception>
    public static async Task<JsonDocument> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!int.TryParse(request.Headers[HeaderLength].ToString(), out var headerLength) || headerLength < 0)
        {
            throw new BadRequestException($"{HeaderLength} must be the byte length of the JSON part of the body.");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken); // bounded by Kestrel's MaxRequestBodySize
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
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

        using (header)
        {
            var root = header.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
            {
                throw new BadRequestException("the JSON part must be an object with an \"inputs\" array.");
            }

            var binary = body[headerLength..];
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
