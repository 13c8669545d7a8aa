using System.Diagnostics;

namespace MlOps.Benchmarks;

/// <summary>Runs a peer program (DuckDB in node, scikit-learn in Debian's python) to completion and captures what it prints.</summary>
internal static class PeerProcess
{
    /// <summary>Repository paths, from the bench's build output folder.</summary>
    public static string RepoPath(params string[] parts) =>
        Path.GetFullPath(Path.Combine([AppContext.BaseDirectory, "..", "..", "..", "..", "..", .. parts]));

    /// <summary>The exit code and output; exit code -1 when the program cannot be started at all.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            return (p.ExitCode, await stdout, await stderr);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, string.Empty, e.Message);
        }
    }
}
