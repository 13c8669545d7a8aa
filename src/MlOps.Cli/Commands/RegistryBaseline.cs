using MlOps.Evaluation;
using MlOps.Registry;
using MlOps.Training;

namespace MlOps.Cli.Commands;

/// <summary>Looks up a baseline by registry alias and pulls it (hash-verified) for evaluation.</summary>
internal static class RegistryBaseline
{
    /// <summary>The folder pulled baselines go to.</summary>
    public const string PullFolder = "mlops-out/baseline";

    /// <summary>The model behind <paramref name="alias"/> for <paramref name="project"/>, or null when the registry has none.</summary>
    public static async Task<(ModelLocation Model, string Source)?> FindAsync(RegistrySettings settings, string project, string alias, CancellationToken ct)
    {
        var registry = new ModelRegistry(settings.Open());
        var name = RegistryNames.Model(project, "project");
        var version = await registry.ResolveAsync(name, RegistryNames.Alias(alias, "evaluate.baseline"), ct);
        if (version is not { } v) return null;
        var manifest = await registry.GetAsync(name, v, ct);
        var files = await registry.PullAsync(manifest, Path.Combine(PullFolder, $"{name}-v{v}"), ct);
        var run = files.TryGetValue(RunRecord.FileName, out var runPath) ? await RunRecord.ReadAsync(runPath, ct) : null;
        return (new ModelLocation(files[manifest.ModelFile], run), $"registry {name} v{v} ({alias})");
    }
}
