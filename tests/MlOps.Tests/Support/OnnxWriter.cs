using System.Text;

namespace MlOps.Tests.Support;

/// <summary>
/// Writes ONNX models (protobuf wire format, field numbers from onnx.proto) without any ONNX
/// library, so tests can build small real models and feed them to ONNX Runtime.
/// </summary>
public sealed class OnnxWriter
{
    private readonly MemoryStream _buffer = new();

    public byte[] ToArray() => _buffer.ToArray();

    public OnnxWriter Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
        return this;
    }

    public OnnxWriter Float(int field, float value)
    {
        Tag(field, 5);
        _buffer.Write(BitConverter.GetBytes(value));
        return this;
    }

    public OnnxWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public OnnxWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public OnnxWriter Message(int field, Action<OnnxWriter> build)
    {
        var inner = new OnnxWriter();
        build(inner);
        return Bytes(field, inner.ToArray());
    }

    public OnnxWriter Floats(int field, float[] values) => Bytes(field, values.SelectMany(BitConverter.GetBytes).ToArray());

    private void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    private void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _buffer.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        _buffer.WriteByte((byte)v);
    }

    // --- onnx.proto messages used by the tests ---

    /// <summary>ModelProto with opset 13, a graph and metadata_props.</summary>
    public static byte[] Model(Action<OnnxWriter> graph, IReadOnlyDictionary<string, string> metadata) =>
        new OnnxWriter()
            .Int(1, 8) // ir_version
            .String(2, "mlops-tests") // producer_name
            .Message(8, o => o.String(1, string.Empty).Int(2, 13)) // opset_import
            .Message(7, graph)
            .Apply(w =>
            {
                foreach (var (k, v) in metadata) w.Message(14, e => e.String(1, k).String(2, v));
            })
            .ToArray();

    public OnnxWriter Apply(Action<OnnxWriter> action)
    {
        action(this);
        return this;
    }

    /// <summary>GraphProto.node: NodeProto(input 1, output 2, name 3, op_type 4, attribute 5).</summary>
    public OnnxWriter Node(string op, string[] inputs, string output, params (string Name, long Value)[] intAttributes)
    {
        return Message(1, n =>
        {
            foreach (var i in inputs) n.String(1, i);
            n.String(2, output).String(3, output + "_node").String(4, op);
            foreach (var (name, value) in intAttributes) n.Message(5, a => a.String(1, name).Int(3, value).Int(20, 2));
        });
    }

    /// <summary>GraphProto.initializer: a float TensorProto(dims 1, data_type 2, float_data 4, name 8).</summary>
    public OnnxWriter Initializer(string name, long[] dims, float[] values) => Message(5, t =>
    {
        foreach (var d in dims) t.Int(1, d);
        t.Int(2, 1).Floats(4, values).String(8, name);
    });

    /// <summary>GraphProto.input (11) or output (12): ValueInfoProto with a tensor type; dims &lt; 0 are named "N".</summary>
    public OnnxWriter Value(int field, string name, int elementType, params long[] dims) => Message(field, v => v
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Int(1, elementType)
            .Message(2, shape =>
            {
                foreach (var d in dims) shape.Message(1, dim => { if (d < 0) dim.String(2, "N"); else dim.Int(1, d); });
            }))));

    public const int FloatType = 1;
}
