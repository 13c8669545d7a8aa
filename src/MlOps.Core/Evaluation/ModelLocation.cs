using MlOps.Scoring;
using MlOps.Training;

namespace MlOps.Evaluation;

/// <summary>A model file found from what a user typed: a file, or a training output folder with run.json.</summary>
/// <param name="ModelPath">The model file.</param>
/// <param name="Run">The run record beside it, when there is one.</param>
public sealed record ModelLocation(string ModelPath, RunRecord? Run)
{
    /// <summary>Pulls a registry version into <paramref name="folder"/> (every SHA-256 verified): its model, with the run.json stored beside it.</summary>
    public static async Task<(ModelLocation Location, Registry.ModelVersion Manifest)> PullAsync(Registry.ModelRegistry registry, string name, int version, string folder, CancellationToken cancellationToken = default)
    {
        var manifest = await registry.GetAsync(name, version, cancellationToken);
        var files = await registry.PullAsync(manifest, folder, cancellationToken);
        var run = files.TryGetValue(RunRecord.FileName, out var runPath) ? await RunRecord.ReadAsync(runPath, cancellationToken) : null;
        return (new ModelLocation(files[manifest.ModelFile], run), manifest);
    }

    /// <summary>Finds the model at <paramref name="path"/>; null when nothing is there.</summary>
    /// <exception cref="DataException">A folder exists but holds no model, or its run.json is unreadable.</exception>
    public static async Task<ModelLocation?> FindAsync(string path, CancellationToken cancellationToken = default)
    {
        if (File.Exists(path))
        {
            var beside = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, RunRecord.FileName);
            var run = File.Exists(beside) ? await RunRecord.ReadAsync(beside, cancellationToken) : null;
            return new ModelLocation(path, run is not null && run.Model.File == Path.GetFileName(path) ? run : null);
        }

        if (!Directory.Exists(path)) return null;
        var runPath = Path.Combine(path, RunRecord.FileName);
        if (File.Exists(runPath))
        {
            var run = await RunRecord.ReadAsync(runPath, cancellationToken);
            var model = Path.Combine(path, run.Model.File);
            return File.Exists(model) ? new ModelLocation(model, run) : throw Errors.Data(runPath, $"names the model '{run.Model.File}', which is not in the folder.");
        }

        var found = ModelLoader.FileNames.Select(f => Path.Combine(path, f)).FirstOrDefault(File.Exists);
        return found is null ? throw Errors.Data(path, "the folder holds no model.zip or model.onnx.") : new ModelLocation(found, null);
    }
}
