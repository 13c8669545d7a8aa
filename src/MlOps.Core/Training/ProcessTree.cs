using System.Diagnostics;

namespace MlOps.Training;

/// <summary>
/// Finds and stops every process a command started, including children that left its process
/// group (setsid, nohup) or were re-parented when their parent exited: each carries the command's
/// tag in its environment, which Linux shows in /proc/PID/environ. Elsewhere only the tree below
/// the command's own process is reached.
/// </summary>
internal static class ProcessTree
{
    /// <summary>The variable that tags a command's processes.</summary>
    public const string TagVariable = "MLOPS_COMMAND_ID";

    /// <summary>Kills the process's tree and every other process carrying <paramref name="tag"/>; returns how many tagged strays were killed.</summary>
    public static int Kill(Process root, string tag)
    {
        try
        {
            if (!root.HasExited) root.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        return KillTagged(tag);
    }

    /// <summary>Kills every process (but this one) whose environment holds <c>MLOPS_COMMAND_ID=tag</c>.</summary>
    public static int KillTagged(string tag)
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists("/proc")) return 0;
        var needle = System.Text.Encoding.ASCII.GetBytes($"{TagVariable}={tag}\0");
        var self = Environment.ProcessId;
        var killed = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == self) continue;
            byte[] environ;
            try
            {
                environ = File.ReadAllBytes(Path.Combine(dir, "environ"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // gone, or not ours to read
            }

            if (environ.AsSpan().IndexOf(needle) < 0) continue;
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill(entireProcessTree: true);
                killed++;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Exited meanwhile.
            }
        }

        return killed;
    }
}
