using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops list</c> and <c>mlops show</c>: what the registry holds.</summary>
internal static class ListCommands
{
    internal static Command List(CliConsole console)
    {
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List every model's versions with their aliases (or one model's with --name).") { RegistryCommands.RegistryPath, RegistryCommands.Name, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var models = parse.GetValue(RegistryCommands.Name) is null ? await registry.ModelsAsync(ct) : [name];
            var rows = new List<(string Model, int Version, string Aliases, ModelVersion? Manifest)>();
            foreach (var m in models)
            {
                var book = await registry.AliasesAsync(m, ct);
                foreach (var v in await registry.VersionsAsync(m, ct))
                {
                    ModelVersion? manifest;
                    try
                    {
                        manifest = await registry.GetAsync(m, v, ct);
                    }
                    catch (DataException e)
                    {
                        // One damaged record must not hide the rest of the registry.
                        console.Error.WriteLine($"warning: {e.Message}");
                        manifest = null;
                    }

                    rows.Add((m, v, string.Join(",", book.Aliases.Where(a => a.Value == v).Select(a => a.Key).Order(StringComparer.Ordinal)), manifest));
                }
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(console.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var (m, v, aliases, manifest) in rows)
                    {
                        w.WriteStartObject();
                        w.WriteString("model", m);
                        w.WriteNumber("version", v);
                        w.WriteStartArray("aliases");
                        foreach (var a in aliases.Split(',', StringSplitOptions.RemoveEmptyEntries)) w.WriteStringValue(a);
                        w.WriteEndArray();
                        if (manifest is null)
                        {
                            w.WriteBoolean("corrupt", true);
                        }
                        else
                        {
                            w.WriteString("createdAt", manifest.CreatedAt);
                            w.WriteString("format", manifest.Format);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return ExitCodes.Success;
            }

            if (rows.Count == 0) console.Out.WriteLine($"No models in {registry.Store.Location}.");
            foreach (var (m, v, aliases, manifest) in rows)
            {
                console.Out.WriteLine(manifest is null
                    ? $"{m} v{v}  (corrupt manifest: see the warning above)  {(aliases.Length > 0 ? aliases : "-")}"
                    : string.Create(CultureInfo.InvariantCulture, $"{m} v{v}  {manifest.CreatedAt:yyyy-MM-dd HH:mm}Z  {manifest.Format}  {(aliases.Length > 0 ? aliases : "-")}{(manifest.ForcedReason is { } f ? $"  forced: {f}" : string.Empty)}"));
            }

            return ExitCodes.Success;
        });
        return cmd;
    }
    internal static Command Show(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "A number (3 or v3) or an alias (default: production).", DefaultValueFactory = _ => "production" };
        var cmd = new Command("show", "Print a version's manifest (artifacts, hashes, lineage, metrics) and its model's alias history, as JSON.") { reference, RegistryCommands.RegistryPath, RegistryCommands.Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var r = parse.GetValue(reference)!;
            var number = await registry.ResolveAsync(name, r, ct) ?? throw Errors.Config("version", $"'{name}' has no alias '{r}'.");
            var version = await registry.GetAsync(name, number, ct);
            var book = await registry.AliasesAsync(name, ct);
            console.Out.WriteLine(JsonSerializer.Serialize(new { version, aliases = book.Aliases, history = book.History }, ArtifactJson.Options));
            return ExitCodes.Success;
        });
        return cmd;
    }
}
