using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Scoring;

/// <summary>One graph input or output as the Open Inference Protocol describes it.</summary>
/// <param name="Name">The graph's name for it.</param>
/// <param name="Datatype">FP32, FP64, FP16, BF16, INT8..INT64, UINT8..UINT64, BOOL, BYTES; for a non-tensor, what it is read as.</param>
/// <param name="Shape">Dimensions, -1 where dynamic.</param>
/// <param name="ElementType">The ONNX element type (tensors only).</param>
/// <param name="Kind">tensor, or "sequence of maps" (scikit-learn's ZipMap), sequence, map.</param>
public sealed record TensorSpec(string Name, string Datatype, IReadOnlyList<long> Shape, TensorElementType? ElementType, string Kind)
{
    /// <summary>True for a plain tensor.</summary>
    public bool IsTensor => Kind == OnnxSignature.Tensor;

    /// <summary>[N, 4] style, for messages.</summary>
    public string ShapeText => $"[{string.Join(", ", Shape.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]";
}

/// <summary>A model's real inputs and outputs, read from the ONNX Runtime session.</summary>
/// <param name="Inputs">The graph inputs, in graph order.</param>
/// <param name="Outputs">The graph outputs, in graph order.</param>
public sealed record OnnxSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    /// <summary>The kind of a plain tensor.</summary>
    public const string Tensor = "tensor";

    /// <summary>The kind of scikit-learn's ZipMap output: one map of class to probability per row.</summary>
    public const string SequenceOfMaps = "sequence of maps";

    /// <summary>Reads the signature of a session.</summary>
    public static OnnxSignature Of(InferenceSession session) => new(
        session.InputMetadata.Select(p => Spec(p.Key, p.Value)).ToList(),
        session.OutputMetadata.Select(p => Spec(p.Key, p.Value)).ToList());

    /// <summary>The Open Inference Protocol datatype of an ONNX element type.</summary>
    public static string Datatype(TensorElementType type) => type switch
    {
        TensorElementType.Float => "FP32",
        TensorElementType.Double => "FP64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.BFloat16 => "BF16",
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        TensorElementType.Bool => "BOOL",
        TensorElementType.String => "BYTES",
        _ => type.ToString().ToUpperInvariant(),
    };

    private static TensorSpec Spec(string name, NodeMetadata m)
    {
        if (m.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR)
        {
            return new TensorSpec(name, Datatype(m.ElementDataType), m.Dimensions.Select(d => (long)d).ToList(), m.ElementDataType, Tensor);
        }

        if (m.OnnxValueType == OnnxValueType.ONNX_TYPE_SEQUENCE && m.AsSequenceMetadata().ElementMeta is { OnnxValueType: OnnxValueType.ONNX_TYPE_MAP })
        {
            // ZipMap: read as an FP32 [N, K] matrix of class probabilities.
            return new TensorSpec(name, "FP32", [-1, -1], null, SequenceOfMaps);
        }

        var kind = m.OnnxValueType switch
        {
            OnnxValueType.ONNX_TYPE_SEQUENCE => "sequence",
            OnnxValueType.ONNX_TYPE_MAP => "map",
            _ => m.OnnxValueType.ToString(),
        };
        return new TensorSpec(name, "BYTES", [-1], null, kind);
    }
}
