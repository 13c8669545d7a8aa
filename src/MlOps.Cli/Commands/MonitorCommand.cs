using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Monitoring;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops monitor</c>: production inputs from the prediction log against the serving version's training statistics.</summary>
internal static class MonitorCommand
{
    /// <summary>The default output folder.</summary>
    public const string DefaultOutput = StageFolders.Root + "/monitoring";

    public static Command Create(CliConsole console)
    {
        var logs = new Option<string>("--log", "-l") { Description = "The prediction log of mlops serve or mlops predict: a file, a folder of rotated files, or a glob.", HelpName = "path", Required = true };
        var since = new Option<string?>("--since") { Description = "Only entries from the last 90m, 24h, 7d (default: the whole log).", HelpName = "window" };
        var output = CommonOptions.Output($"The folder for monitoring.json, report.md and one validate folder per served version (default: {DefaultOutput}).");
        var json = CommonOptions.Json();
        var cmd = new Command("monitor", "Compare production inputs (the prediction log) with the training statistics of the version that served them, with validate's drift rules and the version's schema; exits 1 on drift or anomalies, and when a version cannot be checked.")
        {
            logs, since, output, json, RegistryCommands.RegistryPath, RegistryCommands.Name,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var (registry, name) = RegistryCommands.Open(parse, console);
            var files = new Data.DatasetSource { Path = parse.GetValue(logs)!, Format = Data.DataFormat.JsonLines }.ResolveFiles();
            var window = parse.GetValue(since) is { } w ? PredictionLogReader.ParseWindow(w) : (TimeSpan?)null;
            var options = new MonitorOptions
            {
                LogFiles = files,
                Model = name,
                Since = window is { } span ? DateTimeOffset.UtcNow - span : null,
                Drift = config.Validate.Drift,
                OutputDirectory = parse.GetValue(output) ?? DefaultOutput,
            };
            var result = await new ProductionMonitor(registry, line => console.Error.WriteLine(line)).RunAsync(options, ct);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteBoolean("passed", result.Passed);
                    w.WriteString("report", Path.Combine(options.OutputDirectory, ArtifactKinds.Report));
                    w.WriteEndObject();
                });
            }
            else
            {
                console.Out.WriteLine(result.Passed ? $"PASSED: production inputs of {name} match the training statistics of the versions that served them." : $"FAILED: production inputs of {name} drifted from training.");
                foreach (var v in result.Versions)
                {
                    var detail = v.Problem ?? string.Join("; ", v.Drifted.Select(d => $"drift in {d}").Concat(v.Anomalies.Select(a => $"anomaly {a}")));
                    console.Out.WriteLine($"  v{v.Version}: {v.Rows:N0} rows, {(v.Passed ? "pass" : "fail")}{(detail.Length > 0 ? ": " + detail : string.Empty)}");
                }

                console.Out.WriteLine($"Report: {Path.Combine(options.OutputDirectory, ArtifactKinds.Report)}");
            }

            return result.Passed ? ExitCodes.Success : ExitCodes.GateFailed;
        });
        return cmd;
    }
}
