namespace MlOps;

/// <summary>
/// The exit codes every <c>mlops</c> command returns. They are part of the public contract:
/// CI scripts branch on them, so they never change meaning.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did its work and every gate passed.</summary>
    public const int Success = 0;

    /// <summary>A gate said no (anomalies, drift, not blessed). Reports are still written.</summary>
    public const int GateFailed = 1;

    /// <summary>The command line or mlops.yaml is wrong.</summary>
    public const int UsageError = 2;

    /// <summary>Input data could not be read: missing, malformed, or not what was declared.</summary>
    public const int DataError = 3;

    /// <summary>An external service (GitHub, Azure, a server) failed after retries.</summary>
    public const int ExternalServiceError = 4;

    /// <summary><c>mlops train</c> with <c>train.command</c>: the command ran past <c>train.timeout</c> (as coreutils' timeout exits).</summary>
    public const int CommandTimedOut = 124;

    /// <summary>A bug in mlops itself: an unexpected exception (please report it).</summary>
    public const int InternalError = 70;

    /// <summary>Interrupted (Ctrl+C, SIGINT): 128 + 2, as shells report it.</summary>
    public const int Cancelled = 130;

    /// <summary>Stopped by SIGTERM (docker stop, Kubernetes): 128 + 15; <c>mlops serve</c> drains and exits 0 instead.</summary>
    public const int Terminated = 143;
}
