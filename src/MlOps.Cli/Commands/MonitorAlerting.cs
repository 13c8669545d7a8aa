using MlOps.Monitoring;
using MlOps.Platforms;

namespace MlOps.Cli.Commands;

/// <summary>
/// The monitor's failed rules where teams look: an error annotation each on any CI, and one GitHub
/// issue per model, rule and subject (opened, updated in place, closed on recovery).
/// </summary>
internal static class MonitorAlerting
{
    /// <summary>Annotates and syncs the alert issues for <paramref name="result"/>.</summary>
    /// <param name="result">The monitor's verdict.</param>
    /// <param name="mode">auto, issues or none.</param>
    /// <param name="console">The console and environment.</param>
    /// <param name="ct">Cancels the calls.</param>
    /// <exception cref="ConfigException">--alert issues where there is no issue tracker.</exception>
    public static async Task RaiseAsync(MonitorResult result, string mode, CliConsole console, CancellationToken ct)
    {
        if (mode == "none") return;
        var platform = CiPlatforms.Detect(console.Environment, console.Commands);
        var alerts = MonitorAlerts.For(result, platform.RunUrl);
        if (platform.Kind != CiKind.Local)
        {
            foreach (var a in alerts) platform.Annotate(AnnotationLevel.Error, a.Title);
        }

        var (tracker, why) = platform.AlertTracker(new RetryPolicy());
        if (tracker is null)
        {
            if (mode == "issues") throw Errors.Config("--alert", $"issues need GitHub Actions with a token: {why}");
            return;
        }

        var sync = await tracker.SyncAsync(result.Model, alerts, MonitorAlerts.Resolvable(result), ct);
        console.Error.WriteLine($"Alert issues (label {Platforms.GitHub.GitHubIssueAlerts.Label}): {sync.Opened.Count} opened, {sync.Updated.Count} updated, {sync.Unchanged.Count} unchanged, {sync.Closed.Count} closed.");
        foreach (var url in sync.Opened.Concat(sync.Updated)) console.Error.WriteLine($"  {url}");
    }
}
