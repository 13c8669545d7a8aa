using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Platforms;
using MlOps.Reporting;

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
        cmd.SetAction((parse, ct) => ExecuteAsync(
            Folder(parse.GetValue(validation), StageFolders.Validation),
            Folder(parse.GetValue(train), StageFolders.Train),
            Folder(parse.GetValue(evaluation), StageFolders.Evaluation),
            new ReportStageOptions
            {
                Output = parse.GetValue(output) ?? DefaultOutput,
                Key = parse.GetValue(key)!,
                Charts = parse.GetValue(charts) switch { "mermaid" => ChartStyle.Mermaid, "text" => ChartStyle.Text, "none" => ChartStyle.None, _ => null },
                Comment = parse.GetValue(comment) switch { "always" => CommentMode.Always, "never" => CommentMode.Never, _ => CommentMode.Auto },
                PullRequest = parse.GetValue(pullRequest),
                CommitStatus = parse.GetValue(status),
            },
            console,
            ct));
        return cmd;
    }

    /// <summary>Reads the stage folders, runs the report stage through the CI platform and prints its result (also what mlops run calls).</summary>
    internal static async Task<int> ExecuteAsync(StageFolder validation, StageFolder train, StageFolder evaluation, ReportStageOptions options, CliConsole console, CancellationToken ct)
    {
        var platform = CiPlatforms.Detect(console.Environment, console.Commands);
        var inputs = await ReportInputs.ReadAsync(validation, train, evaluation, ct);
        var result = await new Reporter(platform, line => console.Error.WriteLine(line)).RunAsync(inputs, options, ct);
        console.Out.WriteLine(inputs.Passed ? "PASSED" : "NOT PASSED");
        console.Out.WriteLine($"Report: {result.Path}");
        if (result.CommentUrl is not null) console.Out.WriteLine($"Comment: {result.CommentUrl}");
        Reporter.EnsureOneRun(inputs);
        return ExitCodes.Success;
    }

    /// <summary>"none" skips a stage (mlops run uses it so outputs of an earlier run never leak into this one).</summary>
    internal static StageFolder Folder(string? given, string fallback) => given == "none" ? StageFolder.Skipped : new(given ?? fallback, given is not null);
}
