using System.CommandLine;
using MlOps.Cli.Commands;

namespace MlOps.Cli;

/// <summary>Builds the command tree and maps every failure to a documented exit code in one place.</summary>
public static class MlOpsCli
{
    /// <summary>Parses and runs a command line, writing to the given writers.</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default) =>
        RunAsync(args, stdout, stderr, Platforms.CiPlatforms.ProcessEnvironment, cancellationToken);

    /// <summary>Parses and runs a command line with the given environment (tests pass a CI runner's variables).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, Func<string, string?> environment, CancellationToken cancellationToken = default) =>
        RunAsync(args, stdout, stderr, stdout, environment, cancellationToken);

    /// <summary>
    /// Runs a command line whose CI platform commands go to <paramref name="commands"/> (the raw
    /// standard output) while everything else goes through inert writers; a stage run from inside
    /// another command (mlops run, mlops action run) passes its own raw writer on.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, TextWriter commands, Func<string, string?> environment, CancellationToken cancellationToken = default)
    {
        // Everything but the platform's own commands goes through the inert writers: data text
        // in messages, summaries and errors can never become a runner command.
        using var output = new Platforms.InertConsoleWriter(stdout);
        using var errors = new Platforms.InertConsoleWriter(stderr);
        try
        {
            return await RunGuardedAsync(args, output, errors, commands, environment, cancellationToken);
        }
        finally
        {
            await output.FlushAsync();
            await errors.FlushAsync();
        }
    }

    private static async Task<int> RunGuardedAsync(string[] args, TextWriter stdout, TextWriter stderr, TextWriter commands, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var console = new CliConsole(stdout, stderr) { Environment = environment, Commands = commands };
        var root = BuildRoot(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await stderr.WriteLineAsync($"error: {error.Message}");
            }

            await stderr.WriteLineAsync("Run 'mlops --help' (or 'mlops COMMAND --help') for usage.");
            return ExitCodes.UsageError;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (MlOpsException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file or folder the user named that cannot be written or read as asked (an existing
            // file where a folder goes, a permission, a link loop): their input, not our bug.
            await stderr.WriteLineAsync($"error: {e.Message.Split('\n')[0]}");
            return ExitCodes.DataError;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (NativeLibraries.Missing(e) is { } missing)
        {
            await stderr.WriteLineAsync($"error: {NativeLibraries.Explain(missing)}");
            return ExitCodes.UsageError;
        }
        catch (Exception e)
        {
            // A bug in mlops: one line for the user, the type for the bug report, no stack trace.
            await stderr.WriteLineAsync($"error: internal error ({e.GetType().Name}: {e.Message.Split('\n')[0]}). Please report it with the command you ran.");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand BuildRoot(CliConsole console)
    {
        var root = new RootCommand("mlops: continuous integration and delivery for machine-learning models.\nValidate data, train, evaluate against production, register and serve, from one binary.");
        root.Options.Add(CommonOptions.Config);
        root.Subcommands.Add(ValidateCommand.Create(console));
        root.Subcommands.Add(SchemaCommand.Create(console));
        root.Subcommands.Add(StatsCommand.Create(console));
        root.Subcommands.Add(SplitCommand.Create(console));
        root.Subcommands.Add(TrainCommand.Create(console));
        root.Subcommands.Add(EvaluateCommand.Create(console));
        RegistryCommands.AddTo(root, console);
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(PredictCommand.Create(console));
        root.Subcommands.Add(MonitorCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        root.Subcommands.Add(DeployCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(Actions.ActionCommand.Create(console));
        return root;
    }
}

/// <summary>Where commands write: results to <see cref="Out"/>, progress and errors to <see cref="Error"/>.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error)
{
    /// <summary>
    /// Where the CI platform writes its own commands (workflow commands, logging commands): the raw
    /// standard output, which <see cref="Out"/> wraps to keep data text inert.
    /// </summary>
    public TextWriter Commands { get; init; } = Out;

    /// <summary>Reads an environment variable: the process's, or a test's.</summary>
    public Func<string, string?> Environment { get; init; } = Platforms.CiPlatforms.ProcessEnvironment;

    /// <summary>Reports progress on standard error, so standard output stays machine-readable.</summary>
    public IProgress<string> Progress => new SyncProgress(f => Error.WriteLine($"reading {f}"));

    private sealed class SyncProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
