using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>
/// Scores an ONNX model with ONNX Runtime (one session, reused; sessions are thread-safe for Run).
/// Inputs map to columns either one input per column (named like the column, shape [N] or [N,1],
/// float or string) or one float matrix [N, F] whose columns are named by the model's metadata
/// property <c>mlops.features</c> (a JSON array). Outputs: binary takes the positive-class
/// probability ([N,2] column 1, or [N]/[N,1]); multiclass a [N,K] probability matrix whose class
/// names come from metadata <c>mlops.classes</c>; regression the first float output.
/// </summary>
public sealed class OnnxScorer : IModelScorer
{
    /// <summary>Metadata key naming the columns of a single matrix input (JSON array of strings).</summary>
    public const string FeaturesKey = "mlops.features";

    /// <summary>Metadata key naming the classes of a multiclass output (JSON array of strings).</summary>
    public const string ClassesKey = "mlops.classes";

    /// <summary>Metadata key with the task (binary, multiclass, regression).</summary>
    public const string TaskKey = "mlops.task";

    private const int BatchRows = 8192;
    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly string? _matrixInput;
    private readonly string _output;
    private readonly int _outputWidth;

    private OnnxScorer(InferenceSession session, string path, ModelTask task, IReadOnlyList<ModelInput> inputs, string? matrixInput, string output, int outputWidth, IReadOnlyList<string>? classes)
    {
        _session = session;
        _path = path;
        Task = task;
        Inputs = inputs;
        _matrixInput = matrixInput;
        _output = output;
        _outputWidth = outputWidth;
        Classes = classes;
    }

    /// <inheritdoc/>
    public string Format => "onnx";

