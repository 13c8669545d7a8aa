namespace MlOps.Platforms;

/// <summary>
/// The Azure Pipelines agent contract: <c>##vso[task.setvariable]</c> outputs,
/// <c>##vso[task.logissue]</c> annotations, <c>##vso[task.uploadsummary]</c> and
/// <c>##vso[task.setsecret]</c> logging commands on standard output.
/// </summary>
public sealed class AzurePipelines(Func<string, string?> environment, TextWriter stdout) : ICiPlatform
{
    /// <inheritdoc/>
    public string Name => "Azure Pipelines";

    /// <inheritdoc/>
    public string? RunUrl =>
        environment("SYSTEM_COLLECTIONURI") is { } collection && environment("SYSTEM_TEAMPROJECT") is { } project && environment("BUILD_BUILDID") is { } build
            ? $"{collection.TrimEnd('/')}/{Uri.EscapeDataString(project)}/_build/results?buildId={build}"
            : null;

    /// <inheritdoc/>
    public string? Commit => environment("BUILD_SOURCEVERSION");

    /// <inheritdoc/>
    public CiKind Kind => CiKind.AzurePipelines;

    /// <inheritdoc/>
    public string? Token => environment("SYSTEM_ACCESSTOKEN") is { Length: > 0 } t ? t : null;

    /// <inheritdoc/>
    public bool RendersMermaid => false;

    /// <inheritdoc/>
    public (IAlertTracker? Tracker, string Why) AlertTracker(RetryPolicy retry) =>
        (null, "Azure Pipelines: alerts are the run's error annotations (##vso[task.logissue]); work items are not opened.");

    /// <inheritdoc/>
    public (IPullRequestCommenter? Commenter, string Why) PullRequestCommenter(int? pullRequest, RetryPolicy retry)
    {
        var ado = AzureDevOps.AzureDevOpsContext.FromEnvironment(environment);
        if (ado is null) return (null, "this is not a pull-request build (SYSTEM_PULLREQUEST_PULLREQUESTID is not set).");
        if (pullRequest is { } n) ado = ado with { PullRequest = n };
        if (Token is not { } token) return (null, "SYSTEM_ACCESSTOKEN is not set; map it in the step: env: SYSTEM_ACCESSTOKEN: $(System.AccessToken).");
        return (new AzureDevOps.AzureDevOpsCommenter(HttpClients.Shared, ado, token, retry), string.Empty);
    }

    /// <inheritdoc/>
    public Task<string?> SetCommitStatusAsync(string context, bool success, string description, RetryPolicy retry, CancellationToken cancellationToken = default) =>
        Task.FromResult<string?>("No commit status: it needs GitHub Actions, GITHUB_SHA and GITHUB_TOKEN.");

    /// <inheritdoc/>
    public void SetOutput(string name, string value) =>
        stdout.WriteLine($"##vso[task.setvariable variable={Property(VariableName(name))};isOutput=true]{Data(value)}");

    /// <summary>
    /// An output's variable name: Azure variables are letters, digits, '.' and '_', so the
    /// kebab-case names the stages use become camelCase (<c>comment-url</c> → <c>commentUrl</c>).
    /// </summary>
    public static string VariableName(string name)
    {
        var parts = name.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length < 2 ? name : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <inheritdoc/>
    public void Mask(string secret)
    {
        if (secret.Length > 0) stdout.WriteLine($"##vso[task.setsecret]{Data(secret)}");
    }

    /// <inheritdoc/>
    public void Annotate(AnnotationLevel level, string message, string? file = null, long? line = null)
    {
        // Azure Pipelines knows only warnings and errors.
        var type = level == AnnotationLevel.Error ? "error" : "warning";
        var where = (file is null ? string.Empty : $"sourcepath={Property(file)};") + (line is { } l ? FormattableString.Invariant($"linenumber={l};") : string.Empty);
        stdout.WriteLine($"##vso[task.logissue type={type};{where}]{Data(message)}");
    }

    /// <inheritdoc/>
    public Task AddSummaryAsync(string markdown, string savedCopy, CancellationToken cancellationToken = default)
    {
        // The agent attaches the file itself, so it must stay where it is: the saved report.
        stdout.WriteLine($"##vso[task.uploadsummary]{Data(Path.GetFullPath(savedCopy))}");
        return Task.CompletedTask;
    }

    /// <summary>Escapes a logging command's message as the agent unescapes it.</summary>
    internal static string Data(string value) =>
        InertConsoleWriter.Neutralize(value.Replace("%", "%AZP25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal));

    /// <summary>Escapes a logging command's property value.</summary>
    internal static string Property(string value) =>
        Data(value).Replace(";", "%3B", StringComparison.Ordinal).Replace("]", "%5D", StringComparison.Ordinal);
}
