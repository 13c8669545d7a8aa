using System.CommandLine;
using System.Globalization;
using MlOps.Artifacts;
using MlOps.Scoring;
using MlOps.Training;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops train</c>: a built-in ML.NET trainer or the user's command; writes the model and run.json.</summary>
public static class TrainCommand
{
    /// <summary>The default artifact folder.</summary>
    public const string DefaultOutput = StageFolders.Train;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var trainer = new Option<string?>("--trainer", "-t") { Description = $"A built-in trainer: {string.Join(", ", TrainerCatalog.Names)} (default: train.trainer, else {TrainSettings.DefaultTrainer})." };
        var seed = new Option<int?>("--seed") { Description = "The random seed (default: train.seed, else 42)." };
        var command = new Option<string?>("--command") { Description = "Train with this shell command instead of a built-in trainer (default: train.command). It gets the split files and an output folder in MLOPS_* variables and writes model.onnx or model.zip there." };
        var output = CommonOptions.Output($"The folder for the model, run.json and report.md (default: {DefaultOutput}).");
        var json = CommonOptions.Json();
        var cmd = new Command("train", "Train a model on the train split: a built-in ML.NET trainer with its preprocessing saved in the model, or your own command. Writes the model, run.json and report.md.")
        {
            trainer, seed, command, output, json,
        };
        data.AddTo(cmd);
        cmd.SetAction((parse, ct) => ExecuteAsync(
            CommonOptions.LoadConfig(parse),
            new TrainFlags(data.Flags(parse), parse.GetValue(trainer), parse.GetValue(seed), parse.GetValue(command), parse.GetValue(output), parse.GetValue(CommonOptions.Config), parse.GetValue(json)),
            console,
            ct));
        return cmd;
    }

    /// <summary>Binds the flags over mlops.yaml, runs the stage and prints its result (also what mlops run calls, with no flags).</summary>
    internal static async Task<int> ExecuteAsync(Configuration.MlOpsConfig config, TrainFlags flags, CliConsole console, CancellationToken ct)
    {
        var settings = config.Train;
        if (flags.Trainer is { } t)
        {
            var spec = TrainerCatalog.Find(t) ?? throw Errors.Config("--trainer", $"'{t}' is not a built-in trainer; expected one of {string.Join(", ", TrainerCatalog.Names)}.");
            if (spec.Name != settings.Trainer && settings.Hyperparameters.Count > 0)
            {
                // Hyperparameters were validated for the configured trainer; do not carry them to another.
                settings = settings with { Hyperparameters = new Dictionary<string, double>() };
                console.Error.WriteLine($"note: --trainer {t} ignores train.hyperparameters written for {config.Train.Trainer}.");
            }

            settings = settings with { Trainer = spec.Name, Command = null };
        }

        if (flags.Seed is { } s) settings = settings with { Seed = s };
        if (flags.Command is { } c) settings = settings with { Command = c };
        var task = ModelTasks.Parse(config.Task) ?? throw Errors.Config("task", "is required for training: binary, multiclass or regression.");
        var options = new TrainOptions
        {
            Project = config.Project,
            Data = DataOptions.Resolve(flags.Data, config),
            Task = task,
            Label = config.Label ?? throw Errors.Config("label", "is required for training: the column to predict."),
            PositiveClass = config.PositiveClass,
            SchemaPath = config.Validate.Schema,
            Split = config.Split ?? new Data.SplitSettings(),
            Settings = settings,
            Model = config.Model,
            OutputDirectory = flags.Output ?? settings.Output ?? DefaultOutput,
            ConfigPath = flags.ConfigPath ?? (File.Exists(Configuration.MlOpsConfig.DefaultFileName) ? Configuration.MlOpsConfig.DefaultFileName : null),
            WorkingDirectory = config.BaseDirectory,
            Environment = console.Environment,
        };
        var result = await new Trainer(line => console.Error.WriteLine(line)).RunAsync(options, ct);
        if (flags.Json)
        {
            JsonOutput.Write(console.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", result.ModelPath);
                w.WriteString("runRecord", result.RunRecordPath);
                w.WriteString("runId", result.Record.RunId);
                w.WriteString("dataFingerprint", result.Record.Data.Fingerprint);
                w.WriteStartObject("metrics");
                foreach (var (split, metrics) in result.Record.Metrics)
                {
                    w.WriteStartObject(split);
                    foreach (var (name, value) in metrics) w.WriteNumber(name, value);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteEndObject();
            });
        }
        else
        {
            var r = result.Record;
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {r.Task} model {result.ModelPath} in {r.DurationSeconds:0.0} s (run {r.RunId})."));
            foreach (var (split, metrics) in r.Metrics)
            {
                console.Out.WriteLine($"  {split}: {string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.####}")))}");
            }

            console.Out.WriteLine($"Run record: {result.RunRecordPath}");
        }

        return ExitCodes.Success;
    }
}

/// <summary>mlops train's flags as given; null when not.</summary>
internal sealed record TrainFlags(DataFlags Data, string? Trainer = null, int? Seed = null, string? Command = null, string? Output = null, string? ConfigPath = null, bool Json = false);
