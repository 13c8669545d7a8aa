using MlOps.Cli;

namespace MlOps.Tests.Support;

/// <summary>Runs the real CLI in-process and captures what it prints.</summary>
public static class Cli
{
    public static readonly string RepoRoot = FindRoot();

    private static readonly AsyncLocal<Dictionary<string, string?>?> Variables = new();

    /// <summary>
    /// Sets a variable for the CLI runs of the calling test only (the CLI's environment is
    /// injected): no test changes the process's environment, so tests can run side by side.
    /// </summary>
    public static void SetVariable(string name, string? value) => (Variables.Value ??= new(StringComparer.Ordinal))[name] = value;

    /// <summary>Runs the CLI with the process's environment minus the CI markers (so a test reads the same on a laptop and on a CI runner), plus the test's <see cref="SetVariable"/>s.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var overlay = Variables.Value is { } v ? new Dictionary<string, string?>(v, StringComparer.Ordinal) : null;
        var code = await MlOpsCli.RunAsync(args, stdout, stderr, name => overlay is not null && overlay.TryGetValue(name, out var set) ? set : name is "CI" or "GITHUB_ACTIONS" or "TF_BUILD" ? null : Environment.GetEnvironmentVariable(name));
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the CLI with only the given environment variables, as a CI runner would set them.</summary>
    public static async Task<(int Code, string Out, string Err)> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await MlOpsCli.RunAsync(args, stdout, stderr, name => environment.TryGetValue(name, out var v) ? v : null);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlOps.CI.sln"))) dir = dir.Parent;
        return dir!.FullName;
    }
}
