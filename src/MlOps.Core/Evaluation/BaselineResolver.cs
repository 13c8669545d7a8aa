using MlOps.Artifacts;
using MlOps.Registry;
using MlOps.Training;

namespace MlOps.Evaluation;

/// <summary>The baseline an evaluation compares against, or why there is none (only ever because the run said so).</summary>
/// <param name="Model">The baseline model; null only when the run asked for no baseline.</param>
/// <param name="Source">Where it came from ("registry penguins v3 (production)", a path).</param>
/// <param name="Note">Why there is no baseline, said plainly in the report.</param>
public sealed record ResolvedBaseline(ModelLocation? Model, string? Source, string? Note);

/// <summary>
/// Finds the baseline, failing closed: a value that names an existing file or folder is a path;
/// "none" means no baseline; anything else is a registry alias. An alias the registry cannot
/// answer for is an error that names what was looked for and where, never a silent "first model",
/// unless the run allowed a first model (evaluate.first-model: allow) and the registry holds no
/// version of this model at all.
/// </summary>
public static class BaselineResolver
{
    /// <summary>The folder pulled baselines go to.</summary>
    public const string PullFolder = StageFolders.Baseline;

    /// <summary>The value that asks for no baseline.</summary>
    public const string None = "none";

    /// <summary>Resolves the baseline.</summary>
    /// <param name="flag">--baseline, when given (it wins over the config).</param>
    /// <param name="settings">evaluate: in mlops.yaml.</param>
    /// <param name="registry">registry: in mlops.yaml.</param>
    /// <param name="project">The project (the registry's model name).</param>
    /// <param name="inCi">True on a CI runner, where a local registry folder that is not there means a fresh, empty runner.</param>
    /// <param name="environment">Reads environment variables (registry credentials, the actor).</param>
    /// <param name="cancellationToken">Cancels the lookup and the pull.</param>
    /// <exception cref="ConfigException">The alias, the registry or the model cannot be found.</exception>
    /// <exception cref="ExternalServiceException">The registry cannot be reached.</exception>
    public static async Task<ResolvedBaseline> ResolveAsync(string? flag, EvaluateSettings settings, RegistrySettings registry, string project, bool inCi, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        var value = flag ?? settings.Baseline;
        var where = flag is null ? "evaluate.baseline" : "--baseline";
        if (value == None) return new ResolvedBaseline(null, null, $"{where} is none");
        var path = flag ?? settings.BaselinePath ?? value;
        if (File.Exists(path) || Directory.Exists(path))
        {
            return new ResolvedBaseline(await ModelLocation.FindAsync(path, cancellationToken), path, null);
        }

        if (value.Contains('/') || value.Contains('\\') || value.EndsWith(".zip", StringComparison.Ordinal) || value.EndsWith(".onnx", StringComparison.Ordinal))
        {
            throw Errors.Data(value, $"baseline model not found ({where}).");
        }

        var name = RegistryNames.Model(project, "project");
        // "3" or "v3" is a version number; anything else must be a valid alias.
        var alias = int.TryParse(value.StartsWith('v') ? value[1..] : value, out _) ? value : RegistryNames.Alias(value, where);
        var firstModelHint = $"For a project's first model, say so: --baseline none, or evaluate.first-model: allow in mlops.yaml.";
        if (!registry.IsAzure)
        {
            var folder = Path.GetFullPath(registry.Path);
            if (File.Exists(folder)) throw Errors.Config("registry.path", $"'{folder}' is a file, not a registry folder.");
            if (!Directory.Exists(folder))
            {
                if (inCi)
                {
                    throw Errors.Config("registry.path", $"the local registry folder '{folder}' does not exist on this runner, so there is no '{alias}' model to compare against. CI runners start empty: use a shared registry (registry.azure in mlops.yaml, an Azure Blob container), or restore the folder before this step; for the very first model pass --baseline none.");
                }

                return settings.FirstModelAllowed
                    ? new ResolvedBaseline(null, null, $"first model: the registry '{folder}' does not exist yet (evaluate.first-model: allow)")
                    : throw Errors.Config(where, $"'{alias}' cannot be looked up: the registry folder '{folder}' does not exist. {firstModelHint}");
            }
        }

        var models = new ModelRegistry(registry.Open(environment), Actor.From(environment));
        var location = models.Store.Location;
        var version = await models.ResolveAsync(name, alias, cancellationToken);
        if (version is not { } v)
        {
            var versions = await models.VersionsAsync(name, cancellationToken);
            var book = await models.AliasesAsync(name, cancellationToken);
            if (versions.Count == 0 && book.Aliases.Count == 0)
            {
                return settings.FirstModelAllowed
                    ? new ResolvedBaseline(null, null, $"first model: the registry {location} has no version of '{name}' yet (evaluate.first-model: allow)")
                    : throw Errors.Config(where, $"the registry {location} has no '{name}' model yet, so there is no '{alias}' baseline. {firstModelHint}");
            }

            var known = book.Aliases.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} → v{a.Value}").ToList();
            var suggestion = Errors.Suggest(alias, book.Aliases.Keys);
            throw Errors.Config(where, $"'{name}' has no alias '{alias}' in the registry {location}{(suggestion is null ? string.Empty : $"; did you mean '{suggestion}'?")} Its aliases: {(known.Count == 0 ? "none" : string.Join(", ", known))}; versions: {string.Join(", ", versions.Select(x => $"v{x}"))}.");
        }

        var (pulled, _) = await ModelLocation.PullAsync(models, name, v, Path.Combine(PullFolder, $"{name}-v{v}"), cancellationToken);
        return new ResolvedBaseline(pulled, $"registry {name} v{v} ({alias})", null);
    }
}
