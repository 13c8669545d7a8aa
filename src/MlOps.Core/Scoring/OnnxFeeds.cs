using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>Builds ONNX Runtime inputs from table columns and reads its outputs back as floats.</summary>
internal static class OnnxFeeds
{
    /// <summary>One input tensor for a batch of rows: [N] or [N, F] of the input's element type, row-major.</summary>
    public static OrtValue FromColumns(InputPlan plan, TableColumn[] columns, ReadOnlySpan<int> rows, out float[]? rented)
    {
        rented = null;
        var f = columns.Length;
        long[] shape = plan.Spec.Shape.Count == 1 ? [rows.Length] : [rows.Length, f];
        var type = plan.Spec.ElementType!.Value;
        if (type == TensorElementType.String)
        {
            var texts = new string[rows.Length * f];
            var k = 0;
            foreach (var r in rows)
            {
                for (var c = 0; c < f; c++) texts[k++] = columns[c].Texts![r] ?? string.Empty;
            }

            return OrtValue.CreateFromStringTensor(new DenseTensor<string>(texts, shape.Select(d => (int)d).ToArray()));
        }

        var sources = new float[f][];
        for (var c = 0; c < f; c++) sources[c] = columns[c].Numbers!;
        switch (type)
        {
            case TensorElementType.Float:
                {
                    // Row-major writes: the matrix is filled front to back, one cache line at a time.
                    // The buffer is pooled (a batch is above the large-object threshold); the caller returns it.
                    var length = rows.Length * f;
                    var data = System.Buffers.ArrayPool<float>.Shared.Rent(length);
                    rented = data;
                    var k = 0;
                    foreach (var r in rows)
                    {
                        for (var c = 0; c < f; c++) data[k++] = sources[c][r];
                    }

                    return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data.AsMemory(0, length), shape);
                }

            case TensorElementType.Double:
                {
                    var data = new double[rows.Length * f];
                    var k = 0;
                    foreach (var r in rows)
                    {
                        for (var c = 0; c < f; c++) data[k++] = sources[c][r];
                    }

                    return OrtValue.CreateTensorValueFromMemory(data, shape);
                }

            case TensorElementType.Bool:
                {
                    var data = new bool[rows.Length * f];
                    var k = 0;
                    foreach (var r in rows)
                    {
                        for (var c = 0; c < f; c++) data[k++] = Whole(sources[c][r], plan, columns[c], r) != 0;
                    }

                    return OrtValue.CreateTensorValueFromMemory(data, shape);
                }

            case TensorElementType.Int32:
                {
                    var data = new int[rows.Length * f];
                    var k = 0;
                    foreach (var r in rows)
                    {
                        for (var c = 0; c < f; c++) data[k++] = checked((int)Whole(sources[c][r], plan, columns[c], r));
                    }

                    return OrtValue.CreateTensorValueFromMemory(data, shape);
                }

            default:
                {
                    var data = new long[rows.Length * f];
                    var k = 0;
                    foreach (var r in rows)
                    {
                        for (var c = 0; c < f; c++) data[k++] = Whole(sources[c][r], plan, columns[c], r);
                    }

                    return OrtValue.CreateTensorValueFromMemory(data, shape);
                }
        }
    }

    /// <summary>FP32 or FP64 tensor data as floats.</summary>
    public static float[] ReadFloats(OrtValue value, int length)
    {
        var result = new float[length];
        if (value.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double)
        {
            var span = value.GetTensorDataAsSpan<double>();
            for (var i = 0; i < length; i++) result[i] = (float)span[i];
        }
        else
        {
            value.GetTensorDataAsSpan<float>()[..length].CopyTo(result);
        }

        return result;
    }

    /// <summary>scikit-learn's ZipMap output (one map of class → probability per row) as a row-major [N, K] matrix.</summary>
    public static float[] ReadZipMap(OrtValue sequence, int count, int width, string name, string path)
    {
        var rows = sequence.GetValueCount();
        if (rows != count) throw Errors.Data(path, $"output '{name}' returned {rows} rows for {count} inputs.");
        var result = new float[count * width];
        var allocator = OrtAllocator.DefaultInstance;
        for (var r = 0; r < count; r++)
        {
            using var map = sequence.GetValue(r, allocator);
            using var values = map.GetValue(1, allocator);
            var span = ReadFloats(values, (int)values.GetTensorTypeAndShape().ElementCount);
            if (span.Length != width) throw Errors.Data(path, $"output '{name}' row {r} has {span.Length} classes; the first row had {width}.");
            span.CopyTo(result, r * width);
        }

        return result;
    }

    /// <summary>The keys of one map of a ZipMap output, as class names.</summary>
    public static IReadOnlyList<string> KeysOf(OrtValue map, string output, string path)
    {
        using var keys = map.GetValue(0, OrtAllocator.DefaultInstance);
        return keys.GetTensorTypeAndShape().ElementDataType switch
        {
            TensorElementType.Int64 => keys.GetTensorDataAsSpan<long>().ToArray().Select(k => k.ToString(CultureInfo.InvariantCulture)).ToList(),
            TensorElementType.String => keys.GetStringTensorAsArray(),
            var other => throw Errors.Data(path, $"output '{output}' is a ZipMap with {OnnxSignature.Datatype(other)} keys; expected INT64 or string class labels."),
        };
    }

    /// <summary>The class keys of a ZipMap output, read by running the model once on a row of zeros.</summary>
    public static IReadOnlyList<string> ZipMapKeys(InferenceSession session, OnnxSignature signature, string output, string path)
    {
        var feeds = new List<OrtValue>();
        try
        {
            foreach (var input in signature.Inputs) feeds.Add(Zeros(input, path));
            using var options = new RunOptions();
            using var results = session.Run(options, signature.Inputs.Select(i => i.Name).ToArray(), feeds, [output]);
            var sequence = results[0];
            if (sequence.GetValueCount() == 0) throw Errors.Data(path, $"output '{output}' returned no rows for one input row.");
            using var map = sequence.GetValue(0, OrtAllocator.DefaultInstance);
            return KeysOf(map, output, path);
        }
        catch (OnnxRuntimeException e)
        {
            throw Errors.Data(path, $"could not read the classes of ZipMap output '{output}' ({e.Message.Split('\n')[0]}); name them in mlops.yaml model.classes.");
        }
        finally
        {
            foreach (var f in feeds) f.Dispose();
        }
    }

    private static OrtValue Zeros(TensorSpec input, string path)
    {
        if (!input.IsTensor) throw Errors.Data(path, $"input '{input.Name}' is a {input.Kind}; expected tensors.");
        var shape = input.Shape.Select(d => d < 0 ? 1L : d).ToArray();
        var count = (int)shape.Aggregate(1L, (a, b) => a * b);
        return input.ElementType switch
        {
            TensorElementType.Float => OrtValue.CreateTensorValueFromMemory(new float[count], shape),
            TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(new double[count], shape),
            TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(new long[count], shape),
            TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(new int[count], shape),
            TensorElementType.Bool => OrtValue.CreateTensorValueFromMemory(new bool[count], shape),
            TensorElementType.String => OrtValue.CreateFromStringTensor(new DenseTensor<string>(Enumerable.Repeat(string.Empty, count).ToArray(), shape.Select(d => (int)d).ToArray())),
            _ => throw Errors.Data(path, $"input '{input.Name}' takes {input.Datatype}; name the classes in mlops.yaml model.classes."),
        };
    }

    // Integer inputs have no missing value: a hole in the data is an error naming the column and row.
    private static long Whole(float value, InputPlan plan, TableColumn column, int row)
    {
        if (float.IsNaN(value)) throw Errors.Data(column.Name, $"row {row + 1} is missing, and input '{plan.Spec.Name}' takes {plan.Spec.Datatype}, which has no missing value; impute it before scoring.");
        return (long)value;
    }
}
