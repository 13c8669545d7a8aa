using MlOps.Artifacts;
using MlOps.Platforms;
using static System.FormattableString;

namespace MlOps.Reporting;

/// <summary>How <c>mlops report</c> delivers the report.</summary>
public enum CommentMode
{
    /// <summary>Comment when the CI run is for a pull request.</summary>
    Auto,

    /// <summary>Comment, or fail (exit 2) when there is no pull request or token.</summary>
    Always,

    /// <summary>Never comment.</summary>
    Never,
}

/// <summary>Everything the report stage needs beyond the stage outputs.</summary>
public sealed record ReportStageOptions
{
    /// <summary>The report file.</summary>
    public string Output { get; init; } = StageFolders.Report;

    /// <summary>Names the sticky comment (one per key on a pull request).</summary>
    public string Key { get; init; } = "mlops";

    /// <summary>Charts; null: Mermaid where the platform renders it, else text.</summary>
    public ChartStyle? Charts { get; init; }

    /// <summary>Whether to post the sticky pull-request comment.</summary>
    public CommentMode Comment { get; init; } = CommentMode.Auto;

    /// <summary>A pull request to comment on instead of the CI event's (the fork pattern).</summary>
    public int? PullRequest { get; init; }

    /// <summary>GitHub: also set a commit status mlops/KEY with the verdict.</summary>
    public bool CommitStatus { get; init; }
}

/// <summary>What the report stage did.</summary>
/// <param name="Inputs">The stage outputs it covered.</param>
/// <param name="Path">The report file.</param>
/// <param name="CommentUrl">The sticky comment, when one was posted.</param>
public sealed record ReportStageResult(ReportInputs Inputs, string Path, string? CommentUrl);

/// <summary>
/// The report stage: one Markdown report from the stage outputs, saved to a file and put where
/// people look through the CI platform: the job summary, annotations, step outputs, one sticky
/// pull-request comment updated in place and, on request, a commit status.
/// </summary>
public sealed class Reporter(ICiPlatform platform, Action<string> log)
{
    private const int MaxAnnotationsPerLevel = 10;

    /// <summary>Runs the stage.</summary>
    /// <exception cref="DataException">Nothing to report, or the stage outputs are not from one run (after the report was written and delivered).</exception>
    public async Task<ReportStageResult> RunAsync(ReportInputs inputs, ReportStageOptions o, CancellationToken cancellationToken = default)
    {
        if (platform.Token is { } token) platform.Mask(token);
        if (!ReportRenderer.IsValidKey(o.Key)) throw Errors.Config("--key", $"'{o.Key}' is not a valid report key: use letters, digits, '.', '_' or '-' (at most 64).");
        if (inputs.IsEmpty) throw Errors.Data(StageFolders.Root, "nothing to report: no validation.json, run.json or evaluation.json in the stage folders; run validate, train or evaluate first, or pass --validation/--train/--evaluation.");
        var options = new ReportOptions
        {
            Key = o.Key,
            Charts = o.Charts ?? (platform.RendersMermaid ? ChartStyle.Mermaid : ChartStyle.Text),
            ArtifactsUrl = platform.RunUrl,
            Commit = platform.Commit,
        };
        var markdown = ReportRenderer.Render(inputs, options);
        await AtomicFile.WriteTextAsync(o.Output, markdown, cancellationToken);
        await platform.AddSummaryAsync(markdown, o.Output, cancellationToken);
        Annotate(inputs);

        var commentUrl = await CommentAsync(o, markdown, cancellationToken);
        if (o.CommitStatus) await SetStatusAsync(o.Key, inputs, cancellationToken);

        platform.SetOutput("passed", inputs.Passed ? "true" : "false");
        if (inputs.Evaluation is { } e) platform.SetOutput("blessed", e.Blessed ? "true" : "false");

        // As given (relative to the workspace by default): a container action sees the workspace at
        // /github/workspace, so an absolute path would mean nothing to the next step on the runner.
        platform.SetOutput("report", o.Output);
        if (commentUrl is not null) platform.SetOutput("comment-url", commentUrl);
        return new ReportStageResult(inputs, o.Output, commentUrl);
    }

