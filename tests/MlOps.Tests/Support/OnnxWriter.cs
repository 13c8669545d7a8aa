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

    /// <summary>ModelProto as exporters write it: a producer, opsets (domain → version), a graph, and no metadata unless given.</summary>
    public static byte[] Exported(string producer, IReadOnlyDictionary<string, long> opsets, Action<OnnxWriter> graph, IReadOnlyDictionary<string, string>? metadata = null) =>
        new OnnxWriter()
            .Int(1, 8)
            .String(2, producer)
            .Apply(w =>
            {
                foreach (var (domain, version) in opsets) w.Message(8, o => o.String(1, domain).Int(2, version));
            })
            .Message(7, graph)
            .Apply(w =>
            {
                foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) w.Message(14, e => e.String(1, k).String(2, v));
            })
            .ToArray();

    /// <summary>A NodeProto with several outputs, a domain (ai.onnx.ml) and typed attributes: long, float, string, long[], float[], string[].</summary>
    public OnnxWriter Op(string op, string[] inputs, string[] outputs, string domain = "", params (string Name, object Value)[] attributes) => Message(1, n =>
    {
        foreach (var i in inputs) n.String(1, i);
        foreach (var o in outputs) n.String(2, o);
        n.String(3, outputs[0] + "_node").String(4, op);
        foreach (var (name, value) in attributes)
        {
            n.Message(5, a =>
            {
                a.String(1, name);
                switch (value)
                {
                    case long l: a.Int(3, l).Int(20, 2); break;
                    case float f: a.Float(2, f).Int(20, 1); break;
                    case string str: a.String(4, str).Int(20, 3); break;
                    case float[] fs: foreach (var f in fs) a.Float(7, f); a.Int(20, 6); break;
                    case long[] ls: foreach (var l in ls) a.Int(8, l); a.Int(20, 7); break;
                    case string[] ss: foreach (var x in ss) a.String(9, x); a.Int(20, 8); break;
                    default: throw new ArgumentException($"attribute type {value.GetType()}");
                }
            });
        }

        if (domain.Length > 0) n.String(7, domain);
    });

    /// <summary>A graph input or output with a tensor type whose dynamic dimensions carry a name (torch writes "batch_size").</summary>
    public OnnxWriter NamedValue(int field, string name, int elementType, string dynamicName, params long[] dims) => Message(field, v => v
        .String(1, name)
        .Message(2, type => type.Message(1, tensor => tensor
            .Int(1, elementType)
            .Message(2, shape =>
            {
                foreach (var d in dims) shape.Message(1, dim => { if (d < 0) dim.String(2, dynamicName); else dim.Int(1, d); });
            }))));

    /// <summary>A graph output of type seq(map(key, tensor(float))): scikit-learn's ZipMap.</summary>
    public OnnxWriter ZipMapValue(string name, int keyType) => Message(12, v => v
        .String(1, name)
        .Message(2, type => type.Message(4, seq => seq.Message(1, elem => elem.Message(5, map => map
            .Int(1, keyType)
            .Message(2, value => value.Message(1, tensor => tensor.Int(1, FloatType))))))));

    public const int FloatType = 1;
    public const int Int64Type = 7;
    public const int StringType = 8;
}
