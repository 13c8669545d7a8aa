using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>The columns that feed one graph input, with the kind of values it takes.</summary>
internal sealed record InputPlan(TensorSpec Spec, string[] Columns, string From, ColumnKind Kind);

/// <summary>
/// Decides how an ONNX model meets a table: which columns feed each graph input and which output
/// is read as what. Rules, first match wins, per input: the training run's recorded mapping,
/// mlops.yaml <c>model.inputs</c>, <c>model.features</c> (single matrix input), the model's
/// <c>mlops.features</c> metadata, the input's own name (one column), and for one remaining
/// matrix input the data's other feature columns in file order when their count matches.
/// </summary>
internal static class OnnxBinder
{
    /// <summary>Plans the inputs; <c>Unavailable</c> says why rows cannot be scored (tensor serving still works).</summary>
    public static (IReadOnlyList<InputPlan> Inputs, string? Unavailable) Inputs(OnnxSignature signature, IReadOnlyDictionary<string, string> metadata, ModelBinding binding, string path)
    {
        var settings = binding.Settings;
        foreach (var name in settings.Inputs.Keys)
        {
            if (!signature.Inputs.Any(i => i.Name == name))
            {
                throw Errors.Config("model.inputs", $"'{name}' is not an input of {Path.GetFileName(path)}; its inputs: {string.Join(", ", signature.Inputs.Select(i => $"{i.Name} {i.ShapeText}"))}.");
            }
        }

        var matrices = signature.Inputs.Where(IsMatrix).ToList();
        if (settings.Features is not null && matrices.Count != 1)
        {
            throw Errors.Config("model.features", $"applies to a model with one matrix input; {Path.GetFileName(path)} has {matrices.Count} ({string.Join(", ", signature.Inputs.Select(i => $"{i.Name} {i.ShapeText}"))}): name each in model.inputs.");
        }

        var plans = new List<InputPlan?>();
        string? unavailable = null;
        foreach (var spec in signature.Inputs)
        {
            if (!spec.IsTensor || spec.Shape.Count is not (1 or 2))
            {
                unavailable ??= $"input '{spec.Name}' is a {spec.Kind} {spec.ShapeText}; table rows cannot feed it (send tensors to /v2/models/NAME/infer).";
                plans.Add(null);
                continue;
            }

            var kind = KindOf(spec.ElementType!.Value);
            if (kind is null)
            {
                unavailable ??= $"input '{spec.Name}' takes {spec.Datatype}; table rows feed FP32, FP64, INT32, INT64, BOOL or BYTES inputs (send tensors to /v2/models/NAME/infer).";
                plans.Add(null);
                continue;
            }

            var (columns, from) = Named(spec, metadata, binding, matrices.Count, path);
            if (columns is not null)
            {
                var width = Width(spec);
                if (width > 0 && columns.Count != width)
                {
                    throw Errors.Data(path, $"input '{spec.Name}' {spec.ShapeText} takes {width} columns, but {from} names {columns.Count}: {string.Join(", ", columns)}.");
                }

                plans.Add(new InputPlan(spec, columns.ToArray(), from, kind.Value));
            }
            else
            {
                plans.Add(new InputPlan(spec, [], ModelMapping.From.FileOrder, kind.Value)); // filled below
            }
        }

        // The one matrix input nobody named takes the data's remaining feature columns, in file order.
        var open = plans.Where(p => p is { Columns.Length: 0 }).ToList();
        if (open.Count > 0 && unavailable is null)
        {
            var spec = open[0]!.Spec;
            if (open.Count > 1)
            {
                unavailable = $"inputs {string.Join(", ", open.Select(p => $"'{p!.Spec.Name}'"))} are matrices nobody named: name their columns in mlops.yaml model.inputs.";
            }
            else if (binding.DataColumns is not { } data)
            {
                unavailable = $"input '{spec.Name}' is a {spec.ShapeText} matrix and nothing names its columns: set model.features in mlops.yaml (or send tensors to /v2/models/NAME/infer).";
            }
            else
            {
                var used = plans.Where(p => p is { Columns.Length: > 0 }).SelectMany(p => p!.Columns).ToHashSet(StringComparer.Ordinal);
                var rest = data.Where(c => !used.Contains(c)).ToList();
                var width = Width(spec);
                if (width > 0 && rest.Count != width)
                {
                    throw Errors.Data(path, $"input '{spec.Name}' {spec.ShapeText} takes {width} columns, but the data has {rest.Count} feature columns ({string.Join(", ", rest)}); name the {width} in mlops.yaml model.features, or leave the others out with train.exclude.");
                }

                var index = plans.IndexOf(open[0]);
                plans[index] = open[0]! with { Columns = rest.ToArray() };
            }
        }

        return (plans.OfType<InputPlan>().ToList(), unavailable);
    }