    /// <summary>Fails the step when the outputs are not from one run: its verdict is not this run's (call after printing).</summary>
    /// <exception cref="DataException">They are not.</exception>
    public static void EnsureOneRun(ReportInputs inputs)
    {
        if (inputs.Mismatches is { Count: > 0 } mismatches)
        {
            throw Errors.Data(StageFolders.Root, $"the stage outputs are not from one run: {string.Join("; ", mismatches)}. Run the stages again in one job, or pass --validation/--train/--evaluation none for a stage that did not run.");
        }
    }

    // Anomalies point at their file and row; failed gates and drift are run-level. The runner shows ten per level per step.
    private void Annotate(ReportInputs inputs)
    {
        var errors = new List<(string Message, string? File, long? Line)>();
        var warnings = new List<(string Message, string? File, long? Line)>();
        errors.AddRange(inputs.Mismatches.Select(m => ($"Stage outputs from different runs: {m}", (string?)null, (long?)null)));
        if (inputs.Evaluation is { Blessed: false } e)
        {
            errors.AddRange(e.Gates.Where(g => !g.Passed).Select(g => ($"Model not blessed: {g.Name}: {g.Detail}", (string?)null, (long?)null)));
        }

        if (inputs.Validation is { } v)
        {
            errors.AddRange(v.Anomalies.Select(a => (Invariant($"Data anomaly in {(a.Column is null ? "the dataset" : $"column '{a.Column}'")}: {a.Kind}: expected {a.Expected}, found {a.Actual} ({a.Count} rows)"), a.File, a.Row)));
            if (v.Drift is { } d)
            {
                warnings.AddRange(d.Columns.Where(c => c.Drifted).Select(c => (Invariant($"Drift in column '{c.Column}': {c.Method} {c.Score:0.####} over threshold {c.Threshold:0.####} against {d.Baseline}"), (string?)null, (long?)null)));
            }
        }

        foreach (var (m, f, l) in errors.Take(MaxAnnotationsPerLevel)) platform.Annotate(AnnotationLevel.Error, m, f, l);
        foreach (var (m, f, l) in warnings.Take(MaxAnnotationsPerLevel)) platform.Annotate(AnnotationLevel.Warning, m, f, l);
        var hidden = Math.Max(0, errors.Count - MaxAnnotationsPerLevel) + Math.Max(0, warnings.Count - MaxAnnotationsPerLevel);
        if (hidden > 0) platform.Annotate(AnnotationLevel.Notice, Invariant($"{hidden} more findings are in the report."));
    }

    private async Task<string?> CommentAsync(ReportStageOptions o, string markdown, CancellationToken ct)
    {
        if (o.Comment == CommentMode.Never) return null;
        var (commenter, why) = platform.PullRequestCommenter(o.PullRequest, new RetryPolicy { Log = log });
        if (commenter is null)
        {
            if (o.Comment == CommentMode.Always) throw Errors.Config("--comment always", why);
            log($"No pull-request comment: {why}");
            return null;
        }

        var body = ReportFitter.Fit(markdown, ReportOptions.GitHubCommentLimit, platform.RunUrl ?? "report.md in the run's artifacts");
        try
        {
            var result = await commenter.UpsertAsync(ReportRenderer.Marker(o.Key), body, ct);
            log($"Pull-request comment {result.Action.ToString().ToLowerInvariant()}: {result.Url}");
            return result.Url;
        }
        catch (CommentForbiddenException e)
        {
            // Forks: the report is in the job summary already; say so and do not fail the job.
            platform.Annotate(AnnotationLevel.Warning, $"{e.Message} The report is in the job summary instead.");
            log($"warning: {e.Message} The report is in the job summary instead.");
            return null;
        }
    }

    private async Task SetStatusAsync(string key, ReportInputs inputs, CancellationToken ct)
    {
        var description = inputs.Evaluation is { } e
            ? e.Blessed ? "Blessed: the candidate may replace the baseline" : $"Not blessed: {string.Join("; ", e.Gates.Where(g => !g.Passed).Select(g => g.Name))}"
            : inputs.Passed ? "Data validation passed" : "Data validation failed";
        try
        {
            if (await platform.SetCommitStatusAsync($"mlops/{key}", inputs.Passed, description, new RetryPolicy { Log = log }, ct) is { } why) log(why);
        }
        catch (CommentForbiddenException forbidden)
        {
            platform.Annotate(AnnotationLevel.Warning, forbidden.Message);
        }
    }
}
