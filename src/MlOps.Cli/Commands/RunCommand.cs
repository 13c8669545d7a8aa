using System.CommandLine;
using MlOps.Artifacts;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>mlops run</c>: the whole loop on one config: validate → train → evaluate vs production →
/// report → register. A stage that says no stops the loop after the report is written.
/// </summary>
public static class RunCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var alias = new Option<string>("--alias") { Description = "The alias a blessed candidate gets in the registry.", DefaultValueFactory = _ => "staging" };
        var noRegister = new Option<bool>("--no-register") { Description = "Stop after the report: do not register the candidate." };
        var comment = new Option<string>("--comment") { Description = "Passed to report: auto, always or never.", DefaultValueFactory = _ => "auto" };
        comment.AcceptOnlyFromAmong("auto", "always", "never");
        var cmd = new Command("run", "Run the whole loop on mlops.yaml: validate → train → evaluate against production → report → register (alias staging). A failed gate stops the loop with the report written; the exit code is the failing stage's.")
        {
            alias, noRegister, comment,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = parse.GetValue(CommonOptions.Config);
            string[] With(params string[] args) => config is null ? args : [.. args, "--config", config];

            async Task<int> Stage(string name, params string[] args)
            {
                console.Error.WriteLine($"── mlops {name}");
                console.Error.Flush();
                return await MlOpsCli.RunAsync(With(args), console.Out, console.Error, console.Commands, console.Environment, ct);
            }

            ClearStaleOutputs(CommonOptions.LoadConfig(parse), console);
            var validate = await Stage("validate", "validate");
            if (validate is not (ExitCodes.Success or ExitCodes.GateFailed)) return validate;
            var evaluate = ExitCodes.Success;
            if (validate == ExitCodes.Success)
            {
                var train = await Stage("train", "train");
                if (train != ExitCodes.Success) return train;
                evaluate = await Stage("evaluate", "evaluate");
                if (evaluate is not (ExitCodes.Success or ExitCodes.GateFailed)) return evaluate;
            }

            // Only this run's stages: a folder left by an earlier run must not speak for this one.
            string[] skipped = validate == ExitCodes.Success ? [] : ["--train", "none", "--evaluation", "none"];
            var report = await Stage("report", ["report", "--comment", parse.GetValue(comment)!, .. skipped]);
            if (report != ExitCodes.Success) return report;
            if (validate != ExitCodes.Success || evaluate != ExitCodes.Success)
            {
                console.Out.WriteLine($"STOPPED: {(validate != ExitCodes.Success ? "data validation failed" : "the candidate is not blessed")}; see mlops-out/report.md.");
                return ExitCodes.GateFailed;
            }

            if (parse.GetValue(noRegister)) return ExitCodes.Success;
            return await Stage("register", "register", "--alias", parse.GetValue(alias)!);
        });
        return cmd;
    }

    /// <summary>
    /// Removes what an earlier run left in this run's stage folders (only the stage artifacts, never
    /// the folders or anything else in them), so a stage that fails or does not run now cannot be
    /// reported, registered or deployed as if it belonged to this run.
    /// </summary>
    internal static void ClearStaleOutputs(Configuration.MlOpsConfig config, CliConsole console)
    {
        var stages = new (string Folder, string[] Files)[]
        {
            (config.Validate.Output ?? ValidateCommand.DefaultOutput, [ArtifactKinds.Validation, ArtifactKinds.Stats, ArtifactKinds.Schema, ArtifactKinds.Anomalies, ArtifactKinds.Drift, ArtifactKinds.Report]),
            (config.Train.Output ?? TrainCommand.DefaultOutput, [Training.RunRecord.FileName, "model.zip", "model.onnx", ArtifactKinds.Report]),
            (config.Evaluate.Output ?? EvaluateCommand.DefaultOutput, [Evaluation.EvaluationResult.FileName, ArtifactKinds.Report]),
            (Path.GetDirectoryName(ReportCommand.DefaultOutput)!, [Path.GetFileName(ReportCommand.DefaultOutput)]),
        };
        var removed = 0;
        foreach (var (folder, files) in stages)
        {
            foreach (var file in files)
            {
                var path = Path.Combine(folder, file);
                if (!File.Exists(path)) continue;
                File.Delete(path);
                removed++;
            }
        }

        if (removed > 0) console.Error.WriteLine($"cleared {removed} stage outputs of an earlier run");
    }
}
