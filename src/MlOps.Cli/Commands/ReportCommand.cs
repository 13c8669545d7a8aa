using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Platforms;
using MlOps.Reporting;
using static System.FormattableString;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>mlops report</c>: one Markdown report from the stage outputs, saved to a file and, in CI,
/// put where people look: the job summary, annotations, step outputs and one sticky
/// pull-request comment that is updated in place.
/// </summary>
public static class ReportCommand
{
    /// <summary>The default report file.</summary>
    public const string DefaultOutput = StageFolders.Report;

    private const int MaxAnnotationsPerLevel = 10;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var validation = new Option<string?>("--validation") { Description = "The validate output folder (default: mlops-out/validation, skipped when missing; none skips it).", HelpName = "folder" };
        var train = new Option<string?>("--train") { Description = $"The train output folder (default: {TrainCommand.DefaultOutput}, skipped when missing; none skips it).", HelpName = "folder" };
        var evaluation = new Option<string?>("--evaluation") { Description = $"The evaluate output folder (default: {EvaluateCommand.DefaultOutput}, skipped when missing; none skips it).", HelpName = "folder" };
        var output = CommonOptions.Output($"The report file (default: {DefaultOutput}).");
        var comment = new Option<string>("--comment") { Description = "Post the report as a sticky pull-request comment: auto (when the run is for a pull request), always, or never.", DefaultValueFactory = _ => "auto" };
        comment.AcceptOnlyFromAmong("auto", "always", "never");
        var key = new Option<string>("--key") { Description = "Names the sticky comment: one comment per key on a pull request (use one key per model).", DefaultValueFactory = _ => "mlops" };
        var charts = new Option<string>("--charts") { Description = "Charts: auto (Mermaid on GitHub and locally, text on Azure DevOps), mermaid, text or none.", DefaultValueFactory = _ => "auto" };
        charts.AcceptOnlyFromAmong("auto", "mermaid", "text", "none");
        var pullRequest = new Option<int?>("--pull-request") { Description = "The pull request to comment on (default: from the CI event). For the workflow_run pattern on forks, pass the number saved by the untrusted run.", HelpName = "number" };
        var status = new Option<bool>("--commit-status") { Description = "GitHub: also set a commit status 'mlops/KEY' with the verdict (needs 'statuses: write')." };
        var cmd = new Command("report", "Render the stage outputs into one report: saved to a file, and in CI a job summary, annotations, outputs and one sticky pull-request comment updated in place.")
        {
            validation, train, evaluation, output, comment, key, charts, pullRequest, status,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var env = console.Environment;
            var platform = CiPlatforms.Detect(env, console.Commands);
            if (platform.Token is { } token) platform.Mask(token);

            var reportKey = parse.GetValue(key)!;
            if (!ReportRenderer.IsValidKey(reportKey)) throw Errors.Config("--key", $"'{reportKey}' is not a valid report key: use letters, digits, '.', '_' or '-' (at most 64).");
            var inputs = await ReportInputs.ReadAsync(Folder(parse.GetValue(validation), StageFolders.Validation), Folder(parse.GetValue(train), TrainCommand.DefaultOutput), Folder(parse.GetValue(evaluation), EvaluateCommand.DefaultOutput), ct);
            if (inputs.IsEmpty) throw Errors.Data(StageFolders.Root, "nothing to report: no validation.json, run.json or evaluation.json in the stage folders; run validate, train or evaluate first, or pass --validation/--train/--evaluation.");

            var options = new ReportOptions
            {
                Key = reportKey,
                Charts = parse.GetValue(charts) switch { "mermaid" => ChartStyle.Mermaid, "text" => ChartStyle.Text, "none" => ChartStyle.None, _ => platform.RendersMermaid ? ChartStyle.Mermaid : ChartStyle.Text },
                ArtifactsUrl = platform.RunUrl,
                Commit = platform.Commit,
            };
            var markdown = ReportRenderer.Render(inputs, options);
            var path = parse.GetValue(output) ?? DefaultOutput;
            await AtomicFile.WriteTextAsync(path, markdown, ct);
            await platform.AddSummaryAsync(markdown, path, ct);
            Annotate(platform, inputs);

            var commentUrl = await CommentAsync(parse.GetValue(comment)!, parse.GetValue(pullRequest), platform, reportKey, markdown, console, ct);
            if (parse.GetValue(status)) await SetStatusAsync(platform, reportKey, inputs, console, ct);

            platform.SetOutput("passed", inputs.Passed ? "true" : "false");
            if (inputs.Evaluation is { } e) platform.SetOutput("blessed", e.Blessed ? "true" : "false");
            // As given (relative to the workspace by default): a container action sees the workspace at
            // /github/workspace, so an absolute path would mean nothing to the next step on the runner.
            platform.SetOutput("report", path);
            if (commentUrl is not null) platform.SetOutput("comment-url", commentUrl);
            console.Out.WriteLine(inputs.Passed ? "PASSED" : "NOT PASSED");
            console.Out.WriteLine($"Report: {path}");
            if (commentUrl is not null) console.Out.WriteLine($"Comment: {commentUrl}");
            if (inputs.Mismatches is { Count: > 0 } mismatches)
            {
                // Written and posted with the warning first, but the step fails: its verdict is not this run's.
                throw Errors.Data(StageFolders.Root, $"the stage outputs are not from one run: {string.Join("; ", mismatches)}. Run the stages again in one job, or pass --validation/--train/--evaluation none for a stage that did not run.");
            }

            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>"none" skips a stage (mlops run uses it so outputs of an earlier run never leak into this one).</summary>
    private static StageFolder Folder(string? given, string fallback) => given == "none" ? StageFolder.Skipped : new(given ?? fallback, given is not null);

    /// <summary>Anomalies point at their file and row; failed gates and drift are run-level. The runner shows ten per level per step.</summary>
    private static void Annotate(ICiPlatform platform, ReportInputs inputs)
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

    private static async Task<string?> CommentAsync(string mode, int? pullRequest, ICiPlatform platform, string key, string markdown, CliConsole console, CancellationToken ct)
    {
        if (mode == "never") return null;
        var (commenter, why) = platform.PullRequestCommenter(pullRequest, new RetryPolicy { Log = line => console.Error.WriteLine(line) });
        if (commenter is null)
        {
            if (mode == "always") throw Errors.Config("--comment always", why);
            console.Error.WriteLine($"No pull-request comment: {why}");
            return null;
        }

        var body = ReportFitter.Fit(markdown, ReportOptions.GitHubCommentLimit, platform.RunUrl ?? "report.md in the run's artifacts");
        try
        {
            var result = await commenter.UpsertAsync(ReportRenderer.Marker(key), body, ct);
            console.Error.WriteLine($"Pull-request comment {result.Action.ToString().ToLowerInvariant()}: {result.Url}");
            return result.Url;
        }
        catch (CommentForbiddenException e)
        {
            // Forks: the report is in the job summary already; say so and do not fail the job.
            platform.Annotate(AnnotationLevel.Warning, $"{e.Message} The report is in the job summary instead.");
            console.Error.WriteLine($"warning: {e.Message} The report is in the job summary instead.");
            return null;
        }
    }

    private static async Task SetStatusAsync(ICiPlatform platform, string key, ReportInputs inputs, CliConsole console, CancellationToken ct)
    {
        var description = inputs.Evaluation is { } e
            ? e.Blessed ? "Blessed: the candidate may replace the baseline" : $"Not blessed: {string.Join("; ", e.Gates.Where(g => !g.Passed).Select(g => g.Name))}"
            : inputs.Passed ? "Data validation passed" : "Data validation failed";
        try
        {
            if (await platform.SetCommitStatusAsync($"mlops/{key}", inputs.Passed, description, new RetryPolicy { Log = line => console.Error.WriteLine(line) }, ct) is { } why) console.Error.WriteLine(why);
        }
        catch (CommentForbiddenException forbidden)
        {
            platform.Annotate(AnnotationLevel.Warning, forbidden.Message);
        }
    }
}