    /// <inheritdoc/>
    public ModelTask Task { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <summary>Multiclass: the class names in output order.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Loads an ONNX model for a task.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="task">The task from mlops.yaml; the model's mlops.task metadata must agree when present.</param>
    /// <exception cref="DataException">The file is not a usable ONNX model for the task; the message names the input or output and what was expected.</exception>
    public static OnnxScorer Load(string path, ModelTask task)
    {
        if (!File.Exists(path)) throw Errors.Data(path, "model file not found.");
        InferenceSession session;
        try
        {
            var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw Errors.Data(path, $"not a loadable ONNX model ({e.Message.Split('\n')[0]}).");
        }

        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            if (metadata.TryGetValue(TaskKey, out var declared) && declared != task.Name())
            {
                throw Errors.Data(path, $"the model says it is a {declared} model ({TaskKey}); mlops.yaml says task: {task.Name()}.");
            }

            var (inputs, matrix) = MapInputs(session, metadata, path);
            var (output, width) = PickOutput(session, task, path);
            IReadOnlyList<string>? classes = null;
            if (task == ModelTask.Multiclass)
            {
                classes = metadata.TryGetValue(ClassesKey, out var c) ? JsonArray(c, ClassesKey, path)
                    : throw Errors.Data(path, $"a multiclass ONNX model must name its classes in metadata '{ClassesKey}' (a JSON array, in output order).");
                if (classes.Count != width)
                {
                    throw Errors.Data(path, $"output '{output}' has {width} columns but '{ClassesKey}' names {classes.Count} classes.");
                }
            }

            return new OnnxScorer(session, path, task, inputs, matrix, output, width, classes);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public Predictions Score(Table table, int[] rows)
    {
        var columns = ModelInputs.Resolve(table, Inputs, _path);
        var n = rows.Length;
        var output = new float[n * (Task == ModelTask.Multiclass ? _outputWidth : 1)];
        for (var start = 0; start < n; start += BatchRows)
        {
            var count = Math.Min(BatchRows, n - start);
            var batch = rows.AsSpan(start, count);
            var feeds = _matrixInput is not null ? [Matrix(_matrixInput, columns, batch)] : Columns(columns, batch);
            using var results = _session.Run(feeds, [_output]);
            var tensor = results[0].AsTensor<float>();
            Collect(tensor, output, start, count);
        }

        return Task switch
        {
            ModelTask.Binary => Predictions.Binary(output),
            ModelTask.Multiclass => Predictions.Multiclass(Classes!, output),
            _ => Predictions.Regression(output),
        };
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    private void Collect(Tensor<float> tensor, float[] output, int start, int count)
    {
        var dims = tensor.Dimensions;
        var width = dims.Length >= 2 ? dims[^1] : 1;
        var dense = tensor as DenseTensor<float> ?? tensor.ToDenseTensor();
        var span = dense.Buffer.Span;
        if (dims.Length == 0 || dims[0] != count) throw Errors.Data(_path, $"output '{_output}' returned {(dims.Length == 0 ? 0 : dims[0])} rows for {count} inputs.");
        switch (Task)
        {
            case ModelTask.Multiclass:
                span[..(count * width)].CopyTo(output.AsSpan(start * width));
                break;
            case ModelTask.Binary when width == 2:
                for (var i = 0; i < count; i++) output[start + i] = span[(i * 2) + 1];
                break;
            default:
                for (var i = 0; i < count; i++) output[start + i] = span[i * width];
                break;
        }
    }

    private static NamedOnnxValue Matrix(string name, TableColumn[] columns, ReadOnlySpan<int> rows)
    {
        var f = columns.Length;
        var data = new float[rows.Length * f];
        var sources = new float[f][];
        for (var c = 0; c < f; c++) sources[c] = columns[c].Numbers!;

        // Row-major writes: the matrix is filled front to back, one cache line at a time.
        var k = 0;
        foreach (var r in rows)
        {
            for (var c = 0; c < f; c++) data[k++] = sources[c][r];
        }

        return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data, [rows.Length, f]));
    }

    private List<NamedOnnxValue> Columns(TableColumn[] columns, ReadOnlySpan<int> rows)
    {
        var feeds = new List<NamedOnnxValue>(columns.Length);
        for (var c = 0; c < columns.Length; c++)
        {
            var meta = _session.InputMetadata[Inputs[c].Name];
            int[] shape = meta.Dimensions.Length == 1 ? [rows.Length] : [rows.Length, 1];
            if (columns[c].Kind == ColumnKind.Text)
            {
                var texts = columns[c].Texts!;
                var data = new string[rows.Length];
                for (var i = 0; i < rows.Length; i++) data[i] = texts[rows[i]] ?? string.Empty;
                feeds.Add(NamedOnnxValue.CreateFromTensor(Inputs[c].Name, new DenseTensor<string>(data, shape)));
            }
            else
            {
                var numbers = columns[c].Numbers!;
                var data = new float[rows.Length];
                for (var i = 0; i < rows.Length; i++) data[i] = numbers[rows[i]];
                feeds.Add(NamedOnnxValue.CreateFromTensor(Inputs[c].Name, new DenseTensor<float>(data, shape)));
            }
        }

        return feeds;
    }

    private static (IReadOnlyList<ModelInput> Inputs, string? Matrix) MapInputs(InferenceSession session, IReadOnlyDictionary<string, string> metadata, string path)
    {
        var inputs = session.InputMetadata;
        if (inputs.Count == 1 && inputs.Single() is var (name, meta) && meta.Dimensions.Length == 2 && meta.Dimensions[1] != 1 && meta.ElementType == typeof(float))
        {
            var features = metadata.TryGetValue(FeaturesKey, out var f) ? JsonArray(f, FeaturesKey, path)
                : throw Errors.Data(path, $"input '{name}' is a [N, {Dim(meta.Dimensions[1])}] matrix; name its columns in metadata '{FeaturesKey}' (a JSON array) or give the model one input per column.");
            if (meta.Dimensions[1] > 0 && meta.Dimensions[1] != features.Count)
            {
                throw Errors.Data(path, $"input '{name}' has {meta.Dimensions[1]} columns but '{FeaturesKey}' names {features.Count}.");
            }

            return (features.Select(x => new ModelInput(x, ColumnKind.Numeric)).ToList(), name);
        }

        var list = new List<ModelInput>();
        foreach (var (inputName, m) in inputs)
        {
            if (m.Dimensions.Length is not (1 or 2) || (m.Dimensions.Length == 2 && m.Dimensions[1] != 1))
            {
                throw Errors.Data(path, $"input '{inputName}' has shape [{string.Join(", ", m.Dimensions.Select(Dim))}]; expected [N] or [N, 1] per column, or one [N, F] float matrix.");
            }

            var kind = m.ElementType == typeof(float) ? ColumnKind.Numeric
                : m.ElementType == typeof(string) ? ColumnKind.Text
                : throw Errors.Data(path, $"input '{inputName}' has element type {m.ElementType.Name}; expected float or string.");
            list.Add(new ModelInput(inputName, kind));
        }

        return (list, null);
    }

    private static (string Name, int Width) PickOutput(InferenceSession session, ModelTask task, string path)
    {
        var floats = session.OutputMetadata.Where(o => o.Value.IsTensor && o.Value.ElementType == typeof(float)).ToList();
        if (floats.Count == 0) throw Errors.Data(path, "the model has no float tensor output (probabilities or values); if it was converted from scikit-learn, convert with zipmap=False.");
        static int Width(NodeMetadata m) => m.Dimensions.Length >= 2 ? m.Dimensions[^1] : 1;
        var preferred = floats.FirstOrDefault(o => o.Key.Contains("prob", StringComparison.OrdinalIgnoreCase));
        var chosen = preferred.Key is not null ? preferred : floats[0];
        var width = Width(chosen.Value);
        if (task == ModelTask.Binary && width is not (1 or 2))
        {
            throw Errors.Data(path, $"output '{chosen.Key}' has {width} columns; a binary model gives the positive-class probability as [N], [N, 1] or [N, 2].");
        }

        if (task == ModelTask.Multiclass && width < 2)
        {
            throw Errors.Data(path, $"output '{chosen.Key}' has {Dim(width)} columns; a multiclass model gives [N, K] class probabilities.");
        }

        return (chosen.Key, width);
    }

    private static IReadOnlyList<string> JsonArray(string json, string key, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(json) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw Errors.Data(path, $"metadata '{key}' must be a JSON array of strings.");
        }
    }

    private static string Dim(int d) => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
