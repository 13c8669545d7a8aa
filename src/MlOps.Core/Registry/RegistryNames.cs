using System.Text.RegularExpressions;

namespace MlOps.Registry;

/// <summary>
/// Validates every name that reaches storage, so no user input can traverse folders or inject
/// blob-name segments: model names and aliases are lower-case words; keys are built only from them.
/// </summary>
public static partial class RegistryNames
{
    /// <summary>Checks a model name (the project name by default).</summary>
    /// <exception cref="ConfigException">The name is not allowed.</exception>
    public static string Model(string name, string where = "model name") =>
        ModelPattern().IsMatch(name) ? name : throw Errors.Config(where, $"'{name}' is not a valid model name; use 1-64 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit.");

    /// <summary>Checks an alias.</summary>
    /// <exception cref="ConfigException">The alias is not allowed.</exception>
    public static string Alias(string alias, string where = "alias") =>
        !AliasPattern().IsMatch(alias) || int.TryParse(alias, out _)
            ? throw Errors.Config(where, $"'{alias}' is not a valid alias; use 1-63 lower-case letters, digits or '-', starting with a letter (e.g. staging, production).")
            : VersionLike().IsMatch(alias)
                ? throw Errors.Config(where, $"'{alias}' reads as a version number (v2 means version 2); pick an alias that does not, e.g. staging or release-{alias[1..]}.")
                : alias;

    /// <summary>True for a SHA-256 in lower-case hex.</summary>
    public static bool IsSha256(string sha) => ShaPattern().IsMatch(sha);

    /// <summary>Checks a SHA-256 in lower-case hex.</summary>
    public static string Sha256(string sha) =>
        IsSha256(sha) ? sha : throw Errors.Data("registry", $"'{sha}' is not a SHA-256 digest.");

    /// <summary>The key of a version manifest.</summary>
    public static string VersionKey(string model, int version) => $"models/{Model(model)}/versions/{version}.json";

    /// <summary>The prefix under which a model's versions live.</summary>
    public static string VersionsPrefix(string model) => $"models/{Model(model)}/versions/";

    /// <summary>The key of a model's alias book.</summary>
    public static string AliasesKey(string model) => $"models/{Model(model)}/aliases.json";

    /// <summary>The key of a content-addressed blob.</summary>
    public static string BlobKey(string sha256) => $"blobs/sha256/{Sha256(sha256)}";

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    [GeneratedRegex("^v[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLike();

    [GeneratedRegex(@"^[0-9a-f]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ShaPattern();
}
