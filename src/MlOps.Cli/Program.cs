using System.Reflection;
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
        if (args is ["--version"])
        {
            // What System.CommandLine prints, without building the command tree: start-up is
            // what CI steps that check the tool pay (see README, start-up).
            Console.Out.WriteLine(typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);
            return 0;
        }

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
