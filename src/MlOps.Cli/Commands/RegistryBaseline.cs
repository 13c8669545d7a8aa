using MlOps.Evaluation;

namespace MlOps.Cli.Commands;

/// <summary>Looks up a baseline by registry alias.</summary>
internal static class RegistryBaseline
{
    /// <summary>The model behind <paramref name="alias"/> for <paramref name="project"/>, or null when the registry has none.</summary>
    public static Task<(ModelLocation Model, string Source)?> FindAsync(string project, string alias, CancellationToken ct)
    {
        // The registry (mlops register) is not built yet: no alias resolves, which is the first-model case.
        _ = project;
        _ = alias;
        _ = ct;
        return Task.FromResult<(ModelLocation, string)?>(null);
    }
}
