namespace MlOps;

/// <summary>
/// A user's command (train.command) failed or timed out. mlops exits with the command's own exit
/// code (124 on timeout, as coreutils' timeout does), so CI shows the failure the user knows.
/// </summary>
public sealed class CommandFailedException : MlOpsException
{
    /// <summary>Creates the exception.</summary>
    public CommandFailedException(string message, int commandExitCode)
        : base(message)
    {
        CommandExitCode = commandExitCode;
    }

    /// <summary>The command's exit code.</summary>
    public int CommandExitCode { get; }

    /// <inheritdoc />
    public override int ExitCode => CommandExitCode is > 0 and < 256 ? CommandExitCode : 1;
}
