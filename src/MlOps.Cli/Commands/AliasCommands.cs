using System.CommandLine;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops promote</c> and <c>mlops rollback</c>: move an alias, recorded in its history.</summary>
internal static class AliasCommands
{
    internal static Command Promote(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "The version to promote: a number (3 or v3) or an alias (staging)." };
        var to = new Option<string>("--to") { Description = "The alias to move (default: production).", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the alias history." };
        var cmd = new Command("promote", "Point an alias (production by default) at a version, atomically; the move is recorded with who, when, commit and run.") { reference, to, reason, RegistryCommands.RegistryPath, RegistryCommands.Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var r = parse.GetValue(reference)!;
            var version = await registry.ResolveAsync(name, r, ct) ?? throw Errors.Config("version", $"'{name}' has no alias '{r}'.");
            var move = await registry.PromoteAsync(name, version, RegistryNames.Alias(parse.GetValue(to)!, "--to"), parse.GetValue(reason), ct);
            console.Out.WriteLine($"{name} {move.Alias}: {(move.From is { } f ? $"v{f} → " : string.Empty)}v{move.To}");
            return ExitCodes.Success;
        });
        return cmd;
    }

    internal static Command Rollback(CliConsole console)
    {
        var alias = new Option<string>("--alias") { Description = "The alias to move back (default: production).", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the alias history." };
        var cmd = new Command("rollback", "Move an alias (production by default) back to the version it pointed at before its last move.") { alias, reason, RegistryCommands.RegistryPath, RegistryCommands.Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var move = await registry.RollbackAsync(name, RegistryNames.Alias(parse.GetValue(alias)!, "--alias"), parse.GetValue(reason), ct);
            console.Out.WriteLine($"{name} {move.Alias}: v{move.From} → v{move.To} (rolled back)");
            return ExitCodes.Success;
        });
        return cmd;
    }
}
