namespace MlOps.Cli;

/// <summary>The <c>mlops</c> entry point.</summary>
public static class Program
{
    /// <summary>Runs the CLI with the process's console.</summary>
    public static Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return MlOpsCli.RunAsync(args, Console.Out, Console.Error, cts.Token);
    }
}
