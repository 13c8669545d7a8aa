using System.CommandLine;
using System.Globalization;
using MlOps.Artifacts;
using MlOps.Configuration;
using MlOps.Registry;
using MlOps.Scoring;
using MlOps.Serving;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops serve</c>: the model server (Open Inference Protocol V2, V1 predict, MLflow invocations).</summary>
public static class ServeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var models = new Option<string[]>("--model", "-m") { Description = "A model to serve as NAME or NAME@ALIAS (default: the project at production); repeat for several.", AllowMultipleArgumentsPerToken = false };
        var file = new Option<string?>("--model-file") { Description = "Serve this model.zip / model.onnx as is, without the registry (no hot swap).", HelpName = "path" };
        var host = new Option<string>("--host") { Description = "The address to bind; keep 127.0.0.1 unless a proxy or network policy guards the port.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "The port (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var grpcPort = new Option<int?>("--grpc-port") { Description = "Also serve the Open Inference Protocol over gRPC (inference.GRPCInferenceService, HTTP/2 without TLS) on this port of the same address; 0 picks a free one (default: no gRPC).", HelpName = "port" };
        var mlflow = new Option<string>("--mlflow-answer") { Description = "What a classifier's MLflow /invocations returns per row: labels (MLflow's default for classifiers) or probabilities.", DefaultValueFactory = _ => "labels", HelpName = "labels|probabilities" };
        mlflow.AcceptOnlyFromAmong("labels", "probabilities");
        var taskOption = new Option<string?>("--task") { Description = "binary, multiclass or regression, when there is no mlops.yaml (a serving runtime's container).", HelpName = "task" };
        taskOption.AcceptOnlyFromAmong("binary", "multiclass", "regression");
        var drain = new Option<string>("--drain") { Description = "On SIGTERM, how long in-flight requests may take to finish before the server exits (keep it below the orchestrator's grace period).", DefaultValueFactory = _ => "20s", HelpName = "duration" };
        var poll = new Option<string>("--poll") { Description = "How often to check the registry alias and hot-swap a new version (0 = only on an admin reload).", DefaultValueFactory = _ => "30s" };
        var canary = new Option<string?>("--canary") { Description = "Send a share of traffic to another version: ALIAS_OR_VERSION:PERCENT, e.g. staging:10.", HelpName = "ref:percent" };
        var log = new Option<string?>("--prediction-log") { Description = "Append sampled requests (inputs, outputs, version, time) as JSON Lines to this file, for monitoring.", HelpName = "path" };
        var sample = new Option<double>("--log-sample") { Description = "The share of requests written to the prediction log, 0 to 1.", DefaultValueFactory = _ => 1.0 };
        var logMax = new Option<int>("--prediction-log-max-mb") { Description = "Rotate the prediction log past this size (predictions.jsonl → predictions.1.jsonl ...); 0 never rotates.", DefaultValueFactory = _ => 100 };
        var logKeep = new Option<int>("--prediction-log-keep") { Description = "Rotated prediction log files to keep.", DefaultValueFactory = _ => 10 };
        var maxBytes = new Option<long>("--max-request-bytes") { Description = "The largest request body accepted (413 above).", DefaultValueFactory = _ => 4L * 1024 * 1024 };
        var maxRows = new Option<int>("--max-rows") { Description = "The most rows in one request.", DefaultValueFactory = _ => 10_000 };
        host.Validators.Add(r =>
        {
            // Kestrel binds every interface for a name it cannot parse (a typo such as "localhos"): never bind wider than asked.
            var value = r.GetValueOrDefault<string>() ?? string.Empty;
            if (value != "localhost" && !System.Net.IPAddress.TryParse(value.Trim('[', ']'), out _))
            {
                r.AddError($"--host: '{value}' is not an IP address; use 127.0.0.1 (this machine only), 0.0.0.0 (every interface, behind a proxy or network policy) or one of this machine's addresses.");
            }
        });
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 65535) r.AddError($"--port: {r.GetValueOrDefault<int>()} is not a port; expected 0 (a free one) to 65535."); });
        sample.Validators.Add(r => { if (r.GetValueOrDefault<double>() is not (>= 0 and <= 1)) r.AddError("--log-sample: expected a share from 0 to 1 (0.1 logs one request in ten)."); });
        maxBytes.Validators.Add(r => { if (r.GetValueOrDefault<long>() < 1) r.AddError("--max-request-bytes: expected a positive number of bytes."); });
        logMax.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError("--prediction-log-max-mb: expected 0 (never rotate) or more."); });
        logKeep.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--prediction-log-keep: expected at least 1."); });
        maxRows.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--max-rows: expected at least 1."); });
        log.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is not { } path) return;
            var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (Directory.Exists(path)) r.AddError($"--prediction-log: '{path}' is a folder; name a file, e.g. {Path.Combine(path, "predictions.jsonl")}.");
            else if (!Directory.Exists(folder)) r.AddError($"--prediction-log: the folder '{folder}' does not exist.");
        });
        var cmd = new Command("serve", "Serve models from the registry (hot swap when the alias moves, canary, /metrics, prediction log) over the Open Inference Protocol (KServe V2), /v1/models/NAME:predict and MLflow's /invocations. Admin endpoints need MLOPS_ADMIN_TOKEN.")
        {
            models, file, taskOption, RegistryCommands.Name, host, port, grpcPort, mlflow, drain, poll, canary, log, sample, logMax, logKeep, maxBytes, maxRows, RegistryCommands.RegistryPath,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            // An ONNX file serves its own tensors without a task; row views (V1, MLflow, columns) need one.
            var tensorsOnly = parse.GetValue(file) is { } onnxFile && onnxFile.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
            var task = ModelTasks.Parse(parse.GetValue(taskOption) ?? config.Task) ?? (tensorsOnly ? null : throw Errors.Config("task", "is required to serve: binary, multiclass or regression (an .onnx --model-file serves its tensors without one)."));
            var specs = parse.GetValue(file) is { } f
                ? [new ModelSpec(RegistryNames.Model(parse.GetValue(RegistryCommands.Name) ?? config.Project, parse.GetValue(RegistryCommands.Name) is null ? "project" : "--name"), null, f)]
                : (parse.GetValue(models) is { Length: > 0 } given ? given : [config.Project]).Select(Spec).ToList();
            var registry = RegistryCommands.Settings(parse, config);
            var options = new ServeOptions
            {
                Models = specs,
                Task = task,
                Model = config.Model,
                Registry = specs.Any(s => s.File is null) ? registry.Open(console.Environment) : null,
                CacheDirectory = StageFolders.ServeCache,
                PollInterval = parse.GetValue(poll) is "0" or "0s" ? TimeSpan.Zero : MlOpsConfig.ParseDuration(parse.GetValue(poll)!, "--poll"),
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                GrpcPort = parse.GetValue(grpcPort),
                DrainTimeout = MlOpsConfig.ParseDuration(parse.GetValue(drain)!, "--drain"),
                MlFlowAnswer = parse.GetValue(mlflow) == "probabilities" ? MlFlowAnswer.Probabilities : MlFlowAnswer.Labels,
                AdminToken = console.Environment("MLOPS_ADMIN_TOKEN") is { Length: > 0 } t ? t : null,
                PredictionLog = parse.GetValue(log),
                LogSampleRate = parse.GetValue(sample),
                LogMaxBytes = parse.GetValue(logMax) * 1024L * 1024,
                LogKeep = parse.GetValue(logKeep),
                MaxRequestBytes = parse.GetValue(maxBytes),
                MaxRows = parse.GetValue(maxRows),
                Canary = parse.GetValue(canary) is { } c ? Canary(c) : null,
            };
            await using var server = await ServingServer.StartAsync(options, line => console.Error.WriteLine(line), ct);
            foreach (var slot in server.Host.Slots)
            {
                var served = slot.Current?.Version is "file" ? "from its file" : $"v{slot.Current?.Version}";
                console.Out.WriteLine($"Serving {slot.Name} {served}{(slot.Alias is { } a ? $" ({a})" : string.Empty)} on {server.Url}/v2/models/{slot.Name}");
            }

            if (server.GrpcUrl is { } grpc) console.Out.WriteLine($"gRPC (inference.GRPCInferenceService) on {grpc}");
            console.Out.WriteLine(options.AdminToken is null ? "Admin endpoints are off (set MLOPS_ADMIN_TOKEN to enable reload and canary)." : "Admin endpoints are on (bearer token from MLOPS_ADMIN_TOKEN).");
            console.Out.Flush();
            await server.WaitAsync(ct);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static ModelSpec Spec(string value)
    {
        var parts = value.Split('@', 2);
        return new ModelSpec(RegistryNames.Model(parts[0], "--model"), parts.Length == 2 ? RegistryNames.Alias(parts[1], "--model") : "production");
    }

    private static (string, double) Canary(string value)
    {
        var i = value.LastIndexOf(':');
        if (i <= 0 || !double.TryParse(value[(i + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or > 100)
        {
            throw Errors.Config("--canary", $"'{value}' is not ALIAS_OR_VERSION:PERCENT (e.g. staging:10).");
        }

        return (value[..i], percent);
    }
}
