using System.CommandLine;
using System.Globalization;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops gc</c>: removes what interrupted registers left.</summary>
internal static class GcCommand
{
    internal static Command Gc(CliConsole console)
    {
        var minAge = new Option<string>("--min-age") { Description = "Only remove what is older than this (a register in flight is younger): 90s, 15m, 2h.", DefaultValueFactory = _ => "1h" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be removed; remove nothing." };
        var cmd = new Command("gc", "Remove registry blobs that no version references and leftovers of interrupted registers (older than --min-age). Versions, aliases and every referenced artifact are kept.") { minAge, dryRun, RegistryCommands.RegistryPath };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var age = parse.GetValue(minAge) is "0" ? TimeSpan.Zero : Configuration.MlOpsConfig.ParseDuration(parse.GetValue(minAge)!, "--min-age");
            var registry = new ModelRegistry(RegistryCommands.Settings(parse, config).Open(console.Environment), Actor.From(console.Environment));
            var r = await registry.CollectGarbageAsync(age, parse.GetValue(dryRun), ct);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(r.DryRun ? "Would remove" : "Removed")} {r.Removed} unreferenced objects ({r.RemovedBytes / 1e6:0.###} MB) from {registry.Store.Location}; kept the {r.Referenced} blobs of {r.Versions} versions."));
            return ExitCodes.Success;
        });
        return cmd;
    }
}
