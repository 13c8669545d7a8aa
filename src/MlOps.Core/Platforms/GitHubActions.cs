using System.Text;

namespace MlOps.Platforms;

/// <summary>
/// The GitHub Actions runner contract: <c>$GITHUB_OUTPUT</c> with random heredoc delimiters,
/// <c>$GITHUB_STEP_SUMMARY</c>, and workflow commands (<c>::error file=..,line=..::</c>,
/// <c>::add-mask::</c>) on standard output, escaped as the runner expects.
/// </summary>
public sealed class GitHubActions(Func<string, string?> environment, TextWriter stdout) : ICiPlatform
{
    /// <summary>GitHub's limit on one step's summary, in bytes.</summary>
    public const int SummaryLimitBytes = 1024 * 1024;

    /// <inheritdoc/>
    public string Name => "GitHub Actions";

    /// <inheritdoc/>
    public string? RunUrl =>
        environment("GITHUB_SERVER_URL") is { } server && environment("GITHUB_REPOSITORY") is { } repo && environment("GITHUB_RUN_ID") is { } run
            ? $"{server.TrimEnd('/')}/{repo}/actions/runs/{run}"
            : null;

    private GitHub.GitHubContext? _context;
    private bool _contextRead;

    /// <inheritdoc/>
    public string? Commit => environment("GITHUB_SHA");

    /// <inheritdoc/>
    public CiKind Kind => CiKind.GitHubActions;

    /// <inheritdoc/>
    public string? Token => environment("GITHUB_TOKEN") is { Length: > 0 } t ? t : null;

    /// <inheritdoc/>
    public bool RendersMermaid => true;

    /// <summary>The repository, event and pull request of this run (the event file is read once).</summary>
    public GitHub.GitHubContext? Context
    {
        get
        {
            if (!_contextRead)
            {
                _context = GitHub.GitHubContext.FromEnvironment(environment);
                _contextRead = true;
            }

            return _context;
        }
    }

    /// <inheritdoc/>
    public (IPullRequestCommenter? Commenter, string Why) PullRequestCommenter(int? pullRequest, RetryPolicy retry)
    {
        if (Context is not { } gh) return (null, "GITHUB_REPOSITORY is not set.");
        var number = pullRequest ?? gh.PullRequest;
        if (number is null) return (null, $"the '{gh.EventName}' event is not about a pull request (pass --pull-request).");
        if (Token is not { } token) return (null, "GITHUB_TOKEN is not set; pass the workflow's token (with: github-token: ${{ github.token }}).");
        return (new GitHub.GitHubReporter(GitHub.GitHubReporter.CreateClient(gh.ApiUrl, token), gh, number.Value, retry), string.Empty);
    }

    /// <inheritdoc/>
    public (IAlertTracker? Tracker, string Why) AlertTracker(RetryPolicy retry)
    {
        if (Context is not { } gh) return (null, "GITHUB_REPOSITORY is not set.");
        if (Token is not { } token) return (null, "GITHUB_TOKEN is not set; pass the workflow's token (with: github-token: ${{ github.token }}) and grant 'permissions: issues: write'.");
        return (new GitHub.GitHubIssueAlerts(GitHub.GitHubReporter.CreateClient(gh.ApiUrl, token), gh, retry), string.Empty);
    }

    /// <inheritdoc/>
    public async Task<string?> SetCommitStatusAsync(string context, bool success, string description, RetryPolicy retry, CancellationToken cancellationToken = default)
    {
        if (Context is not { HeadSha: { } sha } gh || Token is not { } token) return "No commit status: it needs GitHub Actions, GITHUB_SHA and GITHUB_TOKEN.";
        var reporter = new GitHub.GitHubReporter(GitHub.GitHubReporter.CreateClient(gh.ApiUrl, token), gh, gh.PullRequest ?? 0, retry);
        await reporter.SetStatusAsync(sha, context, success, description, RunUrl, cancellationToken);
        return null;
    }

    /// <inheritdoc/>
    public void SetOutput(string name, string value)
    {
        if (environment("GITHUB_OUTPUT") is not { Length: > 0 } file)
        {
            // Runners older than October 2022 only know the deprecated command; still better than nothing.
            stdout.WriteLine($"::set-output name={Property(name)}::{Data(value)}");
            return;
        }

        var delimiter = "ghadelimiter_" + Guid.NewGuid().ToString("N");
        File.AppendAllText(file, $"{name}<<{delimiter}\n{value}\n{delimiter}\n", new UTF8Encoding(false));
    }

    /// <inheritdoc/>
    public void Mask(string secret)
    {
        if (secret.Length > 0) stdout.WriteLine($"::add-mask::{Data(secret)}");
    }

    /// <inheritdoc/>
    public void Annotate(AnnotationLevel level, string message, string? file = null, long? line = null)
    {
        var command = level switch { AnnotationLevel.Error => "error", AnnotationLevel.Warning => "warning", _ => "notice" };
        var properties = new List<string>();
        if (file is not null) properties.Add($"file={Property(file)}");
        if (line is { } l) properties.Add(FormattableString.Invariant($"line={l}"));
        stdout.WriteLine($"::{command}{(properties.Count > 0 ? " " + string.Join(",", properties) : string.Empty)}::{Data(message)}");
    }

    /// <inheritdoc/>
    public async Task AddSummaryAsync(string markdown, string savedCopy, CancellationToken cancellationToken = default)
    {
        if (environment("GITHUB_STEP_SUMMARY") is not { Length: > 0 } file) return;
        var existing = File.Exists(file) ? new FileInfo(file).Length : 0;
        var text = markdown + "\n";
        if (existing + Encoding.UTF8.GetByteCount(text) > SummaryLimitBytes)
        {
            // The runner drops a summary over 1 MiB entirely; a short pointer beats nothing.
            text = $"The mlops report is too large for the job summary; see `{savedCopy}` in the run's artifacts.\n";
        }

        await File.AppendAllTextAsync(file, text, new UTF8Encoding(false), cancellationToken);
    }

    /// <summary>Escapes a workflow command's message.</summary>
    internal static string Data(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    /// <summary>Escapes a workflow command's property value.</summary>
    internal static string Property(string value) =>
        Data(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);
}
