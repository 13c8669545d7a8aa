namespace MlOps.Scoring;

/// <summary>Opens a model file of any supported format by its extension.</summary>
public static class ModelLoader
{
    /// <summary>The model file names a training run may produce, in order of preference.</summary>
    public static readonly IReadOnlyList<string> FileNames = ["model.zip", "model.onnx"];

    /// <summary>Loads model.zip (ML.NET) or model.onnx (ONNX Runtime).</summary>
    /// <exception cref="DataException">The file is missing, of an unknown format, or not usable for the task.</exception>
    public static IModelScorer Load(string path, ModelTask task) => Load(path, task, ModelBinding.None);

    /// <summary>Loads model.zip (ML.NET) or model.onnx (ONNX Runtime) with what the stage knows about the data.</summary>
    /// <exception cref="DataException">The file is missing, of an unknown format, or not usable for the task.</exception>
    /// <exception cref="ConfigException">mlops.yaml model: names an input or output the model lacks.</exception>
    public static IModelScorer Load(string path, ModelTask task, ModelBinding binding) => Load(path, (ModelTask?)task, binding);

    /// <summary>Loads a model; without a task an ONNX model serves its own tensors only.</summary>
    /// <exception cref="DataException">The file is missing, of an unknown format, or not usable for the task.</exception>
    /// <exception cref="ConfigException">mlops.yaml model: names an input or output the model lacks.</exception>
    public static IModelScorer Load(string path, ModelTask? task, ModelBinding binding)
    {
        IModelScorer scorer = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".zip" => MlNetScorer.Load(path),
            ".onnx" => OnnxScorer.Load(path, task, binding),
            _ => throw Errors.Data(path, "unknown model format; expected an ML.NET model.zip or an .onnx file."),
        };
        if (task is not null && scorer.Task != task)
        {
            scorer.Dispose();
            throw Errors.Data(path, $"this is a {scorer.Task.Name()} model; mlops.yaml says task: {task.Value.Name()}.");
        }

        return scorer;
    }

    /// <summary>"mlnet" or "onnx" from a file name.</summary>
    public static string FormatOf(string path) => Path.GetExtension(path).Equals(".onnx", StringComparison.OrdinalIgnoreCase) ? "onnx" : "mlnet";
}
