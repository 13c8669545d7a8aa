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
        var since = new Option<string?>("--since") { Description = "Only entries from the last 90m, 24h, 7d (default: monitor.since, else the whole log).", HelpName = "age" };
        var window = new Option<string?>("--window") { Description = "Also score drift per window of this length (1h, 1d) for a time series in the report (default: monitor.window).", HelpName = "length" };
        var labels = new Option<string?>("--labels") { Description = "Ground truth that arrived later (CSV, JSONL, Parquet): joined on request_id (the server's X-Request-Id, with row for multi-row requests) or monitor.labels.key; the metric is compared with the version's evaluation.", HelpName = "path" };
        var alert = new Option<string>("--alert") { Description = "Where failed rules go: auto (GitHub issues on GitHub Actions with a token; annotations on any CI), issues, or none. Issues are opened per model and rule, updated in place, closed on recovery.", HelpName = "auto|issues|none", DefaultValueFactory = _ => "auto" };
        alert.AcceptOnlyFromAmong("auto", "issues", "none");
        var output = CommonOptions.Output($"The folder for monitoring.json, report.md and one validate folder per served version (default: {DefaultOutput}).");
        var json = CommonOptions.Json();
        var cmd = new Command("monitor", "Compare production inputs (the prediction log) with the training statistics of the version that served them, with validate's drift rules and the version's schema; exits 1 on drift or anomalies, and when a version cannot be checked.")
        {
            logs, since, window, labels, alert, output, json, RegistryCommands.RegistryPath, RegistryCommands.Name,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var (registry, name) = RegistryCommands.Open(parse, console);
            var files = new Data.DatasetSource { Path = parse.GetValue(logs)!, Format = Data.DataFormat.JsonLines }.ResolveFiles();
            var settings = config.Monitor with { Since = parse.GetValue(since) ?? config.Monitor.Since, Window = parse.GetValue(window) ?? config.Monitor.Window };
            var age = settings.Since is { } a ? Configuration.MlOpsConfig.ParseWindow(a, "--since") : (TimeSpan?)null;
            var options = new MonitorOptions
            {
                LogFiles = files,
                Model = name,
                Since = age is { } span ? DateTimeOffset.UtcNow - span : null,
                Window = settings.Window is { } w ? Configuration.MlOpsConfig.ParseWindow(w, "--window") : null,
                Drift = settings.Drift ?? config.Validate.Drift,
                Settings = settings,
                Labels = parse.GetValue(labels) is { } l ? new Data.DatasetSource { Path = l } : null,
                Task = Scoring.ModelTasks.Parse(config.Task),
                Label = config.Label,
                PositiveClass = config.PositiveClass,
                OutputDirectory = parse.GetValue(output) ?? DefaultOutput,
            };
            var result = await new ProductionMonitor(registry, line => console.Error.WriteLine(line)).RunAsync(options, ct);
            await MonitorAlerting.RaiseAsync(result, parse.GetValue(alert)!, console, ct);
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
                console.Out.WriteLine(result.Passed ? $"PASSED: production traffic of {name} matches the training and evaluation of the versions that served it." : $"FAILED: production traffic of {name} drifted from training or decayed.");
                foreach (var v in result.Versions)
                {
                    var detail = v.Problem ?? string.Join("; ", v.Drifted.Select(d => $"drift in {d}")
                        .Concat(v.Anomalies.Select(a => $"anomaly {a}"))
                        .Concat((v.PredictionDrift ?? []).Select(d => $"prediction drift in {d}"))
                        .Concat(v.PredictionProblem is { } pp ? [pp] : [])
                        .Concat(v.Decay is { } d ? [d.Detail] : []));
                    console.Out.WriteLine($"  v{v.Version}: {v.Rows:N0} rows, {(v.Passed ? "pass" : "fail")}{(detail.Length > 0 ? ": " + detail : string.Empty)}");
                }

                console.Out.WriteLine($"Report: {Path.Combine(options.OutputDirectory, ArtifactKinds.Report)}");
            }

            return result.Passed ? ExitCodes.Success : ExitCodes.GateFailed;
        });
        return cmd;
    }
}
