using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MlOps.Artifacts;

/// <summary>Where a run happened: OS, CPU, memory, GPUs, and the source revision.</summary>
public sealed record HostInfo(string Os, string Architecture, string? Cpu, int Cores, long MemoryBytes, IReadOnlyList<string> Gpus, string Runtime)
{
    /// <summary>The current machine. GPUs come from nvidia-smi when it is on PATH.</summary>
    public static HostInfo Current() => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        CpuModel(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        DetectGpus(),
        RuntimeInformation.FrameworkDescription);

    /// <summary>Runs a program briefly and returns its standard output, or null when it is absent or fails.</summary>
    internal static string? Capture(string program, string arguments, string? workingDirectory = null, int timeoutMs = 5000)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(program, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            });
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill(entireProcessTree: true);
                return null;
            }

            return p.ExitCode == 0 ? output.Result.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> DetectGpus() =>
        Capture("nvidia-smi", "--query-gpu=name,memory.total,driver_version --format=csv,noheader") is { Length: > 0 } s
            ? s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    private static string? CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

/// <summary>The source revision a run came from.</summary>
public sealed record SourceInfo(string? Commit, bool? Dirty, string? Branch)
{
    /// <summary>From git in <paramref name="directory"/>, falling back to CI variables (GITHUB_SHA, BUILD_SOURCEVERSION).</summary>
    /// <param name="directory">The working tree.</param>
    /// <param name="environment">Reads an environment variable (default: the process's).</param>
    public static SourceInfo Current(string directory, Func<string, string?>? environment = null)
    {
        var env = environment ?? ProcessEnvironment.Read;
        var commit = HostInfo.Capture("git", "rev-parse HEAD", directory) ?? env("GITHUB_SHA") ?? env("BUILD_SOURCEVERSION");
        var status = HostInfo.Capture("git", "status --porcelain --untracked-files=no", directory);
        var branch = HostInfo.Capture("git", "rev-parse --abbrev-ref HEAD", directory) ?? env("GITHUB_REF_NAME");
        return new SourceInfo(commit, status is null ? null : status.Length > 0, branch);
    }
}
