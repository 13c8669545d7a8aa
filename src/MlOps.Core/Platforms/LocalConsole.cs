namespace MlOps.Platforms;

/// <summary>Outside CI: annotations become console lines; outputs and the summary are the files the command writes.</summary>
public sealed class LocalConsole(TextWriter stdout) : ICiPlatform
{
    /// <inheritdoc/>
    public string Name => "local";

    /// <inheritdoc/>
    public string? RunUrl => null;

    /// <inheritdoc/>
    public string? Commit => null;

    /// <inheritdoc/>
    public CiKind Kind => CiKind.Local;

    /// <inheritdoc/>
    public string? Token => null;

    /// <inheritdoc/>
    public bool RendersMermaid => true;

    /// <inheritdoc/>
    public (IAlertTracker? Tracker, string Why) AlertTracker(RetryPolicy retry) =>
        (null, "not in CI: alert issues are opened from GitHub Actions with the job's token.");

    /// <inheritdoc/>
    public (IPullRequestCommenter? Commenter, string Why) PullRequestCommenter(int? pullRequest, RetryPolicy retry) =>
        (null, "not running in GitHub Actions or Azure Pipelines; the report is in the file.");

    /// <inheritdoc/>
    public Task<string?> SetCommitStatusAsync(string context, bool success, string description, RetryPolicy retry, CancellationToken cancellationToken = default) =>
        Task.FromResult<string?>("No commit status: it needs GitHub Actions, GITHUB_SHA and GITHUB_TOKEN.");

    /// <inheritdoc/>
    public void SetOutput(string name, string value)
    {
    }

    /// <inheritdoc/>
    public void Mask(string secret)
    {
    }

    /// <inheritdoc/>
    public void Annotate(AnnotationLevel level, string message, string? file = null, long? line = null)
    {
        var where = file is null ? string.Empty : line is { } l ? FormattableString.Invariant($"{file}:{l}: ") : $"{file}: ";
        stdout.WriteLine($"{level.ToString().ToLowerInvariant()}: {where}{message}");
    }

    /// <inheritdoc/>
    public Task AddSummaryAsync(string markdown, string savedCopy, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
