using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>
/// Scores an ONNX model from any exporter with ONNX Runtime (one session, reused; Run is
/// thread-safe). Columns reach the graph inputs as <see cref="OnnxBinder"/> plans them; the score
/// output is read as exporters write it: probabilities [N, K] or [N], logits (softmax or sigmoid
/// applied), or scikit-learn's ZipMap; class names come from metadata <c>mlops.classes</c>, the
/// training run, <c>model.classes</c>, the ZipMap's keys, or the label values seen in training.
/// </summary>
public sealed class OnnxScorer : IModelScorer
{
    /// <summary>Metadata key naming the columns of a single matrix input (JSON array of strings).</summary>
    public const string FeaturesKey = "mlops.features";

    /// <summary>Metadata key naming the classes of a classifier's output (JSON array of strings).</summary>
    public const string ClassesKey = "mlops.classes";

    /// <summary>Metadata key with the task (binary, multiclass, regression).</summary>
    public const string TaskKey = "mlops.task";

    private const int BatchRows = 16384;
    private const float ProbabilitySlack = 1e-4f;
    private readonly InferenceSession _session;
    private readonly string _path;
    private readonly IReadOnlyList<InputPlan> _plans;
    private readonly TensorSpec? _score;
    private readonly ScoreKind _scores;
    private readonly int _width;
    private readonly int _positiveColumn;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly IReadOnlyList<ModelInput>[] _planInputs; // per graph input, built once: Score runs per request
    private readonly string[] _outputNames;

    private OnnxScorer(InferenceSession session, string path, ModelTask task, OnnxSignature signature, IReadOnlyList<InputPlan> plans, string? unavailable, TensorSpec? score, ScoreKind scores, int width, int positiveColumn, IReadOnlyList<string>? classes, ModelMapping? mapping)
    {
        _session = session;
        _path = path;
        Task = task;
        Signature = signature;
        _plans = plans;
        RowsUnavailable = unavailable;
        _score = score;
        _scores = scores;
        _width = width;
        _positiveColumn = positiveColumn;
        Classes = classes;
        Mapping = mapping;
        _inputNames = plans.Select(p => p.Spec.Name).ToArray();
        _planInputs = plans.Select(p => (IReadOnlyList<ModelInput>)p.Columns.Select(c => new ModelInput(c, p.Kind)).ToList()).ToArray();
        _outputNames = score is null ? [] : [score.Name];
        Inputs = unavailable is not null ? [] : plans.SelectMany(p => p.Columns.Select(c => new ModelInput(c, p.Kind))).DistinctBy(i => i.Name).ToList();
    }

    /// <inheritdoc/>
    public string Format => "onnx";

