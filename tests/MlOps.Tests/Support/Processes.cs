using System.Diagnostics;

namespace MlOps.Tests.Support;

/// <summary>Runs a program to completion with a time bound and captures what it prints.</summary>
public static class Processes
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string fileName, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, Action<ProcessStartInfo>? configure = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (var a in args) info.ArgumentList.Add(a);
        configure?.Invoke(info);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} did not finish within {timeout.TotalSeconds:0} s.");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
