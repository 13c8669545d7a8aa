using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Artifacts;
using MlOps.Registry;
using MlOps.Scoring;

namespace MlOps.Deployment;

/// <summary>
/// The deploy stage, what a release runs: resolve the version, move production to it, tell the
/// server, wait until it serves that version, smoke-test it, and move the alias back if anything
/// fails; deployment.json records it either way. A failed deployment is an outcome, not an exception.
/// </summary>
public sealed partial class Deployer(ModelRegistry registry, Action<string> log, HttpClient? http = null)
{
    /// <summary>Runs the stage.</summary>
    /// <exception cref="ConfigException">The version cannot be told, or it was not blessed (without <see cref="DeployOptions.Force"/>).</exception>
    public async Task<DeployResult> RunAsync(DeployOptions o, CancellationToken cancellationToken = default)
    {
        var started = DateTimeOffset.UtcNow;
        var alias = RegistryNames.Alias(o.To, "--to");
        var target = await ResolveAsync(o, cancellationToken);
        var manifest = await registry.GetAsync(o.Name, target, cancellationToken);
        if (manifest.Blessed == false && !o.Force)
        {
            throw Errors.Config("--version", $"{o.Name} v{target} was registered without a blessed evaluation; pass --force to deploy it anyway.");
        }

        var servers = o.Servers.Select(url => new ServerClient(http ?? Platforms.HttpClients.Shared, url, o.AdminToken)).ToList();
        var record = new DeploymentRecord { Model = o.Name, Version = target, Alias = alias, ReleaseTag = o.ReleaseTag, Server = servers.FirstOrDefault()?.Url, Servers = servers.Select(s => s.Url).ToList(), StartedAt = started, Actor = registry.Actor };
        if (o.Canary is { } canary)
        {
            if (servers.Count == 0) throw Errors.Config("--canary", "a canary needs the servers that route it: give --server URL for every replica.");
            var production = await registry.ResolveAsync(o.Name, alias, cancellationToken)
                ?? throw Errors.Config("--canary", $"a canary is compared with {alias}, and '{o.Name}' has no {alias} version yet: deploy the first version without --canary.");
            if (production == target) throw Errors.Config("--canary", $"v{target} already is {alias}; there is nothing to compare it with.");
            CanaryRecord? analysis = null;
            string? canaryFailure;
            var canaryExternal = false;
            try
            {
                analysis = await new CanaryRun(servers, o.Name, production.ToString(CultureInfo.InvariantCulture), target.ToString(CultureInfo.InvariantCulture), canary, Path.Combine(o.OutputDirectory, "canary"), log).RunAsync(cancellationToken);
                canaryFailure = analysis.Rules.FirstOrDefault(r => !r.Passed) is { } failed ? $"canary {failed.Rule}: {failed.Detail}" : null;
            }
            catch (MlOpsException e)
            {
                canaryFailure = $"canary: {e.Message}";
                canaryExternal = e.ExitCode == ExitCodes.ExternalServiceError;
            }

            record = record with { Canary = analysis, PreviousVersion = production };
            if (canaryFailure is not null)
            {
                // Production never moved: the canary was removed and every request goes to it again.
                record = record with { Succeeded = false, Failure = canaryFailure, DurationSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds };
                await ArtifactJson.WriteAsync(Path.Combine(o.OutputDirectory, DeploymentRecord.FileName), record, cancellationToken);
                return new DeployResult(record, canaryExternal);
            }
        }

        var move = await registry.PromoteAsync(o.Name, target, alias, o.ReleaseTag is null ? "deploy" : $"deploy {o.ReleaseTag}", cancellationToken);
        record = record with { PreviousVersion = move.From };
        log($"{o.Name} {alias}: v{move.From?.ToString(CultureInfo.InvariantCulture) ?? "-"} → v{target}");
        string? failure = null;
        var external = false;
        try
        {
            var results = new List<SmokeResult>();
            if (servers.Count > 0)
            {
                // Every replica is told, then each must serve the version and pass the smoke test: one that does not fails the release.
                await Task.WhenAll(servers.Select(s => s.ReloadAsync(o.Name, cancellationToken)));
                foreach (var server in servers)
                {
                    await server.WaitForVersionAsync(o.Name, target, o.Wait, cancellationToken);
                    var checks = await SmokeTest.RunRemoteAsync(server.Http, server.Url, o.Name, o.SmokeCases, o.Task, o.Tolerance, cancellationToken);
                    results.AddRange(servers.Count == 1 ? checks : checks.Select(c => c with { Detail = $"{server.Url}: {c.Detail}" }));
                    if (checks.Any(c => !c.Passed)) break;
                }
            }
            else
            {
                var files = await registry.PullAsync(manifest, Path.Combine(o.OutputDirectory, $"{o.Name}-v{target}"), cancellationToken);
                using var scorer = ModelLoader.Load(files[manifest.ModelFile], o.Task);
                results.AddRange(SmokeTest.RunLocal(scorer, o.SmokeCases, o.Tolerance));
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

        if (failure is not null && move.From is not null)
        {
            // Put production back where it was before telling anyone the release failed.
            var back = await registry.RollbackAsync(o.Name, alias, $"automatic rollback: {failure}", cancellationToken);
            record = record with { RolledBackTo = back.To };
            foreach (var server in servers)
            {
                try
                {
                    await server.ReloadAsync(o.Name, cancellationToken);
                }
                catch (MlOpsException e)
                {
                    log($"warning: {server.Url} could not be told about the rollback ({e.Message}); it will pick it up when it polls.");
                }
            }
        }

        record = record with { Succeeded = failure is null, Failure = failure, DurationSeconds = (DateTimeOffset.UtcNow - started).TotalSeconds };
        await ArtifactJson.WriteAsync(Path.Combine(o.OutputDirectory, DeploymentRecord.FileName), record, cancellationToken);
        return new DeployResult(record, external);
    }

    private async Task<int> ResolveAsync(DeployOptions o, CancellationToken ct)
    {
        if (o.Version is { } version)
        {
            var number = version.StartsWith('v') ? version[1..] : version;
            return int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw Errors.Config("--version", $"'{version}' is not a version number such as 3 or v3.");
        }

        if (o.ReleaseTag is { } tag && TagVersion().Match(tag) is { Success: true } m && (m.Groups["name"].Value.Length == 0 || m.Groups["name"].Value == o.Name + "-"))
        {
            return int.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
        }

        var from = RegistryNames.Alias(o.From, "--from");
        return await registry.ResolveAsync(o.Name, from, ct)
            ?? throw Errors.Config("--from", $"'{o.Name}' has no '{from}' alias to deploy; register with --alias {from}, or pass --version.");
    }

    [GeneratedRegex(@"^(?<name>[a-z0-9._-]+-)?v(?<v>\d+)$")]
    private static partial Regex TagVersion();
}