    /// <inheritdoc/>
    public ModelTask Task { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ModelInput> Inputs { get; }

    /// <inheritdoc/>
    public string? RowsUnavailable { get; }

    /// <summary>Classifiers: the class names in output order.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Which columns feed which input and how the outputs are read; null when rows cannot be scored.</summary>
    public ModelMapping? Mapping { get; }

    /// <summary>The graph's real inputs and outputs.</summary>
    public OnnxSignature Signature { get; }

    /// <summary>Loads a model that carries our metadata or one input per column.</summary>
    public static OnnxScorer Load(string path, ModelTask task) => Load(path, task, ModelBinding.None);

    /// <summary>Loads an ONNX model for a task with what the stage knows about its data.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="task">The task from mlops.yaml, or null to serve tensors only; the model's mlops.task metadata must agree when present.</param>
    /// <param name="binding">The model: settings, the recorded mapping and the data's columns.</param>
    /// <exception cref="DataException">The file is not a usable ONNX model for the task; the message names the input or output and what was expected.</exception>
    /// <exception cref="ConfigException">mlops.yaml model: names an input or output the model lacks.</exception>
    public static OnnxScorer Load(string path, ModelTask? task, ModelBinding binding)
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
            return Bind(session, path, task, binding);
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
        if (RowsUnavailable is not null) throw Errors.Data(_path, RowsUnavailable);
        var columns = _planInputs.Select(inputs => ModelInputs.Resolve(table, inputs, _path)).ToArray();
        var n = rows.Length;
        var output = new float[n * (Task == ModelTask.Multiclass ? _width : 1)];
        var batches = (n + BatchRows - 1) / BatchRows;

        // Batches run on every core: gathering the row-major matrix from the column store costs
        // as much as the model itself for small models, and both halves parallelize.
        try
        {
            Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = batches > 1 ? Environment.ProcessorCount : 1 }, b => ScoreBatch(columns, rows, b * BatchRows, Math.Min(BatchRows, n - (b * BatchRows)), output));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        return Task switch
        {
            ModelTask.Binary => Predictions.Binary(output),
            ModelTask.Multiclass => Predictions.Multiclass(Classes!, output),
            _ => Predictions.Regression(output),
        };
    }

    private void ScoreBatch(TableColumn[][] columns, int[] rows, int start, int count, float[] output)
    {
        var batch = rows.AsSpan(start, count);
        var feeds = new List<OrtValue>(_plans.Count);
        var rented = new List<float[]>(_plans.Count);
        try
        {
            for (var i = 0; i < _plans.Count; i++)
            {
                feeds.Add(OnnxFeeds.FromColumns(_plans[i], columns[i], batch, out var buffer));
                if (buffer is not null) rented.Add(buffer);
            }

            using var results = _session.Run(_runOptions, _inputNames, feeds, _outputNames);
            Collect(results[0], output, start, count);
        }
        finally
        {
            foreach (var f in feeds) f.Dispose();
            foreach (var b in rented) System.Buffers.ArrayPool<float>.Shared.Return(b);
        }
    }

    /// <summary>Runs the graph on tensors as clients send them (V2 /infer); the caller disposes the inputs and the results.</summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputs, IReadOnlyCollection<string> outputNames)
    {
        using var options = new RunOptions();
        return _session.Run(options, inputNames, inputs, outputNames);
    }

    /// <summary>A ZipMap output of <see cref="Run"/> as a row-major [N, K] matrix, with the class names its keys give.</summary>
    public (float[] Matrix, IReadOnlyList<string> Classes) ReadZipMap(OrtValue sequence, string output)
    {
        var rows = sequence.GetValueCount();
        if (rows == 0) return ([], Classes ?? []);
        IReadOnlyList<string> keys;
        using (var first = sequence.GetValue(0, OrtAllocator.DefaultInstance)) keys = OnnxFeeds.KeysOf(first, output, _path);
        return (OnnxFeeds.ReadZipMap(sequence, rows, keys.Count, output, _path), keys);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    private static OnnxScorer Bind(InferenceSession session, string path, ModelTask? task, ModelBinding binding)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var signature = OnnxSignature.Of(session);
        if (metadata.TryGetValue(TaskKey, out var declared) && task is { } t && declared != t.Name())
        {
            throw Errors.Data(path, $"the model says it is a {declared} model ({TaskKey}); mlops.yaml says task: {t.Name()}.");
        }

        var (plans, unavailable) = OnnxBinder.Inputs(signature, metadata, binding, path);
        if (task is not { } known)
        {
            // Tensor serving: no task, so no row views.
            return new OnnxScorer(session, path, ModelTask.Regression, signature, plans, unavailable ?? "the task is unknown: give --task (or task: in mlops.yaml) to score rows.", null, ScoreKind.Probabilities, 1, 1, null, null);
        }

        var settings = binding.Settings;
        var recorded = binding.Recorded;
        var score = OnnxBinder.ScoreOutput(signature, known, settings, recorded, path);
        var label = OnnxBinder.LabelOutput(signature, settings, recorded, path);
        var scores = recorded?.Scores == "logits" ? ScoreKind.Logits : settings.Scores;
        IReadOnlyList<string>? classes = null;
        string? classesFrom = null;
        var width = (int)OnnxBinder.Width(score);
        if (known != ModelTask.Regression)
        {
            (classes, classesFrom) = ResolveClasses(session, signature, metadata, score, binding, path);
            if (score.Kind == OnnxSignature.SequenceOfMaps) width = classes?.Count ?? -1;
            if (classes is not null && width > 0 && classes.Count != width && !(known == ModelTask.Binary && width == 1 && classes.Count == 2))
            {
                throw Errors.Data(path, $"output '{score.Name}' has {width} columns but {classesFrom} names {classes.Count} classes ({string.Join(", ", classes)}).");
            }

            if (known == ModelTask.Multiclass && classes is null)
            {
                throw Errors.Data(path, $"cannot tell the class of each column of output '{score.Name}' {score.ShapeText}: name them in mlops.yaml model.classes (in output order), or in metadata '{ClassesKey}'.");
            }

            if (known == ModelTask.Multiclass && classes!.Count < 2) throw Errors.Data(path, $"output '{score.Name}' has {classes.Count} column; a multiclass model gives [N, K] class probabilities.");
            if (known == ModelTask.Binary && width is not (1 or 2) && width > 0)
            {
                throw Errors.Data(path, $"output '{score.Name}' has {width} columns; a binary model gives the positive-class probability as [N], [N, 1] or [N, 2].");
            }

            if (known == ModelTask.Multiclass) width = classes!.Count;
        }
        else if (score.Kind != OnnxSignature.Tensor)
        {
            throw Errors.Data(path, $"output '{score.Name}' is a {score.Kind}; a regression model gives its values as an FP32 or FP64 tensor [N] or [N, 1].");
        }

        var positive = known == ModelTask.Binary && classes is { Count: 2 } && binding.PositiveClass is { } p && classes.Contains(p) ? classes.ToList().IndexOf(p) : 1;
        string? transform = scores == ScoreKind.Logits && known != ModelTask.Regression
            ? (known == ModelTask.Multiclass || width == 2 ? "softmax" : "sigmoid")
            : null;
        var mapping = unavailable is not null ? null : new ModelMapping(
            plans.Select(pl => new InputMapping(pl.Spec.Name, pl.Spec.Datatype, pl.Spec.Shape, pl.Columns, pl.From)).ToList(),
            score.Name,
            label,
            scores == ScoreKind.Logits ? "logits" : "probabilities",
            transform,
            classes,
            classesFrom);
        return new OnnxScorer(session, path, known, signature, plans, unavailable, score, scores, width, positive, classes, mapping);
    }

    private static (IReadOnlyList<string>? Classes, string? From) ResolveClasses(InferenceSession session, OnnxSignature signature, IReadOnlyDictionary<string, string> metadata, TensorSpec score, ModelBinding binding, string path)
    {
        if (metadata.TryGetValue(ClassesKey, out var c)) return (OnnxBinder.JsonArray(c, ClassesKey, path), $"model metadata {ClassesKey}");
        if (binding.Recorded?.Classes is { } recorded) return (recorded, binding.Recorded.ClassesFrom ?? ModelMapping.From.RunRecord);
        if (binding.Settings.Classes is { } configured) return (configured, "mlops.yaml model.classes");
        if (score.Kind == OnnxSignature.SequenceOfMaps) return (OnnxFeeds.ZipMapKeys(session, signature, score.Name, path), $"the keys of ZipMap output '{score.Name}'");
        if (binding.TrainingClasses is { } seen) return (seen, "the label values seen in training, sorted");
        return (null, null);
    }

    private void Collect(OrtValue value, float[] output, int start, int count)
    {
        int width;
        float[] block;
        if (value.OnnxType == OnnxValueType.ONNX_TYPE_SEQUENCE)
        {
            block = OnnxFeeds.ReadZipMap(value, count, _width, _score!.Name, _path);
            width = _width;
        }
        else
        {
            var shape = value.GetTensorTypeAndShape().Shape;
            if (shape.Length == 0 || shape[0] != count) throw Errors.Data(_path, $"output '{_score!.Name}' returned {(shape.Length == 0 ? 0 : shape[0])} rows for {count} inputs.");
            width = shape.Length >= 2 ? (int)shape[^1] : 1;
            if (Task == ModelTask.Multiclass && width != _width) throw Errors.Data(_path, $"output '{_score!.Name}' returned {width} columns; {Classes!.Count} classes were expected.");
            block = OnnxFeeds.ReadFloats(value, count * width);
        }

        if (_scores == ScoreKind.Logits && Task != ModelTask.Regression) Normalize(block, count, width);
        else if (Task != ModelTask.Regression) CheckProbabilities(block, count, width, start);

        switch (Task)
        {
            case ModelTask.Multiclass:
                block.AsSpan(0, count * width).CopyTo(output.AsSpan(start * width));
                break;
            case ModelTask.Binary when width == 2:
                for (var i = 0; i < count; i++) output[start + i] = block[(i * 2) + _positiveColumn];
                break;
            default:
                for (var i = 0; i < count; i++) output[start + i] = block[i * width];
                break;
        }
    }

    // Logits become probabilities: softmax across a row of several, sigmoid for one positive-class score.
    private static void Normalize(float[] block, int count, int width)
    {
        for (var r = 0; r < count; r++)
        {
            var row = block.AsSpan(r * width, width);
            if (width == 1)
            {
                row[0] = 1f / (1f + MathF.Exp(-row[0]));
                continue;
            }

            var max = float.NegativeInfinity;
            foreach (var v in row) max = MathF.Max(max, v);
            var sum = 0f;
            for (var k = 0; k < width; k++)
            {
                row[k] = MathF.Exp(row[k] - max);
                sum += row[k];
            }

            for (var k = 0; k < width; k++) row[k] /= sum;
        }
    }

    private void CheckProbabilities(float[] block, int count, int width, int start)
    {
        for (var i = 0; i < count * width; i++)
        {
            if (block[i] is < -ProbabilitySlack or > 1 + ProbabilitySlack)
            {
                throw Errors.Data(_path, string.Create(CultureInfo.InvariantCulture, $"output '{_score!.Name}' gives {block[i]:G4} at row {start + (i / width)}, outside [0, 1]: these look like logits; set model.scores: logits in mlops.yaml (softmax or sigmoid is then applied), or name the probability output in model.outputs.probabilities."));
            }
        }
    }
}
