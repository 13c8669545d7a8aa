using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Artifacts;
using MlOps.Registry;
using MlOps.Scoring;
using MlOps.Serving;

namespace MlOps.Cli.Commands;

/// <summary>
/// <c>mlops deploy</c>: what a release runs. Resolve the version, move production to it, tell the
/// server, wait until it serves that version, smoke-test it, and move the alias back if anything
/// fails; the deployment is recorded either way.
/// </summary>
public static partial class DeployCommand
{
    /// <summary>The default output folder.</summary>
    public const string DefaultOutput = "mlops-out/deploy";

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var version = new Option<string?>("--version") { Description = "The registry version to deploy (3 or v3). Default: from the release tag (v3 or NAME-v3), else the version in --from." };
        var from = new Option<string>("--from") { Description = "The alias holding the blessed candidate.", DefaultValueFactory = _ => "staging" };
        var to = new Option<string>("--to") { Description = "The alias to move.", DefaultValueFactory = _ => "production" };
        var tag = new Option<string?>("--release-tag") { Description = "The release tag (default: GITHUB_REF_NAME on a release event, BUILD_SOURCEBRANCHNAME on Azure Pipelines tags)." };
        var server = new Option<string?>("--server") { Description = "The mlops serve URL to reload and smoke-test (admin token from MLOPS_ADMIN_TOKEN). Without it, the smoke test scores the model in-process and the server picks the alias up by polling.", HelpName = "url" };
        var smoke = new Option<string?>("--smoke-test") { Description = "A JSON file of [{\"input\": {column: value}, \"expected\": label or number}] checked after the switch.", HelpName = "path" };
        var tolerance = new Option<double>("--tolerance") { Description = "Regression: the largest accepted |prediction - expected|.", DefaultValueFactory = _ => 1e-3 };
        var wait = new Option<string>("--wait") { Description = "How long to wait for the server to serve the new version.", DefaultValueFactory = _ => "60s" };
        var force = new Option<bool>("--force") { Description = "Deploy a version whose evaluation was not blessed." };
        var output = CommonOptions.Output($"The folder for deployment.json (default: {DefaultOutput}).");
        var cmd = new Command("deploy", "Promote a registry version to production for a release: switch the alias, reload the server, wait until ready, smoke-test, roll back automatically on failure, record the deployment.")
        {
            version, from, to, tag, server, smoke, tolerance, wait, force, output, RegistryCommands.RegistryPath, RegistryCommands.Name,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var started = DateTimeOffset.UtcNow;
            var config = CommonOptions.LoadConfig(parse);
            var task = ModelTasks.Parse(config.Task) ?? throw Errors.Config("task", "is required to deploy: binary, multiclass or regression.");
            var (registry, name) = RegistryCommands.Open(parse);
            var env = console.Environment;
            var releaseTag = parse.GetValue(tag) ?? (env("GITHUB_EVENT_NAME") == "release" ? env("GITHUB_REF_NAME") : env("BUILD_SOURCEBRANCH")?.StartsWith("refs/tags/", StringComparison.Ordinal) == true ? env("BUILD_SOURCEBRANCHNAME") : null);
            var alias = RegistryNames.Alias(parse.GetValue(to)!, "--to");
            var target = await ResolveAsync(registry, name, parse.GetValue(version), releaseTag, RegistryNames.Alias(parse.GetValue(from)!, "--from"), ct);
            var manifest = await registry.GetAsync(name, target, ct);
            if (manifest.Blessed == false && !parse.GetValue(force))
            {
                throw Errors.Config("--version", $"{name} v{target} was registered without a blessed evaluation; pass --force to deploy it anyway.");
            }

            var cases = parse.GetValue(smoke) is { } smokePath ? SmokeTest.Read(smokePath) : [];
            var serverUrl = parse.GetValue(server)?.TrimEnd('/');
            var adminToken = env("MLOPS_ADMIN_TOKEN");
            if (adminToken is { Length: > 0 }) Platforms.CiPlatforms.Detect(env, console.Commands).Mask(adminToken);
            var record = new DeploymentRecord { Model = name, Version = target, Alias = alias, ReleaseTag = releaseTag, Server = serverUrl, StartedAt = started, Actor = Actor.Current() };

            var move = await registry.PromoteAsync(name, target, alias, releaseTag is null ? "deploy" : $"deploy {releaseTag}", ct);
            record = record with { PreviousVersion = move.From };
            console.Error.WriteLine($"{name} {alias}: v{move.From?.ToString(CultureInfo.InvariantCulture) ?? "-"} → v{target}");
            string? failure = null;
            var external = false;
            try
            {
                IReadOnlyList<SmokeResult> results;
                if (serverUrl is not null)
                {
                    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                    await ReloadAsync(http, serverUrl, name, adminToken, ct);
                    await WaitForVersionAsync(http, serverUrl, name, target, Configuration.MlOpsConfig.ParseDuration(parse.GetValue(wait)!, "--wait"), ct);
                    results = await SmokeTest.RunRemoteAsync(http, serverUrl, name, cases, task, parse.GetValue(tolerance), ct);
                }
                else
                {
                    var files = await registry.PullAsync(manifest, Path.Combine(parse.GetValue(output) ?? DefaultOutput, $"{name}-v{target}"), ct);
                    using var scorer = ModelLoader.Load(files[manifest.ModelFile], task);
                    results = SmokeTest.RunLocal(scorer, cases, parse.GetValue(tolerance));
                }

                record = record with { Smoke = results };
                var failed = results.Where(r => !r.Passed).ToList();
                if (failed.Count > 0) failure = $"smoke test failed on {failed.Count} of {results.Count} cases (first: {failed[0].Detail})";
            }
            catch (MlOpsException e)
            {
                failure = e.Message;
                external = e.ExitCode == ExitCodes.ExternalServiceError;
            }

            if (failure is not null)
            {
                // Put production back where it was before telling anyone the release failed.
                if (move.From is not null)
                {
                    var back = await registry.RollbackAsync(name, alias, $"automatic rollback: {failure}", ct);
                    record = record with { RolledBackTo = back.To };
                    if (serverUrl is not null)
                    {
                        try
                        {
                            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                            await ReloadAsync(http, serverUrl, name, adminToken, ct);
                        }
                        catch (MlOpsException e)
                        {
                            console.Error.WriteLine($"warning: the server could not be told about the rollback ({e.Message}); it will pick it up when it polls.");
                        }
                    }
                }

                record = record with { Succeeded = false, Failure = failure };
            }
            else
            {
                record = record with { Succeeded = true };
            }

            record = record with { DurationSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds };
            var folder = parse.GetValue(output) ?? DefaultOutput;
            await ArtifactJson.WriteAsync(Path.Combine(folder, DeploymentRecord.FileName), record, ct);
            if (record.Succeeded)
            {
                console.Out.WriteLine($"DEPLOYED: {name} v{target} is {alias}{(record.Smoke.Count > 0 ? $"; smoke test passed ({record.Smoke.Count} cases)" : string.Empty)}.");
                return ExitCodes.Success;
            }

            console.Out.WriteLine($"NOT DEPLOYED: {failure}");
            console.Out.WriteLine(record.RolledBackTo is { } rb ? $"Rolled back: {name} {alias} is v{rb} again." : $"{name} {alias} had no earlier version; it stays at v{target}.");
            return external ? ExitCodes.ExternalServiceError : ExitCodes.GateFailed;
        });
        return cmd;
    }

    private static async Task<int> ResolveAsync(ModelRegistry registry, string name, string? version, string? tag, string from, CancellationToken ct)
    {
        if (version is not null)
        {
            var number = version.StartsWith('v') ? version[1..] : version;
            return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw Errors.Config("--version", $"'{version}' is not a version number such as 3 or v3.");
        }

        if (tag is not null && TagVersion().Match(tag) is { Success: true } m && (m.Groups["name"].Value.Length == 0 || m.Groups["name"].Value == name + "-"))
        {
            return int.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        }

        return await registry.ResolveAsync(name, from, ct)
            ?? throw Errors.Config("--from", $"'{name}' has no '{from}' alias to deploy; register with --alias {from}, or pass --version.");
    }

    private static async Task ReloadAsync(HttpClient http, string server, string name, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{server}/v2/repository/models/{Uri.EscapeDataString(name)}/load");
        if (token is { Length: > 0 }) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) throw new ExternalServiceException($"{server}: reloading '{name}' failed with HTTP {(int)response.StatusCode}: {await ErrorOf(response, ct)}");
        }
        catch (HttpRequestException e)
        {
            throw new ExternalServiceException($"{server}: cannot reach the server ({e.Message}).", e);
        }
    }

    private static async Task WaitForVersionAsync(HttpClient http, string server, string name, int version, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var want = version.ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            try
            {
                using var ready = await http.GetAsync($"{server}/v2/models/{Uri.EscapeDataString(name)}/versions/{want}/ready", ct);
                if (ready.IsSuccessStatusCode)
                {
                    using var meta = JsonDocument.Parse(await http.GetStringAsync($"{server}/v2/models/{Uri.EscapeDataString(name)}", ct));
                    if (meta.RootElement.GetProperty("versions")[0].GetString() == want) return;
                }
            }
            catch (HttpRequestException)
            {
                // Not up yet: keep waiting until the deadline.
            }

            if (DateTimeOffset.UtcNow > deadline) throw new ExternalServiceException($"{server}: '{name}' v{version} was not ready within {timeout.TotalSeconds:0} s.");
            await Task.Delay(250, ct);
        }
    }

    internal static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }

    [GeneratedRegex(@"^(?<name>[a-z0-9._-]+-)?v(?<v>\d+)$")]
    private static partial Regex TagVersion();
}
