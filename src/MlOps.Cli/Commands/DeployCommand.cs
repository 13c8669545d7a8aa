using System.CommandLine;
using MlOps.Artifacts;
using MlOps.Deployment;
using MlOps.Scoring;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>mlops deploy</c>: what a release runs. Resolve the version, move production to it, tell the
/// server, wait until it serves that version, smoke-test it, and move the alias back if anything
/// fails; the deployment is recorded either way.
/// </summary>
public static class DeployCommand
{
    /// <summary>The default output folder.</summary>
    public const string DefaultOutput = StageFolders.Deploy;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var version = new Option<string?>("--version") { Description = "The registry version to deploy (3 or v3). Default: from the release tag (v3 or NAME-v3), else the version in --from." };
        var from = new Option<string>("--from") { Description = "The alias holding the blessed candidate.", DefaultValueFactory = _ => "staging" };
        var to = new Option<string>("--to") { Description = "The alias to move.", DefaultValueFactory = _ => "production" };
        var tag = new Option<string?>("--release-tag") { Description = "The release tag (default: GITHUB_REF_NAME on a release event, BUILD_SOURCEBRANCHNAME on Azure Pipelines tags)." };
        var server = new Option<string[]>("--server") { Description = "The mlops serve URL to reload and smoke-test (admin token from MLOPS_ADMIN_TOKEN); repeat it, or separate URLs with commas, for every replica. Without it, the smoke test scores the model in-process and the servers pick the alias up by polling.", HelpName = "url", AllowMultipleArgumentsPerToken = false };
        var smoke = new Option<string?>("--smoke-test") { Description = "A JSON file of [{\"input\": {column: value}, \"expected\": label or number}] checked after the switch.", HelpName = "path" };
        var tolerance = new Option<double>("--tolerance") { Description = "Regression: the largest accepted |prediction - expected|.", DefaultValueFactory = _ => 1e-3 };
        var wait = new Option<string>("--wait") { Description = "How long to wait for the server to serve the new version.", DefaultValueFactory = _ => "60s" };
        var force = new Option<bool>("--force") { Description = "Deploy a version whose evaluation was not blessed." };
        var canary = new Option<double?>("--canary") { Description = "Before the switch, send this percent of requests on every --server to the candidate and compare it with production for --analyze: error rate, p95 latency and prediction drift (validate's rules); promote only if it is no worse, else remove the canary and leave production as it is.", HelpName = "percent" };
        var analyze = new Option<string>("--analyze") { Description = "How long the canary runs (with --canary).", DefaultValueFactory = _ => "10m", HelpName = "duration" };
        var minRequests = new Option<long>("--min-requests") { Description = "Fewer requests than this to either version (over every replica) and the canary cannot be judged: it fails.", DefaultValueFactory = _ => 100 };
        var maxError = new Option<double>("--max-error-increase") { Description = "The largest accepted rise of the candidate's error rate over production's, as a fraction (0.01: one point).", DefaultValueFactory = _ => 0.01 };
        var maxLatency = new Option<double>("--max-latency-increase") { Description = "The largest accepted rise of the candidate's p95 latency over production's on a replica, as a fraction (0.25: 25 %), plus 1 ms.", DefaultValueFactory = _ => 0.25 };
        var output = CommonOptions.Output($"The folder for deployment.json (default: {DefaultOutput}).");
        var cmd = new Command("deploy", "Promote a registry version to production for a release: switch the alias, reload the server, wait until ready, smoke-test, roll back automatically on failure, record the deployment.")
        {
            version, from, to, tag, server, smoke, tolerance, wait, force, canary, analyze, minRequests, maxError, maxLatency, output, RegistryCommands.RegistryPath, RegistryCommands.Name,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var (registry, name) = RegistryCommands.Open(parse, console);
            var env = console.Environment;
            var adminToken = env("MLOPS_ADMIN_TOKEN") is { Length: > 0 } t ? t : null;
            if (adminToken is not null) Platforms.CiPlatforms.Detect(env, console.Commands).Mask(adminToken);
            var options = new DeployOptions
            {
                Name = name,
                Task = ModelTasks.Parse(config.Task) ?? throw Errors.Config("task", "is required to deploy: binary, multiclass or regression."),
                Version = parse.GetValue(version),
                From = parse.GetValue(from)!,
                To = parse.GetValue(to)!,
                ReleaseTag = parse.GetValue(tag) ?? Platforms.CiPlatforms.ReleaseTag(env),
                Servers = (parse.GetValue(server) ?? []).SelectMany(v => v.Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToList(),
                AdminToken = adminToken,
                SmokeCases = parse.GetValue(smoke) is { } smokePath ? SmokeTest.Read(smokePath) : [],
                Tolerance = parse.GetValue(tolerance),
                Wait = Configuration.MlOpsConfig.ParseDuration(parse.GetValue(wait)!, "--wait"),
                Force = parse.GetValue(force),
                Canary = parse.GetValue(canary) is { } share ? new CanaryOptions
                {
                    Percent = share is > 0 and < 100 ? share : throw Errors.Config("--canary", $"expected a percent of requests above 0 and below 100, got {share.ToString(System.Globalization.CultureInfo.InvariantCulture)}."),
                    Analyze = Configuration.MlOpsConfig.ParseDuration(parse.GetValue(analyze)!, "--analyze"),
                    MinRequests = parse.GetValue(minRequests) is var min and >= 1 ? min : throw Errors.Config("--min-requests", "expected at least 1."),
                    MaxErrorIncrease = parse.GetValue(maxError) is var me and >= 0 and <= 1 ? me : throw Errors.Config("--max-error-increase", "expected a fraction from 0 to 1."),
                    MaxLatencyIncrease = parse.GetValue(maxLatency) is var ml and >= 0 ? ml : throw Errors.Config("--max-latency-increase", "expected a fraction of 0 or more."),
                    Drift = config.Validate.Drift,
                } : null,
                OutputDirectory = parse.GetValue(output) ?? DefaultOutput,
            };
            var (record, external) = await new Deployer(registry, line => console.Error.WriteLine(line)).RunAsync(options, ct);
            var canaryNote = record.Canary is { } c ? $" after a {c.Percent:0.##}% canary of {c.RanSeconds:0} s ({c.Rules.Count(r => r.Passed)} of {c.Rules.Count} rules passed)" : string.Empty;
            if (record.Succeeded)
            {
                console.Out.WriteLine($"DEPLOYED: {name} v{record.Version} is {record.Alias}{canaryNote}{(record.Smoke.Count > 0 ? $"; smoke test passed ({record.Smoke.Count} cases)" : string.Empty)}.");
                return ExitCodes.Success;
            }

            console.Out.WriteLine($"NOT DEPLOYED: {record.Failure}");
            console.Out.WriteLine(record.RolledBackTo is { } rb ? $"Rolled back: {name} {record.Alias} is v{rb} again."
                : record.Failure?.StartsWith("canary", StringComparison.Ordinal) == true && record.PreviousVersion is { } kept ? $"{name} {record.Alias} stays at v{kept}; the canary was removed{canaryNote}."
                : $"{name} {record.Alias} had no earlier version; it stays at v{record.Version}.");
            return external ? ExitCodes.ExternalServiceError : ExitCodes.GateFailed;
        });
        return cmd;
    }
}
