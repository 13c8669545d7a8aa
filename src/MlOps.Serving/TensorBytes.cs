using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using MlOps.Serving.Grpc;

namespace MlOps.Serving;

/// <summary>
/// Tensor contents in binary and the V2 JSON shape: raw little-endian bytes (gRPC's
/// <c>raw_input_contents</c>, the binary tensor data extension of REST; BYTES as 4-byte
/// length-prefixed elements) or gRPC's typed <c>contents</c>, to and from a flat JSON <c>data</c> array.
/// </summary>
internal static class TensorBytes
{
    /// <summary>Writes an input's values as a JSON array; <paramref name="raw"/> wins over <paramref name="contents"/>.</summary>
    /// <exception cref="BadRequestException">The raw bytes are not a whole number of elements of the datatype.</exception>
    public static void WriteData(Utf8JsonWriter w, string name, string datatype, ByteString? raw, InferTensorContents? contents) =>
        WriteData(w, name, datatype, raw is null ? (ReadOnlyMemory<byte>?)null : raw.Memory, contents);

    /// <summary>Writes an input's values as a JSON array from raw bytes or typed contents.</summary>
    public static void WriteData(Utf8JsonWriter w, string name, string datatype, ReadOnlyMemory<byte>? raw, InferTensorContents? contents)
    {
        w.WriteStartArray("data");
        if (raw is { } bytes) WriteRaw(w, name, datatype, bytes.Span);
        else if (contents is not null) WriteContents(w, datatype, contents);
        w.WriteEndArray();
    }

    /// <summary>Raw BYTES contents: elements of a 4-byte little-endian length and that many UTF-8 bytes.</summary>
    /// <exception cref="BadRequestException">A length runs past the end.</exception>
    public static List<string> Strings(ReadOnlySpan<byte> raw, string name)
    {
        var values = new List<string>();
        while (raw.Length > 0)
        {
            if (raw.Length < 4 || BinaryPrimitives.ReadUInt32LittleEndian(raw) is var n && n > raw.Length - 4) throw new BadRequestException($"input '{name}': raw BYTES contents must be elements of a 4-byte little-endian length and that many bytes.");
            values.Add(Encoding.UTF8.GetString(raw.Slice(4, (int)n)));
            raw = raw[(4 + (int)n)..];
        }

        return values;
    }

