namespace MlOps.Platforms;

/// <summary>Severity of an annotation.</summary>
public enum AnnotationLevel
{
    /// <summary>A notice.</summary>
    Notice,

    /// <summary>A warning.</summary>
    Warning,

    /// <summary>An error.</summary>
    Error,
}

/// <summary>
/// What a CI system offers a step: outputs, secret masking, annotations and a job summary.
/// Stages never know which one runs them; the CLI picks one with <see cref="CiPlatforms.Detect"/>.
/// </summary>
public interface ICiPlatform
{
    /// <summary>The platform's name, for messages.</summary>
    string Name { get; }

    /// <summary>The link to this run's page, where artifacts can be downloaded, if known.</summary>
    string? RunUrl { get; }

    /// <summary>The commit being built, if known.</summary>
    string? Commit { get; }

    /// <summary>Sets a step output that later steps read (multi-line values are safe).</summary>
    void SetOutput(string name, string value);

    /// <summary>Asks the platform to hide <paramref name="secret"/> in all later log lines.</summary>
    void Mask(string secret);

    /// <summary>An annotation shown on the run page and, with a file and line, beside the file.</summary>
    void Annotate(AnnotationLevel level, string message, string? file = null, long? line = null);

    /// <summary>Adds Markdown to the job summary; <paramref name="savedCopy"/> is the report file on disk.</summary>
    Task AddSummaryAsync(string markdown, string savedCopy, CancellationToken cancellationToken = default);
}
