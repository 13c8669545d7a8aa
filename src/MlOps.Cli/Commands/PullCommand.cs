using System.CommandLine;
using MlOps.Artifacts;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops pull</c>: a version's artifacts, SHA-256 verified, into a folder.</summary>
internal static class PullCommand
{
    internal static Command Pull(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "A number (3 or v3) or an alias (default: production).", DefaultValueFactory = _ => "production" };
        var output = CommonOptions.Output("The folder to download into (default: mlops-out/pulled/<name>-v<version>).");
        var json = CommonOptions.Json();
        var cmd = new Command("pull", "Download a version's artifacts, verifying every SHA-256; a corrupted or truncated blob is refused.") { reference, output, RegistryCommands.RegistryPath, RegistryCommands.Name, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var r = parse.GetValue(reference)!;
            var number = await registry.ResolveAsync(name, r, ct) ?? throw Errors.Config("version", $"'{name}' has no alias '{r}' in {registry.Store.Location}.");
            var version = await registry.GetAsync(name, number, ct);
            var dir = parse.GetValue(output) ?? Path.Combine(StageFolders.Pulled, $"{name}-v{number}");
            var files = await registry.PullAsync(version, dir, ct);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("model", name);
                    w.WriteNumber("modelVersion", number);
                    w.WriteString("modelPath", files[version.ModelFile]);
                    w.WriteString("folder", dir);
                    w.WriteEndObject();
                });
            }
            else
            {
                console.Out.WriteLine($"Pulled {name} v{number} into {dir} ({files.Count} files, SHA-256 verified).");
            }

            return ExitCodes.Success;
        });
        return cmd;
    }
}
