using System.Diagnostics;
using System.Globalization;

namespace MlOps.Training;

/// <summary>
/// Runs a user's command through the platform shell with extra environment variables, streams its
/// output line by line, keeps the last lines for the error message, and kills the whole process
/// tree on timeout or cancellation.
/// </summary>
public static class CommandRunner
{
    /// <summary>The exit code reported for a command that ran out of time.</summary>
    public const int TimeoutExitCode = ExitCodes.CommandTimedOut;

    private const int TailLines = 20;

    /// <summary>Runs <paramref name="command"/>; returns its duration.</summary>
    /// <exception cref="CommandFailedException">The command exited non-zero or timed out.</exception>
    public static async Task<TimeSpan> RunAsync(string command, IReadOnlyDictionary<string, string> environment, string workingDirectory, TimeSpan timeout, Action<string> log, CancellationToken cancellationToken = default)
    {
        var windows = OperatingSystem.IsWindows();
        var info = new ProcessStartInfo(windows ? "cmd.exe" : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(windows ? "/c" : "-c");
        info.ArgumentList.Add(command);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var tag = Guid.NewGuid().ToString("N");
        info.Environment[ProcessTree.TagVariable] = tag;

        var tail = new Queue<string>();
        var gate = new object();
        void OnLine(string? line)
        {
            if (line is null) return;
            lock (gate)
            {
                log(line);
                tail.Enqueue(line);
                if (tail.Count > TailLines) tail.Dequeue();
            }
        }

        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw Errors.Config("train.command", $"cannot start the shell ({e.Message}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            // The shell's own exit ends the command: a background child that keeps our output pipe
            // open must not turn a finished command into a timeout.
            while (!process.HasExited) await Task.Delay(25, timer.Token);
        }
        catch (OperationCanceledException)
        {
            ProcessTree.Kill(process, tag);
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            throw new CommandFailedException(
                string.Format(CultureInfo.InvariantCulture, "train.command ran longer than its timeout ({0}) and was stopped.{1}", Describe(timeout), Tail(tail)), TimeoutExitCode);
        }

        // Leftovers (a server started with &, a worker that left the group) are stopped, so the
        // pipes close and nothing outlives the step.
        var strays = ProcessTree.KillTagged(tag);
        if (strays > 0) log($"stopped {strays} process(es) the command left running");

        // Drain the asynchronous readers before looking at the tail.
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new CommandFailedException($"train.command exited with code {process.ExitCode}.{Tail(tail)}", process.ExitCode);
        }

        return watch.Elapsed;
    }

    private static string Describe(TimeSpan t) => t.TotalHours >= 1 ? $"{t.TotalHours:0.##}h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.##}m" : $"{t.TotalSeconds:0.##}s";

    // Errors are one line: the last log lines are joined with " | ".
    private static string Tail(Queue<string> tail) => tail.Count == 0 ? " It printed nothing." : $" Last lines: {string.Join(" | ", tail.Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(5))}";
}