    /// <summary>The output read as scores: the named one, else ZipMap, else a float output named like probabilities, else the first float output.</summary>
    public static TensorSpec ScoreOutput(OnnxSignature signature, ModelTask task, ModelSettings settings, ModelMapping? recorded, string path)
    {
        var readable = signature.Outputs.Where(o => o.Kind == OnnxSignature.SequenceOfMaps || (o.IsTensor && o.ElementType is TensorElementType.Float or TensorElementType.Double)).ToList();
        var name = settings.ScoreOutput ?? recorded?.ScoreOutput;
        if (name is not null)
        {
            var key = task == ModelTask.Regression ? "model.outputs.value" : "model.outputs.probabilities";
            var named = signature.Outputs.FirstOrDefault(o => o.Name == name)
                ?? throw Errors.Config(key, $"'{name}' is not an output of {Path.GetFileName(path)}; its outputs: {Describe(signature.Outputs)}.");
            return readable.Contains(named) ? named
                : throw Errors.Data(path, $"output '{name}' is {named.Datatype} {named.ShapeText}; scores must be FP32 or FP64 tensors, or scikit-learn's ZipMap.");
        }

        if (readable.Count == 0) throw Errors.Data(path, $"the model has no FP32 or FP64 output to read as {(task == ModelTask.Regression ? "values" : "probabilities")}; its outputs: {Describe(signature.Outputs)}.");
        if (task != ModelTask.Regression)
        {
            if (readable.FirstOrDefault(o => o.Kind == OnnxSignature.SequenceOfMaps) is { } zipMap) return zipMap;
            if (readable.FirstOrDefault(o => o.Name.Contains("prob", StringComparison.OrdinalIgnoreCase)) is { } probabilities) return probabilities;
        }

        return readable.FirstOrDefault(o => o.IsTensor) ?? readable[0];
    }

    /// <summary>The output with predicted labels: the named one, else an INT64 or BYTES tensor named like a label.</summary>
    public static string? LabelOutput(OnnxSignature signature, ModelSettings settings, ModelMapping? recorded, string path)
    {
        var name = settings.LabelOutput ?? recorded?.LabelOutput;
        if (name is not null)
        {
            return signature.Outputs.Any(o => o.Name == name) ? name
                : throw Errors.Config("model.outputs.label", $"'{name}' is not an output of {Path.GetFileName(path)}; its outputs: {Describe(signature.Outputs)}.");
        }

        return signature.Outputs.FirstOrDefault(o => o.IsTensor && o.ElementType is TensorElementType.Int64 or TensorElementType.String or TensorElementType.Int32
            && o.Name.Contains("label", StringComparison.OrdinalIgnoreCase))?.Name;
    }

    /// <summary>Label values sorted as scikit-learn and PyTorch's index order have them: numerically when all are numbers, else ordinally.</summary>
    public static IReadOnlyList<string> SortClasses(IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        var numbers = distinct.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? (double?)x : null).ToList();
        return numbers.All(n => n is not null)
            ? distinct.Zip(numbers).OrderBy(p => p.Second).Select(p => p.First).ToList()
            : distinct.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads a metadata value that must be a JSON array of strings.</summary>
    public static IReadOnlyList<string> JsonArray(string json, string key, string path)
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

    /// <summary>The width of a rank-2 input or output (-1 when dynamic), 1 for rank 1.</summary>
    public static long Width(TensorSpec spec) => spec.Shape.Count >= 2 ? spec.Shape[^1] : 1;

    private static (IReadOnlyList<string>? Columns, string From) Named(TensorSpec spec, IReadOnlyDictionary<string, string> metadata, ModelBinding binding, int matrices, string path)
    {
        if (binding.Recorded?.Inputs.FirstOrDefault(i => i.Name == spec.Name) is { } recorded) return (recorded.Columns, recorded.From); // the training run decided; say where from, as run.json does
        if (binding.Settings.Inputs.TryGetValue(spec.Name, out var configured)) return (configured, ModelMapping.From.ConfigInputs);
        if (!IsMatrix(spec)) return ([spec.Name], ModelMapping.From.InputName);
        if (binding.Settings.Features is { } features) return (features, ModelMapping.From.ConfigFeatures);
        if (matrices == 1 && metadata.TryGetValue(OnnxScorer.FeaturesKey, out var f)) return (JsonArray(f, OnnxScorer.FeaturesKey, path), ModelMapping.From.Metadata);
        return (null, ModelMapping.From.FileOrder);
    }

    private static bool IsMatrix(TensorSpec spec) => spec.IsTensor && spec.Shape.Count == 2 && spec.Shape[1] != 1;

    private static ColumnKind? KindOf(TensorElementType type) => type switch
    {
        TensorElementType.Float or TensorElementType.Double or TensorElementType.Int32 or TensorElementType.Int64 or TensorElementType.Bool => ColumnKind.Numeric,
        TensorElementType.String => ColumnKind.Text,
        _ => null,
    };

    private static string Describe(IEnumerable<TensorSpec> specs) => string.Join(", ", specs.Select(o => $"{o.Name} {o.Datatype} {o.ShapeText}"));
}
