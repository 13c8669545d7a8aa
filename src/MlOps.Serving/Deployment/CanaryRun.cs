using System.Diagnostics;
using System.Globalization;
using MlOps.Artifacts;
using MlOps.Validation.Drift;
using MlOps.Validation.Statistics;

namespace MlOps.Deployment;

/// <summary>
/// One canary on every replica: start it watched, read what both versions answered until the
/// analysis is over (or the error rate has already failed), fetch both versions' prediction
/// profiles, judge, and always end the canary. The profiles and the drift report are kept in
/// <paramref name="folder"/> beside deployment.json.
/// </summary>
public sealed class CanaryRun(IReadOnlyList<ServerClient> servers, string name, string production, string candidate, CanaryOptions o, string folder, Action<string> log)
{
    /// <summary>Runs the canary and returns its record; the canary is removed from every replica whatever happens.</summary>
    public async Task<CanaryRecord> RunAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            foreach (var server in servers)
            {
                var loaded = await server.SetCanaryAsync(name, int.Parse(candidate, CultureInfo.InvariantCulture), o.Percent, cancellationToken);
                if (loaded != candidate) throw new ExternalServiceException($"{server.Url}: asked for the canary v{candidate} of '{name}', it loaded v{loaded}.");
            }

            log(F($"canary: v{candidate} gets {o.Percent:0.##}% of requests on {servers.Count} replica(s) for {o.Analyze.TotalSeconds:0.#} s, compared with production v{production}"));
            IReadOnlyList<CanaryVersionAnswers> answers;
            while (true)
            {
                var left = o.Analyze - clock.Elapsed;
                if (left > TimeSpan.Zero) await Task.Delay(left < o.Poll ? left : o.Poll, cancellationToken);
                answers = await ReadAsync(cancellationToken);
                var early = CanaryAnalysis.EarlyFailure(answers, production, candidate, o);
                log(F($"canary: {Requests(answers, candidate):N0} requests to v{candidate}, {Requests(answers, production):N0} to v{production} after {clock.Elapsed.TotalSeconds:0} s{(early is null ? string.Empty : $"; {early.Rule} failed, stopping early")}"));
                if (early is not null || clock.Elapsed >= o.Analyze) break;
            }

            var (drift, problem) = await CompareAsync(cancellationToken);
            var rules = CanaryAnalysis.Judge(answers, production, candidate, o, drift, problem);
            foreach (var r in rules) log($"canary {r.Rule}: {(r.Passed ? "passed" : "FAILED")}: {r.Detail}");
            return new CanaryRecord
            {
                Percent = o.Percent,
                AnalyzeSeconds = o.Analyze.TotalSeconds,
                RanSeconds = clock.Elapsed.TotalSeconds,
                Production = production,
                Candidate = candidate,
                Answers = answers,
                Rules = rules,
                Passed = rules.All(r => r.Passed),
            };
        }
        finally
        {
            foreach (var server in servers)
            {
                try
                {
                    await server.RemoveCanaryAsync(name, CancellationToken.None);
                }
                catch (MlOpsException e)
                {
                    log($"warning: {server.Url} could not end the canary ({e.Message}); end it with DELETE /admin/models/{name}/canary.");
                }
            }
        }
    }

    private async Task<IReadOnlyList<CanaryVersionAnswers>> ReadAsync(CancellationToken ct)
    {
        var all = new List<CanaryVersionAnswers>();
        foreach (var server in servers) all.AddRange(await server.ReadCanaryAsync(name, production, candidate, ct));
        return all;
    }

    // Each version's predictions over every replica, compared by validate's drift rules.
    private async Task<(DriftReport? Drift, string? Problem)> CompareAsync(CancellationToken ct)
    {
        async Task<DatasetProfile?> Profile(string version)
        {
            var parts = new List<DatasetProfile>();
            for (var i = 0; i < servers.Count; i++)
            {
                var path = Path.Combine(folder, servers.Count == 1 ? string.Empty : $"replica-{i + 1}", $"v{version}-prediction-stats.json");
                if (await servers[i].SavePredictionsAsync(name, version, path, ct)) parts.Add(await StatsFile.ReadAsync(path, ct));
            }

            return parts.Count switch
            {
                0 => null,
                1 => parts[0],
                _ => StatsFile.Merge(parts) is var merged ? new DatasetProfile { Source = $"v{version} canary traffic", Files = [.. parts.SelectMany(p => p.Files)], Rows = merged.Rows, Columns = merged.Columns } : null,
            };
        }

        var p = await Profile(production);
        var c = await Profile(candidate);
        if (p is null || c is null)
        {
            return (null, $"v{(c is null ? candidate : production)} answered no rows whose predictions could be profiled (tensor requests to an ONNX model are counted, not profiled), so the predictions cannot be compared");
        }

        var report = DriftDetector.Compare(p, c, o.Drift);
        await ArtifactJson.WriteAsync(Path.Combine(folder, "prediction-drift.json"), report, ct);
        return (report, null);
    }

    private static long Requests(IReadOnlyList<CanaryVersionAnswers> answers, string version) => answers.Where(a => a.Version == version).Sum(a => a.Requests);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
