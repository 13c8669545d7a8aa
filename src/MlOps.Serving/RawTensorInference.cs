using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Scoring;
using MlOps.Serving.Grpc;

namespace MlOps.Serving;

/// <summary>An input tensor as binary protocols carry it: raw little-endian bytes (BYTES as 4-byte length-prefixed elements) or gRPC's typed contents.</summary>
internal sealed record RawInput(string Name, string Datatype, IReadOnlyList<long> Shape, ReadOnlyMemory<byte>? Raw, InferTensorContents? Contents);

/// <summary>An output tensor as raw little-endian bytes of its datatype; <paramref name="Classes"/> names the columns of a ZipMap's probability matrix.</summary>
internal sealed record RawOutput(string Name, string Datatype, long[] Shape, byte[] Data, IReadOnlyList<string>? Classes = null);

/// <summary>
/// The tensor path without JSON, for gRPC's raw_input_contents (and typed contents): bytes go
/// straight into ONNX Runtime tensors and the outputs' memory straight back out. It checks what
/// <see cref="TensorInference"/> checks (names, datatype, rank, fixed dimensions, element count,
/// rows, finite values in and out), so the answer is the one REST gives for the same tensors.
/// </summary>
internal static class RawTensorInference
{
    /// <summary>Runs the tensors and returns the outputs asked for (all when none are named).</summary>
    /// <exception cref="BadRequestException">The request does not fit the graph (400) or the model gave non-finite values (500).</exception>
    public static IReadOnlyList<RawOutput> Infer(OnnxScorer scorer, IReadOnlyList<RawInput> inputs, IReadOnlyList<string?> requested, int maxRows, out int rows)
    {
        var wanted = TensorInference.Wanted(requested, scorer.Signature);
        return TensorInference.Run(
            scorer,
            inputs.Select(t => (t.Name, t)).ToList(),
            wanted,
            (spec, t) =>
            {
                var (shape, count, r) = TensorInference.CheckShape(spec, t.Datatype, t.Shape, maxRows);
                return (Create(spec, t, shape, count), r);
            },
            results => (IReadOnlyList<RawOutput>)[.. wanted.Select((spec, i) => Output(spec, results[i], scorer))],
            out rows);
    }

