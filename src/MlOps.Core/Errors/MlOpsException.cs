namespace MlOps;

/// <summary>
/// Base of the small exception tree that the CLI maps to exit codes in one place.
/// The message is one line written for the user; it never carries a stack trace to them.
/// </summary>
public abstract class MlOpsException : Exception
{
    /// <summary>Creates the exception with a one-line, user-facing message.</summary>
    protected MlOpsException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>The process exit code this failure maps to (see <see cref="ExitCodes"/>).</summary>
    public abstract int ExitCode { get; }
}

/// <summary>The command line or the configuration file is wrong (exit code 2).</summary>
public sealed class ConfigException : MlOpsException
{
    /// <summary>Creates a configuration error.</summary>
    public ConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override int ExitCode => ExitCodes.UsageError;
}

/// <summary>Input data is missing or malformed (exit code 3).</summary>
public sealed class DataException : MlOpsException
{
    /// <summary>Creates a data error.</summary>
    public DataException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override int ExitCode => ExitCodes.DataError;
}

/// <summary>An external service failed after retries (exit code 4).</summary>
public sealed class ExternalServiceException : MlOpsException
{
    /// <summary>Creates an external service error.</summary>
    public ExternalServiceException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <inheritdoc />
    public override int ExitCode => ExitCodes.ExternalServiceError;
}
