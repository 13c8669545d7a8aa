using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Inference;
using MlOps.Registry;
using MlOps.Scoring;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops predict</c>: batch inference with the production model (or any version or file).</summary>
internal static class PredictCommand
{
    /// <summary>The default predictions file.</summary>
    public const string DefaultOutput = StageFolders.Root + "/predictions.csv";

    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var model = new Option<string?>("--model", "-m") { Description = "The model: NAME@ALIAS or NAME:VERSION from the registry, or a model file or training folder (default: the project at production).", HelpName = "ref" };
        var keys = new Option<string[]>("--key", "-k") { Description = "A column copied to every prediction (an id); repeat for several (default: split.key when set).", AllowMultipleArgumentsPerToken = false };
        var shard = new Option<string?>("--shard") { Description = "Score only rows i of n (e.g. 2/4) for a matrix of jobs; concatenate the outputs.", HelpName = "i/n" };
        var log = new Option<string?>("--prediction-log") { Description = "Append a sample of rows to this JSON Lines log, in the server's format, for mlops monitor.", HelpName = "path" };
        var sample = new Option<double>("--log-sample") { Description = "The share of rows written to the prediction log, 0 to 1.", DefaultValueFactory = _ => 0.1 };
        var output = CommonOptions.Output($"The predictions file, .csv or .jsonl (default: {DefaultOutput}).");
        var json = CommonOptions.Json();
        sample.Validators.Add(r => { if (r.GetValueOrDefault<double>() is not (>= 0 and <= 1)) r.AddError("--log-sample: expected a share from 0 to 1 (0.1 logs one row in ten)."); });
        var cmd = new Command("predict", "Batch inference: score a dataset with the production model (or NAME@ALIAS, NAME:VERSION, a file); writes predictions with your key columns, the class probabilities, the model version and the time, streaming in bounded memory.")
        {
            model, keys, shard, log, sample, output, json, RegistryCommands.RegistryPath,
        };
        data.AddTo(cmd);
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var task = ModelTasks.Parse(config.Task) ?? throw Errors.Config("task", "is required to predict: binary, multiclass or regression.");
            var (location, name, version) = await ResolveAsync(parse.GetValue(model), config, RegistryCommands.Settings(parse, config), console, ct);
            var options = new PredictOptions
            {
                Data = data.Resolve(parse, config),
                Model = location,
                ModelName = name,
                ModelVersion = version,
                Task = task,
                Label = config.Label,
                ModelSettings = config.Model,
                Exclude = config.Train.Exclude,
                Keys = parse.GetValue(keys) is { Length: > 0 } k ? k : config.Split?.Key is { } splitKey ? [splitKey] : [],
                Output = parse.GetValue(output) ?? DefaultOutput,
                Shard = parse.GetValue(shard) is { } s ? Validation.Statistics.Shard.Parse(s) with { ByRow = true } : null,
                PredictionLog = parse.GetValue(log),
                LogSampleRate = parse.GetValue(sample),
            };
            var folder = Path.GetDirectoryName(Path.GetFullPath(options.Output));
            if (folder is not null) Directory.CreateDirectory(folder);
            var result = await new Predictor(line => console.Error.WriteLine(line)).RunAsync(options, ct);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("predictions", result.Output);
                    w.WriteNumber("rows", result.Rows);
                    w.WriteString("model", name);
                    w.WriteString("modelVersion", version);
                    w.WriteNumber("logged", result.Logged);
                    w.WriteEndObject();
                });
            }
            else
            {
                console.Out.WriteLine($"Predicted {result.Rows:N0} rows with {name} {(version == "file" ? "from its file" : "v" + version)} in {result.Seconds:0.0} s: {result.Output}");
            }

            return ExitCodes.Success;
        });
        return cmd;
    }

    // A path that exists is a model file or training folder; anything else is NAME@ALIAS or NAME:VERSION in the registry.
    private static async Task<(ModelLocation Location, string Name, string Version)> ResolveAsync(string? reference, Configuration.MlOpsConfig config, RegistrySettings settings, CliConsole console, CancellationToken ct)
    {
        if (reference is not null && (File.Exists(reference) || Directory.Exists(reference)))
        {
            var found = await ModelLocation.FindAsync(reference, ct) ?? throw Errors.Data(reference, "no model here.");
            return (found, RegistryNames.Model(config.Project, "project"), "file");
        }

        var text = reference ?? config.Project;
        var at = text.IndexOfAny(['@', ':']);
        var name = RegistryNames.Model(at < 0 ? text : text[..at], "--model");
        var alias = at < 0 ? "production" : text[(at + 1)..];
        var registry = new ModelRegistry(settings.Open(console.Environment), Actor.From(console.Environment));
        var number = await registry.ResolveAsync(name, alias, ct)
            ?? throw Errors.Config("--model", $"the registry {registry.Store.Location} has no '{name}' at '{alias}'; register and promote one, or pass a model file.");
        var (location, _) = await ModelLocation.PullAsync(registry, name, number, Path.Combine(StageFolders.ServeCache, $"{name}-v{number}"), ct);
        return (location, name, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
