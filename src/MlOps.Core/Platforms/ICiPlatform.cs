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

/// <summary>Which CI system runs the step.</summary>
public enum CiKind
{
    /// <summary>Not in CI: a developer's console.</summary>
    Local,

    /// <summary>GitHub Actions.</summary>
    GitHubActions,

    /// <summary>Azure Pipelines.</summary>
    AzurePipelines,
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

    /// <summary>Which CI system this is (for the input conventions of its actions or tasks).</summary>
    CiKind Kind { get; }

    /// <summary>The job's own token for comments and statuses (GITHUB_TOKEN, SYSTEM_ACCESSTOKEN), if the step was given one.</summary>
    string? Token { get; }

    /// <summary>True when the platform's Markdown renders Mermaid diagrams (GitHub does; Azure DevOps pull requests do not).</summary>
    bool RendersMermaid { get; }

    /// <summary>The sticky-comment client for this run's pull request, or why there is none.</summary>
    /// <param name="pullRequest">A pull request number to use instead of the one in the CI event (the fork pattern).</param>
    /// <param name="retry">How transient failures are retried.</param>
    (IPullRequestCommenter? Commenter, string Why) PullRequestCommenter(int? pullRequest, RetryPolicy retry);

    /// <summary>The issue tracker alerts go to (GitHub issues), or why there is none.</summary>
    /// <param name="retry">How transient failures are retried.</param>
    (IAlertTracker? Tracker, string Why) AlertTracker(RetryPolicy retry);

    /// <summary>Sets a commit status on the commit being built; returns why not when the platform has none.</summary>
    /// <exception cref="CommentForbiddenException">The token may not write statuses.</exception>
    Task<string?> SetCommitStatusAsync(string context, bool success, string description, RetryPolicy retry, CancellationToken cancellationToken = default);

    /// <summary>Sets a step output that later steps read (multi-line values are safe).</summary>
    void SetOutput(string name, string value);

    /// <summary>Asks the platform to hide <paramref name="secret"/> in all later log lines.</summary>
    void Mask(string secret);

    /// <summary>An annotation shown on the run page and, with a file and line, beside the file.</summary>
    void Annotate(AnnotationLevel level, string message, string? file = null, long? line = null);

    /// <summary>Adds Markdown to the job summary; <paramref name="savedCopy"/> is the report file on disk.</summary>
    Task AddSummaryAsync(string markdown, string savedCopy, CancellationToken cancellationToken = default);
}