    private static OrtValue Create(TensorSpec spec, RawInput t, long[] shape, long count)
    {
        var where = $"input '{spec.Name}'";
        if (t.Raw is not { } raw) return FromContents(spec, t.Contents, shape, count, where);
        if (spec.ElementType == TensorElementType.String) return Strings(TensorBytes.Strings(raw.Span, spec.Name), shape, count, where);
        var size = Size(spec.ElementType) ?? throw new BadRequestException($"{where}: {spec.Datatype} inputs are not served.");
        if (raw.Length != count * size) throw new BadRequestException($"{where}: {raw.Length} raw bytes for shape [{string.Join(", ", shape)}]: expected {count} {spec.Datatype} elements of {size} bytes ({count * size} bytes).");
        var bytes = raw.Span;
        return spec.ElementType switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Finite(MemoryMarshal.Cast<byte, float>(bytes).ToArray(), where), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Finite(MemoryMarshal.Cast<byte, double>(bytes).ToArray(), where), shape),
            TensorElementType.Float16 => OrtValue.CreateTensorValueFromMemory(Finite16(MemoryMarshal.Cast<byte, Float16>(bytes).ToArray(), where), shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, sbyte>(bytes).ToArray(), shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, short>(bytes).ToArray(), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, int>(bytes).ToArray(), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, long>(bytes).ToArray(), shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(bytes.ToArray(), shape),
            TensorElementType.UInt16 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, ushort>(bytes).ToArray(), shape),
            TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, uint>(bytes).ToArray(), shape),
            TensorElementType.UInt64 => OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<byte, ulong>(bytes).ToArray(), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(bytes.ToArray().Select(b => b != 0).ToArray(), shape),
            _ => throw new BadRequestException($"{where}: {spec.Datatype} inputs are not served."),
        };
    }

    // gRPC's typed contents: INT8/INT16 travel in int_contents, UINT8/UINT16 in uint_contents, each checked for range.
    private static OrtValue FromContents(TensorSpec spec, InferTensorContents? c, long[] shape, long count, string where)
    {
        c ??= new InferTensorContents();
        T[] Checked<TIn, T>(IReadOnlyList<TIn> values, Func<TIn, T?> convert)
            where T : struct
        {
            if (values.Count != count) throw new BadRequestException($"{where}: shape [{string.Join(", ", shape)}] holds {count} values, the contents have {values.Count}.");
            var result = new T[values.Count];
            for (var i = 0; i < result.Length; i++) result[i] = convert(values[i]) ?? throw new BadRequestException($"{where} element {i}: {values[i]} is not a {spec.Datatype} value.");
            return result;
        }

        return spec.ElementType switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(Finite(Checked<float, float>(c.Fp32Contents, x => x), where), shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(Finite(Checked<double, double>(c.Fp64Contents, x => x), where), shape),
            TensorElementType.Int8 => OrtValue.CreateTensorValueFromMemory(Checked<int, sbyte>(c.IntContents, x => x is >= sbyte.MinValue and <= sbyte.MaxValue ? (sbyte)x : null), shape),
            TensorElementType.Int16 => OrtValue.CreateTensorValueFromMemory(Checked<int, short>(c.IntContents, x => x is >= short.MinValue and <= short.MaxValue ? (short)x : null), shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(Checked<int, int>(c.IntContents, x => x), shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(Checked<long, long>(c.Int64Contents, x => x), shape),
            TensorElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(Checked<uint, byte>(c.UintContents, x => x <= byte.MaxValue ? (byte)x : null), shape),
            TensorElementType.UInt16 => OrtValue.CreateTensorValueFromMemory(Checked<uint, ushort>(c.UintContents, x => x <= ushort.MaxValue ? (ushort)x : null), shape),
            TensorElementType.UInt32 => OrtValue.CreateTensorValueFromMemory(Checked<uint, uint>(c.UintContents, x => x), shape),
            TensorElementType.UInt64 => OrtValue.CreateTensorValueFromMemory(Checked<ulong, ulong>(c.Uint64Contents, x => x), shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(Checked<bool, bool>(c.BoolContents, x => x), shape),
            TensorElementType.String => Strings(c.BytesContents.Select(b => b.ToStringUtf8()).ToList(), shape, count, where),
            _ => throw new BadRequestException($"{where}: {spec.Datatype} needs raw_input_contents (it has no typed contents)."),
        };
    }

    private static OrtValue Strings(IReadOnlyList<string> values, long[] shape, long count, string where) =>
        values.Count == count
            ? OrtValue.CreateFromStringTensor(new DenseTensor<string>(values.ToArray(), shape.Select(d => (int)d).ToArray()))
            : throw new BadRequestException($"{where}: shape [{string.Join(", ", shape)}] holds {count} values, the contents have {values.Count}.");

    private static RawOutput Output(TensorSpec spec, OrtValue value, OnnxScorer scorer)
    {
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE && spec.Kind == OnnxSignature.SequenceOfMaps)
        {
            var (matrix, keys) = scorer.ReadZipMap(value, spec.Name);
            TensorInference.CheckFinite(spec.Name, matrix, keys.Count);
            var classes = scorer.Classes is { } named && named.Count == keys.Count ? named : keys; // as the JSON path names them
            return new RawOutput(spec.Name, "FP32", [value.GetValueCount(), keys.Count], MemoryMarshal.AsBytes(matrix.AsSpan()).ToArray(), classes);
        }

        if (!value.IsTensor) throw new BadRequestException($"output '{spec.Name}' is a {spec.Kind}, which the Open Inference Protocol cannot carry; ask for the other outputs.", 500);
        var info = value.GetTensorTypeAndShape();
        var type = info.ElementDataType;
        var shape = info.Shape;
        var width = shape.Length >= 2 ? (int)shape[^1] : 1;
        byte[] data;
        switch (type)
        {
            case TensorElementType.Float:
                TensorInference.CheckFinite(spec.Name, value.GetTensorDataAsSpan<float>(), width);
                data = Bytes<float>(value);
                break;
            case TensorElementType.Double:
                {
                    var span = value.GetTensorDataAsSpan<double>();
                    for (var i = 0; i < span.Length; i++)
                    {
                        if (!double.IsFinite(span[i])) throw TensorInference.NonFinite(spec.Name, i / Math.Max(width, 1));
                    }

                    data = Bytes<double>(value);
                    break;
                }

            case TensorElementType.Float16:
                foreach (var x in value.GetTensorDataAsSpan<Float16>())
                {
                    if (!float.IsFinite((float)x)) throw TensorInference.NonFinite(spec.Name, -1);
                }

                data = Bytes<Float16>(value);
                break;
            case TensorElementType.Int64: data = Bytes<long>(value); break;
            case TensorElementType.Int32: data = Bytes<int>(value); break;
            case TensorElementType.Int16: data = Bytes<short>(value); break;
            case TensorElementType.Int8: data = Bytes<sbyte>(value); break;
            case TensorElementType.UInt64: data = Bytes<ulong>(value); break;
            case TensorElementType.UInt32: data = Bytes<uint>(value); break;
            case TensorElementType.UInt16: data = Bytes<ushort>(value); break;
            case TensorElementType.UInt8: data = Bytes<byte>(value); break;
            case TensorElementType.Bool: data = value.GetTensorDataAsSpan<bool>().ToArray().Select(b => b ? (byte)1 : (byte)0).ToArray(); break;
            case TensorElementType.String:
                {
                    using var buffer = new MemoryStream();
                    Span<byte> length = stackalloc byte[4];
                    foreach (var s in value.GetStringTensorAsArray())
                    {
                        var text = Encoding.UTF8.GetBytes(s);
                        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
                        buffer.Write(length);
                        buffer.Write(text);
                    }

                    data = buffer.ToArray();
                    break;
                }

            default: throw new BadRequestException($"output '{spec.Name}' is {type}, which is not served.", 500);
        }

        return new RawOutput(spec.Name, OnnxSignature.Datatype(type), shape, data);
    }

    private static byte[] Bytes<T>(OrtValue value)
        where T : unmanaged => MemoryMarshal.AsBytes(value.GetTensorDataAsSpan<T>()).ToArray();

    // Inputs follow the JSON rule: a NaN or infinity is refused by name, whatever protocol carried it.
    private static T[] Finite<T>(T[] values, string where)
        where T : System.Numerics.IFloatingPointIeee754<T>
    {
        foreach (var v in values)
        {
            if (!T.IsFinite(v)) throw new BadRequestException($"{where}: NaN or infinity; send a missing value through a model input that accepts it.");
        }

        return values;
    }

    private static Float16[] Finite16(Float16[] values, string where)
    {
        foreach (var v in values)
        {
            if (!float.IsFinite((float)v)) throw new BadRequestException($"{where}: NaN or infinity; send a missing value through a model input that accepts it.");
        }

        return values;
    }

    private static int? Size(TensorElementType? type) => type switch
    {
        TensorElementType.Bool or TensorElementType.Int8 or TensorElementType.UInt8 => 1,
        TensorElementType.Int16 or TensorElementType.UInt16 or TensorElementType.Float16 => 2,
        TensorElementType.Int32 or TensorElementType.UInt32 or TensorElementType.Float => 4,
        TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Double => 8,
        _ => null,
    };
}
