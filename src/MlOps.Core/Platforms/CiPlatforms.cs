namespace MlOps.Platforms;

/// <summary>Picks the CI platform from the environment, the way each runner announces itself.</summary>
public static class CiPlatforms
{
    /// <summary>GitHub Actions when <c>GITHUB_ACTIONS=true</c>, Azure Pipelines when <c>TF_BUILD=True</c>, else the local console.</summary>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <param name="stdout">Where workflow commands go: the runner reads them from standard output.</param>
    public static ICiPlatform Detect(Func<string, string?> environment, TextWriter stdout)
    {
        if (string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase)) return new GitHubActions(environment, stdout);
        if (string.Equals(environment("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase)) return new AzurePipelines(environment, stdout);
        return new LocalConsole(stdout);
    }

    /// <summary>True on a CI runner (GitHub Actions, Azure Pipelines, or any that sets <c>CI=true</c>).</summary>
    public static bool IsCi(Func<string, string?> environment) =>
        string.Equals(environment("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase)
        || string.Equals(environment("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase)
        || string.Equals(environment("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The release tag a deploy runs for: GitHub's on a release event, Azure Pipelines' on a tag build; null otherwise.</summary>
    public static string? ReleaseTag(Func<string, string?> environment) =>
        environment("GITHUB_EVENT_NAME") == "release" ? environment("GITHUB_REF_NAME")
        : environment("BUILD_SOURCEBRANCH")?.StartsWith("refs/tags/", StringComparison.Ordinal) == true ? environment("BUILD_SOURCEBRANCHNAME")
        : null;

    /// <summary>The process environment.</summary>
    public static string? ProcessEnvironment(string name) => MlOps.ProcessEnvironment.Read(name);
}
