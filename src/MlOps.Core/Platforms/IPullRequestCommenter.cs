namespace MlOps.Platforms;

/// <summary>What happened to the sticky comment.</summary>
public enum CommentAction
{
    /// <summary>No comment had the marker: one was created.</summary>
    Created,

    /// <summary>The comment with the marker was edited in place.</summary>
    Updated,

    /// <summary>The comment already said exactly this.</summary>
    Unchanged,
}

/// <summary>The sticky comment after an upsert.</summary>
public sealed record CommentResult(CommentAction Action, string? Url);

/// <summary>Keeps one comment per marker on a pull request: found and edited in place, created when missing.</summary>
public interface IPullRequestCommenter
{
    /// <summary>Creates or updates the comment that contains <paramref name="marker"/> so that it reads <paramref name="body"/>.</summary>
    /// <exception cref="CommentForbiddenException">The token may read but not write comments (a fork's pull request).</exception>
    /// <exception cref="ExternalServiceException">The service kept failing after retries.</exception>
    Task<CommentResult> UpsertAsync(string marker, string body, CancellationToken cancellationToken = default);
}

/// <summary>The token may not write comments: typical of pull requests from forks, whose tokens are read-only.</summary>
public sealed class CommentForbiddenException(string message) : MlOpsException(message)
{
    /// <inheritdoc/>
    public override int ExitCode => ExitCodes.ExternalServiceError;
}
