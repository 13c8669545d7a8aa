using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Registry;
using MlOps.Reporting;

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
            // Each stage is called as a service with mlops.yaml's settings, as its command would be called without flags.
            var config = CommonOptions.LoadConfig(parse);
            void Stage(string name)
            {
                console.Error.WriteLine($"── mlops {name}");
                console.Error.Flush();
            }

            ClearStaleOutputs(config, console);
            Stage("validate");
            var validate = await ValidateCommand.ExecuteAsync(config, ValidateFlags.None, console, ct);
            var evaluate = ExitCodes.Success;
            if (validate == ExitCodes.Success)
            {
                Stage("train");
                var train = await TrainCommand.ExecuteAsync(config, new TrainFlags(new DataFlags(), ConfigPath: parse.GetValue(CommonOptions.Config)), console, ct);
                if (train != ExitCodes.Success) return train;
                Stage("evaluate");
                evaluate = await EvaluateCommand.ExecuteAsync(config, new EvaluateFlags(new DataFlags()), console, ct);
            }

            // Only this run's stages: a folder left by an earlier run must not speak for this one.
            Stage("report");
            var ran = validate == ExitCodes.Success;
            await ReportCommand.ExecuteAsync(
                ReportCommand.Folder(null, StageFolders.Validation),
                ran ? ReportCommand.Folder(null, StageFolders.Train) : StageFolder.Skipped,
                ran ? ReportCommand.Folder(null, StageFolders.Evaluation) : StageFolder.Skipped,
                new ReportStageOptions { Comment = parse.GetValue(comment) switch { "always" => CommentMode.Always, "never" => CommentMode.Never, _ => CommentMode.Auto } },
                console,
                ct);
            if (validate != ExitCodes.Success || evaluate != ExitCodes.Success)
            {
                console.Out.WriteLine($"STOPPED: {(validate != ExitCodes.Success ? "data validation failed" : "the candidate is not blessed")}; see mlops-out/report.md.");
                return ExitCodes.GateFailed;
            }

            if (parse.GetValue(noRegister)) return ExitCodes.Success;
            Stage("register");
            var registry = new ModelRegistry(config.Registry.Open(console.Environment), Actor.From(console.Environment));
            return await RegisterCommand.ExecuteAsync(registry, new Registration.RegisterOptions
            {
                Name = RegistryNames.Model(config.Project, "project"),
                Model = config.Train.Output ?? TrainCommand.DefaultOutput,
                Evaluation = Path.Combine(config.Evaluate.Output ?? EvaluateCommand.DefaultOutput, Evaluation.EvaluationResult.FileName),
                Validation = config.Validate.Output ?? RegistryCommands.DefaultValidation,
                Alias = parse.GetValue(alias),
            }, json: false, console, ct);
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
