using System.Runtime.InteropServices;

namespace MlOps.Cli;

/// <summary>The <c>mlops</c> entry point.</summary>
public static class Program
{
    /// <summary>
    /// Runs the CLI with the process's console. SIGINT (Ctrl+C) and SIGTERM (docker stop,
    /// Kubernetes) both cancel the one token every command runs under: serve stops accepting,
    /// drains and exits 0; other commands stop their work and exit 130 (SIGINT) or 143 (SIGTERM).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        PosixSignal? received = null;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // we stop ourselves, cleanly
            received ??= context.Signal;
            cts.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var code = await MlOpsCli.RunAsync(args, Console.Out, Console.Error, cts.Token);
        return code == ExitCodes.Cancelled && received == PosixSignal.SIGTERM ? ExitCodes.Terminated : code;
    }
}