    private static void WriteRaw(Utf8JsonWriter w, string name, string datatype, ReadOnlySpan<byte> raw)
    {
        if (datatype == "BYTES")
        {
            foreach (var text in Strings(raw, name)) w.WriteStringValue(text);
            return;
        }

        var size = Size(datatype) ?? throw new BadRequestException($"input '{name}': datatype '{datatype}' is not an Open Inference Protocol datatype.");
        if (raw.Length % size != 0) throw new BadRequestException($"input '{name}': {raw.Length} raw bytes are not a whole number of {datatype} elements ({size} bytes each).");
        for (var i = 0; i < raw.Length; i += size)
        {
            var e = raw.Slice(i, size);
            switch (datatype)
            {
                case "BOOL": w.WriteBooleanValue(e[0] != 0); break;
                case "INT8": w.WriteNumberValue((sbyte)e[0]); break;
                case "UINT8": w.WriteNumberValue(e[0]); break;
                case "INT16": w.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(e)); break;
                case "UINT16": w.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(e)); break;
                case "INT32": w.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(e)); break;
                case "UINT32": w.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(e)); break;
                case "INT64": w.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(e)); break;
                case "UINT64": w.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(e)); break;
                case "FP16": Finite(w, name, (double)BinaryPrimitives.ReadHalfLittleEndian(e)); break;
                case "FP32": Finite(w, name, BinaryPrimitives.ReadSingleLittleEndian(e)); break;
                default: Finite(w, name, BinaryPrimitives.ReadDoubleLittleEndian(e)); break;
            }
        }
    }

    // JSON has no NaN: a non-finite input is refused by name rather than written as a broken body.
    private static void Finite(Utf8JsonWriter w, string name, double value)
    {
        if (!double.IsFinite(value)) throw new BadRequestException($"input '{name}': NaN or infinity; send a missing value through a model input that accepts it.");
        w.WriteNumberValue(value);
    }

    private static void WriteContents(Utf8JsonWriter w, string datatype, InferTensorContents c)
    {
        switch (datatype)
        {
            case "BOOL": foreach (var v in c.BoolContents) w.WriteBooleanValue(v); break;
            case "INT8" or "INT16" or "INT32": foreach (var v in c.IntContents) w.WriteNumberValue(v); break;
            case "INT64": foreach (var v in c.Int64Contents) w.WriteNumberValue(v); break;
            case "UINT8" or "UINT16" or "UINT32": foreach (var v in c.UintContents) w.WriteNumberValue(v); break;
            case "UINT64": foreach (var v in c.Uint64Contents) w.WriteNumberValue(v); break;
            case "FP32": foreach (var v in c.Fp32Contents) Finite(w, "contents", v); break;
            case "FP64": foreach (var v in c.Fp64Contents) Finite(w, "contents", v); break;
            case "BYTES": foreach (var v in c.BytesContents) w.WriteStringValue(v.ToStringUtf8()); break;
            default: throw new BadRequestException($"datatype '{datatype}' needs raw_input_contents (FP16 has no typed contents).");
        }
    }

    /// <summary>A V2 JSON output's flat data as raw little-endian bytes of its datatype.</summary>
    public static ByteString Raw(string datatype, JsonElement data) => UnsafeByteOperations.UnsafeWrap(Bytes(datatype, data)); // a fresh array nobody else writes: no second copy

    /// <summary>A V2 JSON output's flat data as raw little-endian bytes of its datatype.</summary>
    public static byte[] Bytes(string datatype, JsonElement data)
    {
        using var buffer = new MemoryStream();
        Span<byte> e = stackalloc byte[8];
        foreach (var v in Flatten(data))
        {
            switch (datatype)
            {
                case "BYTES":
                    var text = Encoding.UTF8.GetBytes(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
                    BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)text.Length);
                    buffer.Write(e[..4]);
                    buffer.Write(text);
                    continue;
                case "BOOL": e[0] = v.ValueKind == JsonValueKind.True ? (byte)1 : (byte)0; break;
                case "INT8": e[0] = (byte)v.GetSByte(); break;
                case "UINT8": e[0] = v.GetByte(); break;
                case "INT16": BinaryPrimitives.WriteInt16LittleEndian(e, v.GetInt16()); break;
                case "UINT16": BinaryPrimitives.WriteUInt16LittleEndian(e, v.GetUInt16()); break;
                case "INT32": BinaryPrimitives.WriteInt32LittleEndian(e, v.GetInt32()); break;
                case "UINT32": BinaryPrimitives.WriteUInt32LittleEndian(e, v.GetUInt32()); break;
                case "INT64": BinaryPrimitives.WriteInt64LittleEndian(e, v.GetInt64()); break;
                case "UINT64": BinaryPrimitives.WriteUInt64LittleEndian(e, v.GetUInt64()); break;
                case "FP16": BinaryPrimitives.WriteHalfLittleEndian(e, (Half)v.GetDouble()); break;
                case "FP32": BinaryPrimitives.WriteSingleLittleEndian(e, v.GetSingle()); break;
                default: BinaryPrimitives.WriteDoubleLittleEndian(e, v.GetDouble()); break;
            }

            buffer.Write(e[..(Size(datatype) ?? 8)]);
        }

        return buffer.ToArray();
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement data) => data.ValueKind == JsonValueKind.Array
        ? data.EnumerateArray().SelectMany(Flatten)
        : [data];

    private static int? Size(string datatype) => datatype switch
    {
        "BOOL" or "INT8" or "UINT8" => 1,
        "INT16" or "UINT16" or "FP16" => 2,
        "INT32" or "UINT32" or "FP32" => 4,
        "INT64" or "UINT64" or "FP64" => 8,
        _ => null,
    };
}
