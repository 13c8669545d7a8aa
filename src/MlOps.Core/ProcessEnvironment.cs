namespace MlOps;

/// <summary>
/// The one place that reads the process's environment. Everything else takes an injected
/// <c>Func&lt;string, string?&gt;</c> (the CLI's, a test's); this is its default.
/// </summary>
public static class ProcessEnvironment
{
    /// <summary>The variable's value, or null when it is not set.</summary>
    public static string? Read(string name) => Environment.GetEnvironmentVariable(name);
}
