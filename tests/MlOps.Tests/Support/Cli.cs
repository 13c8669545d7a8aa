using MlOps.Cli;

namespace MlOps.Tests.Support;

/// <summary>Runs the real CLI in-process and captures what it prints.</summary>
public static class Cli
{
    public static readonly string RepoRoot = FindRoot();

    /// <summary>Runs the CLI with the process's environment minus the CI markers, so a test reads the same on a laptop and on a CI runner.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await MlOpsCli.RunAsync(args, stdout, stderr, name => name is "CI" or "GITHUB_ACTIONS" or "TF_BUILD" ? null : Environment.GetEnvironmentVariable(name));
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
