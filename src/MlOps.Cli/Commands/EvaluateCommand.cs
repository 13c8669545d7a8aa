using System.CommandLine;
using System.Globalization;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Scoring;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops evaluate</c>: the candidate against the baseline on the same rows, with gates and a verdict.</summary>
public static class EvaluateCommand
{
    /// <summary>The default artifact folder.</summary>
    public const string DefaultOutput = StageFolders.Evaluation;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var model = new Option<string?>("--model", "-m") { Description = $"The candidate: a model.zip / model.onnx file or a training output folder (default: {TrainCommand.DefaultOutput})." };
        var baseline = new Option<string?>("--baseline", "-b") { Description = "The baseline: a model file or training folder, a registry alias (default: evaluate.baseline, else production), or none." };
        var split = new Option<string?>("--split") { Description = "The split part to evaluate on (default: evaluate.split, else test), or all." };
        var predictions = new Option<string?>("--predictions") { Description = "Evaluate the candidate from its predictions file (CSV, TSV, JSONL, Parquet: probability, probability_CLASS, prediction or label columns) instead of scoring a model.", HelpName = "path" };
        var baselinePredictions = new Option<string?>("--baseline-predictions") { Description = "The baseline's predictions file, joined the same way.", HelpName = "path" };
        var predictionsKey = new Option<string?>("--predictions-key") { Description = "The column that joins predictions to the evaluation rows (default: split.key), or row-order.", HelpName = "column" };
        var output = CommonOptions.Output($"The folder for evaluation.json and report.md (default: {DefaultOutput}).");
        var json = CommonOptions.Json();
        var cmd = new Command("evaluate", "Evaluate a candidate model against the baseline on the same data: metrics with paired-bootstrap intervals, slices, feature importance, gates. Exits 1 when not blessed; the report is written either way.")
        {
            model, baseline, split, predictions, baselinePredictions, predictionsKey, output, json,
        };
        data.AddTo(cmd);
        cmd.SetAction((parse, ct) => ExecuteAsync(
            CommonOptions.LoadConfig(parse),
            new EvaluateFlags(data.Flags(parse), parse.GetValue(model), parse.GetValue(baseline), parse.GetValue(split), parse.GetValue(output), parse.GetValue(json))
            {
                Predictions = parse.GetValue(predictions),
                BaselinePredictions = parse.GetValue(baselinePredictions),
                PredictionsKey = parse.GetValue(predictionsKey),
            },
            console,
            ct));
        return cmd;
    }

    /// <summary>Binds the flags over mlops.yaml, runs the stage and prints its result (also what mlops run calls, with no flags).</summary>
    internal static async Task<int> ExecuteAsync(Configuration.MlOpsConfig config, EvaluateFlags flags, CliConsole console, CancellationToken ct)
    {
        var settings = config.Evaluate;
        if (flags.Split is { } sp) settings = settings with { Split = sp };
        var task = ModelTasks.Parse(config.Task) ?? throw Errors.Config("task", "is required for evaluation: binary, multiclass or regression.");
        var candidatePath = flags.Model ?? TrainCommand.DefaultOutput;
        var candidate = flags.Predictions is { } p && flags.Model is null
            ? new ModelLocation(p, null)
            : await ModelLocation.FindAsync(candidatePath, ct) ?? throw Errors.Data(candidatePath, "no candidate model here; run 'mlops train' first or pass --model (or --predictions).");
        var (baselineModel, source, note) = flags.BaselinePredictions is { } bp && flags.Baseline is null
            ? new ResolvedBaseline(new ModelLocation(bp, null), "predictions file", null)
            : await BaselineResolver.ResolveAsync(flags.Baseline, settings, config.Registry, config.Project, Platforms.CiPlatforms.IsCi(console.Environment), console.Environment, ct);
        if (flags.BaselinePredictions is not null && baselineModel is null) throw Errors.Config("--baseline-predictions", "needs a baseline; --baseline none leaves nothing to compare with.");
        var options = new EvaluateOptions
        {
            Project = config.Project,
            Task = task,
            Label = config.Label ?? throw Errors.Config("label", "is required for evaluation: the column with the truth."),
            PositiveClass = config.PositiveClass,
            Data = DataOptions.Resolve(flags.Data, config),
            Split = config.Split ?? new Data.SplitSettings(),
            Settings = settings,
            Model = config.Model,
            Exclude = config.Train.Exclude,
            Candidate = candidate,
            CandidatePredictions = flags.Predictions,
            BaselinePredictions = flags.BaselinePredictions,
            PredictionsKey = flags.PredictionsKey,
            Baseline = baselineModel,
            BaselineSource = source,
            BaselineNote = note,
            OutputDirectory = flags.Output ?? settings.Output ?? DefaultOutput,
        };
        var result = await new Evaluator(line => console.Error.WriteLine(line)).RunAsync(options, ct);
        if (flags.Json)
        {
            JsonOutput.Write(console.Out, w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("blessed", result.Blessed);
                w.WriteStartArray("reasons");
                foreach (var r in result.Reasons) w.WriteStringValue(r);
                w.WriteEndArray();
                w.WriteStartArray("warnings");
                foreach (var r in result.Warnings) w.WriteStringValue(r);
                w.WriteEndArray();
                if (result.Baseline?.Source is { } source) w.WriteString("baseline", source);
                w.WriteString("evaluation", Path.Combine(options.OutputDirectory, EvaluationResult.FileName));
                w.WriteString("report", Path.Combine(options.OutputDirectory, "report.md"));
                w.WriteEndObject();
            });
        }
        else
        {
            var versus = result.Baseline is { } b ? $"against {b.Source ?? b.Path}" : $"with no baseline ({result.BaselineNote})";
            console.Out.WriteLine(result.Blessed ? $"BLESSED {versus}: the candidate may replace the baseline." : $"NOT BLESSED {versus}:");
            foreach (var r in result.Reasons) console.Out.WriteLine($"  {r}");
            foreach (var w in result.Warnings) console.Out.WriteLine($"  warning: {w}");
            foreach (var (name, m) in result.Metrics)
            {
                var change = m.Delta is { } d ? string.Create(CultureInfo.InvariantCulture, $" (baseline {m.Baseline:0.####}, change {d:+0.####;-0.####;0}{(m.DeltaInterval is { } i ? string.Create(CultureInfo.InvariantCulture, $" [{i.Low:+0.####;-0.####;0}, {i.High:+0.####;-0.####;0}]") : string.Empty)})") : string.Empty;
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {m.Candidate:0.####}{change}"));
            }

            console.Out.WriteLine($"Report: {Path.Combine(options.OutputDirectory, "report.md")}");
        }

        return result.Blessed ? ExitCodes.Success : ExitCodes.GateFailed;
    }
}

/// <summary>mlops evaluate's flags as given; null when not.</summary>
internal sealed record EvaluateFlags(DataFlags Data, string? Model = null, string? Baseline = null, string? Split = null, string? Output = null, bool Json = false)
{
    /// <summary>--predictions: the candidate's predictions file.</summary>
    public string? Predictions { get; init; }

    /// <summary>--baseline-predictions: the baseline's predictions file.</summary>
    public string? BaselinePredictions { get; init; }

    /// <summary>--predictions-key: the join column, or row-order.</summary>
    public string? PredictionsKey { get; init; }
}
