using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Validation;
using MlOps.Validation.Statistics;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops validate</c>: statistics, schema anomalies and drift, with a pass/fail gate.</summary>
public static class ValidateCommand
{
    /// <summary>The default artifact folder.</summary>
    public const string DefaultOutput = StageFolders.Validation;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var schema = new Option<string?>("--schema", "-s") { Description = "A committed schema.json to check the data against (default: validate.schema). Without one, a schema is inferred and nothing is checked." };
        var baseline = new Option<string?>("--baseline", "-b") { Description = "The baseline for drift: a dataset (file, folder, glob) or its stats.json (default: validate.baseline)." };
        var output = CommonOptions.Output($"The folder for stats.json, schema.json, anomalies.json, drift.json, validation.json and report.md (default: {DefaultOutput}).");
        var shard = new Option<string?>("--shard") { Description = "Compute partial statistics for shard i of n (e.g. 2/4) to combine with 'mlops stats merge'; no gates run.", HelpName = "i/n" };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate data: statistics, schema anomalies, and drift against a baseline. Exits 1 when a gate fails; the report is written either way.")
        {
            schema, baseline, output, shard, json,
        };
        data.AddTo(command);
        command.SetAction((parse, ct) => ExecuteAsync(
            CommonOptions.LoadConfig(parse),
            new ValidateFlags(data.Flags(parse), parse.GetValue(schema), parse.GetValue(baseline), parse.GetValue(output), parse.GetValue(shard), parse.GetValue(json)),
            console,
            ct));
        return command;
    }

    /// <summary>Binds the flags over mlops.yaml, runs the stage and prints its result (also what mlops run calls, with no flags).</summary>
    internal static async Task<int> ExecuteAsync(Configuration.MlOpsConfig config, ValidateFlags flags, CliConsole console, CancellationToken ct)
    {
        var options = new ValidateOptions
        {
            Data = DataOptions.Resolve(flags.Data, config),
            SchemaPath = flags.Schema ?? config.Validate.Schema,
            Baseline = flags.Baseline ?? config.Validate.Baseline,
            Drift = config.Validate.Drift,
            ExactValues = config.Validate.ExactValues,
            OutputDirectory = flags.Output ?? config.Validate.Output ?? DefaultOutput,
            Shard = flags.Shard is { } s ? Shard.Parse(s) : null,
        };
        var result = await new Validator(console.Progress).RunAsync(options, ct);
        foreach (var warning in result.Profile.Warnings) console.Error.WriteLine($"warning: {warning}");
        if (options.Shard is not null)
        {
            console.Out.WriteLine($"Wrote partial statistics for shard {options.Shard} ({result.Profile.Rows} rows) to {Path.Combine(options.OutputDirectory, "stats.json")}.");
            return ExitCodes.Success;
        }

        if (flags.Json)
        {
            JsonOutput.Write(console.Out, w => ValidationArtifacts.WriteSummary(w, result));
        }
        else
        {
            console.Out.WriteLine(Summary(result));
        }

        return result.Passed ? ExitCodes.Success : ExitCodes.GateFailed;
    }

    private static string Summary(ValidationResult r)
    {
        var lines = new List<string>
        {
            $"{(r.Passed ? "PASSED" : "FAILED")}: {r.Profile.Rows} rows, {r.Profile.Columns.Count} columns.",
        };
        foreach (var a in r.Anomalies)
        {
            var at = a.File is null ? string.Empty : a.Row is { } row ? $" (first at {a.File}, row {row})" : $" ({a.File})";
            lines.Add($"  anomaly: {a.Column ?? "dataset"}: {a.Kind}: expected {a.Expected}; found {a.Actual}{at}");
        }

        if (r.Drift is { } d)
        {
            foreach (var c in d.Columns.Where(c => c.Drifted))
            {
                lines.Add(FormattableString.Invariant($"  drift: {c.Column}: {c.Method} {c.Score:0.####} >= {c.Threshold:0.####} (p={c.PValue:0.####})"));
            }

            lines.Add(FormattableString.Invariant($"  drift: {d.Columns.Count(c => c.Drifted)} of {d.Compared} columns drifted ({d.DriftedShare:P0}; allowed {d.MaxDriftedShare:P0})."));
        }

        if (!r.SchemaDeclared) lines.Add("  no schema given: wrote the inferred schema; review and commit it, then set validate.schema.");
        lines.Add($"Report: {Path.Combine(r.OutputDirectory, "report.md")}");
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>mlops validate's flags as given; null when not.</summary>
internal sealed record ValidateFlags(DataFlags Data, string? Schema = null, string? Baseline = null, string? Output = null, string? Shard = null, bool Json = false)
{
    /// <summary>No flags: everything from mlops.yaml.</summary>
    public static readonly ValidateFlags None = new(new DataFlags());
}
