using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Registry;
using MlOps.Reporting;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops register | promote | rollback | pull | list | show | gc</c>: the model registry.</summary>
public static class RegistryCommands
{
    /// <summary>The default validation folder whose schema.json and stats.json are registered with the model.</summary>
    public const string DefaultValidation = "mlops-out/validation";

    internal static readonly Option<string?> RegistryPath = new("--registry") { Description = $"A local registry folder, overriding registry: in mlops.yaml (default: {RegistrySettings.DefaultPath}).", HelpName = "path" };
    internal static readonly Option<string?> Name = new("--name") { Description = "The model name (default: project in mlops.yaml)." };

    /// <summary>Adds every registry command to the root.</summary>
    public static void AddTo(RootCommand root, CliConsole console)
    {
        root.Subcommands.Add(Register(console));
        root.Subcommands.Add(Promote(console));
        root.Subcommands.Add(Rollback(console));
        root.Subcommands.Add(Pull(console));
        root.Subcommands.Add(List(console));
        root.Subcommands.Add(Show(console));
        root.Subcommands.Add(Gc(console));
    }

    /// <summary>The registry settings: a --registry folder, else mlops.yaml's.</summary>
    internal static RegistrySettings Settings(ParseResult parse, Configuration.MlOpsConfig config) =>
        parse.GetValue(RegistryPath) is { } p ? new RegistrySettings { Path = p } : config.Registry;

    /// <summary>Opens the registry from --registry or mlops.yaml.</summary>
    internal static (ModelRegistry Registry, string Model) Open(ParseResult parse)
    {
        var config = CommonOptions.LoadConfig(parse);
        var settings = Settings(parse, config);
        var model = RegistryNames.Model(parse.GetValue(Name) ?? config.Project, parse.GetValue(Name) is null ? "project" : "--name");
        return (new ModelRegistry(settings.Open()), model);
    }

    private static Command Register(CliConsole console)
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The training output folder or model file (default: {TrainCommand.DefaultOutput})." };
        var evaluation = new Option<string?>("--evaluation", "-e") { Description = $"The evaluation.json that blesses it (default: {EvaluateCommand.DefaultOutput}/evaluation.json)." };
        var validation = new Option<string?>("--validation") { Description = $"The validation folder whose schema.json and stats.json go with the model (default: {DefaultValidation}, when present)." };
        var force = new Option<bool>("--force") { Description = "Register even without a blessed evaluation; needs --reason, which is recorded." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with --force, and in alias history)." };
        var alias = new Option<string?>("--alias") { Description = "Point this alias (e.g. staging) at the new version." };
        var tags = new Option<string[]>("--tag") { Description = "A tag key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var json = CommonOptions.Json();
        var cmd = new Command("register", "Register a trained, blessed model as the next immutable version: artifacts stored by SHA-256 with run.json, evaluation.json, schema, stats and a model card.")
        {
            model, evaluation, validation, force, reason, alias, tags, RegistryPath, Name, json,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
            var location = await ModelLocation.FindAsync(parse.GetValue(model) ?? TrainCommand.DefaultOutput, ct)
                ?? throw Errors.Data(parse.GetValue(model) ?? TrainCommand.DefaultOutput, "no model here; run 'mlops train' first or pass --model.");
            var evalPath = parse.GetValue(evaluation) ?? Path.Combine(EvaluateCommand.DefaultOutput, EvaluationResult.FileName);
            var eval = File.Exists(evalPath) ? await EvaluationResult.ReadAsync(evalPath, ct) : null;
            var forced = parse.GetValue(force);
            var why = parse.GetValue(reason);
            if (forced && string.IsNullOrWhiteSpace(why)) throw Errors.Config("--force", "needs --reason \"...\"; the reason is recorded with the version.");
            if (!forced)
            {
                if (eval is null) throw Errors.Config("--evaluation", $"no evaluation at {evalPath}; run 'mlops evaluate' first, or register anyway with --force --reason.");
                if (!eval.Blessed)
                {
                    console.Error.WriteLine($"error: the evaluation did not bless this model: {string.Join("; ", eval.Reasons)}. Use --force --reason to register it anyway.");
                    return ExitCodes.GateFailed;
                }

                var (modelSha, _) = await DataFingerprint.FileAsync(location.ModelPath, ct);
                if (eval.Candidate.Sha256 != modelSha) throw Errors.Data(evalPath, $"evaluated a different model (sha256 {eval.Candidate.Sha256[..12]}) than {location.ModelPath} ({modelSha[..12]}); evaluate this model first.");
            }

            var files = new List<ArtifactFile> { new(Path.GetFileName(location.ModelPath), location.ModelPath) };
            var dir = Path.GetDirectoryName(Path.GetFullPath(location.ModelPath))!;
            if (location.Run is not null) files.Add(new ArtifactFile("run.json", Path.Combine(dir, "run.json")));
            if (eval is not null) files.Add(new ArtifactFile("evaluation.json", evalPath));
            var validationDir = parse.GetValue(validation) ?? DefaultValidation;
            foreach (var f in new[] { "schema.json", "stats.json" })
            {
                if (File.Exists(Path.Combine(validationDir, f))) files.Add(new ArtifactFile(f, Path.Combine(validationDir, f)));
            }

            var temp = Path.Combine(Path.GetTempPath(), "mlops-card-" + Guid.NewGuid().ToString("N")[..8] + ".md");
            await File.WriteAllTextAsync(temp, ModelCard.Render(name, location.Run, eval), ct);
            files.Add(new ArtifactFile("model-card.md", temp));
            try
            {
                var tagMap = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var t in parse.GetValue(tags) ?? [])
                {
                    var eq = t.IndexOf('=');
                    if (eq <= 0) throw Errors.Config("--tag", $"'{t}' is not key=value.");
                    tagMap[t[..eq]] = t[(eq + 1)..];
                }

                var version = await registry.RegisterAsync(new Registration
                {
                    Name = name,
                    ModelFile = Path.GetFileName(location.ModelPath),
                    Files = files,
                    Manifest = new ModelVersion
                    {
                        Name = name,
                        Version = 0,
                        CreatedAt = DateTimeOffset.UtcNow,
                        CreatedBy = Actor.Current(),
                        ModelFile = Path.GetFileName(location.ModelPath),
                        Format = Scoring.ModelLoader.FormatOf(location.ModelPath),
                        Artifacts = [],
                        RunId = location.Run?.RunId,
                        DataFingerprint = location.Run?.Data.Fingerprint,
                        SourceCommit = location.Run?.Source.Commit,
                        Metrics = eval?.Metrics.ToDictionary(m => m.Key, m => m.Value.Candidate) ?? new Dictionary<string, double>(),
                        Blessed = eval?.Blessed,
                        ForcedReason = forced ? why : null,
                        Tags = tagMap,
                    },
                }, ct);
                if (parse.GetValue(alias) is { } a) await registry.PromoteAsync(name, version.Version, RegistryNames.Alias(a, "--alias"), why, ct);
                var uri = registry.Store.UriOf(RegistryNames.VersionKey(name, version.Version));
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(console.Out, w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("model", name);
                        w.WriteNumber("modelVersion", version.Version);
                        w.WriteString("modelUri", uri);
                        if (parse.GetValue(alias) is { } al) w.WriteString("alias", al);
                        w.WriteEndObject();
                    });
                }
                else
                {
                    console.Out.WriteLine($"Registered {name} version {version.Version}{(parse.GetValue(alias) is { } al ? $" as {al}" : string.Empty)}: {uri}");
                }

                return ExitCodes.Success;
            }
            finally
            {
                File.Delete(temp);
            }
        });
        return cmd;
    }

    private static Command Promote(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "The version to promote: a number (3 or v3) or an alias (staging)." };
        var to = new Option<string>("--to") { Description = "The alias to move (default: production).", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the alias history." };
        var cmd = new Command("promote", "Point an alias (production by default) at a version, atomically; the move is recorded with who, when, commit and run.") { reference, to, reason, RegistryPath, Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
            var r = parse.GetValue(reference)!;
            var version = await registry.ResolveAsync(name, r, ct) ?? throw Errors.Config("version", $"'{name}' has no alias '{r}'.");
            var move = await registry.PromoteAsync(name, version, RegistryNames.Alias(parse.GetValue(to)!, "--to"), parse.GetValue(reason), ct);
            console.Out.WriteLine($"{name} {move.Alias}: {(move.From is { } f ? $"v{f} → " : string.Empty)}v{move.To}");
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Rollback(CliConsole console)
    {
        var alias = new Option<string>("--alias") { Description = "The alias to move back (default: production).", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, for the alias history." };
        var cmd = new Command("rollback", "Move an alias (production by default) back to the version it pointed at before its last move.") { alias, reason, RegistryPath, Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
            var move = await registry.RollbackAsync(name, RegistryNames.Alias(parse.GetValue(alias)!, "--alias"), parse.GetValue(reason), ct);
            console.Out.WriteLine($"{name} {move.Alias}: v{move.From} → v{move.To} (rolled back)");
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Pull(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "A number (3 or v3) or an alias (default: production).", DefaultValueFactory = _ => "production" };
        var output = CommonOptions.Output("The folder to download into (default: mlops-out/pulled/<name>-v<version>).");
        var json = CommonOptions.Json();
        var cmd = new Command("pull", "Download a version's artifacts, verifying every SHA-256; a corrupted or truncated blob is refused.") { reference, output, RegistryPath, Name, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
            var r = parse.GetValue(reference)!;
            var number = await registry.ResolveAsync(name, r, ct) ?? throw Errors.Config("version", $"'{name}' has no alias '{r}' in {registry.Store.Location}.");
            var version = await registry.GetAsync(name, number, ct);
            var dir = parse.GetValue(output) ?? Path.Combine("mlops-out", "pulled", $"{name}-v{number}");
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

    private static Command List(CliConsole console)
    {
        var json = CommonOptions.Json();
        var cmd = new Command("list", "List every model's versions with their aliases (or one model's with --name).") { RegistryPath, Name, json };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
            var models = parse.GetValue(Name) is null ? await registry.ModelsAsync(ct) : [name];
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

    private static Command Gc(CliConsole console)
    {
        var minAge = new Option<string>("--min-age") { Description = "Only remove what is older than this (a register in flight is younger): 90s, 15m, 2h.", DefaultValueFactory = _ => "1h" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would be removed; remove nothing." };
        var cmd = new Command("gc", "Remove registry blobs that no version references and leftovers of interrupted registers (older than --min-age). Versions, aliases and every referenced artifact are kept.") { minAge, dryRun, RegistryPath };
        cmd.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var age = parse.GetValue(minAge) is "0" ? TimeSpan.Zero : Configuration.MlOpsConfig.ParseDuration(parse.GetValue(minAge)!, "--min-age");
            var registry = new ModelRegistry(Settings(parse, config).Open());
            var r = await registry.CollectGarbageAsync(age, parse.GetValue(dryRun), ct);
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{(r.DryRun ? "Would remove" : "Removed")} {r.Removed} unreferenced objects ({r.RemovedBytes / 1e6:0.###} MB) from {registry.Store.Location}; kept the {r.Referenced} blobs of {r.Versions} versions."));
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Show(CliConsole console)
    {
        var reference = new Argument<string>("version") { Description = "A number (3 or v3) or an alias (default: production).", DefaultValueFactory = _ => "production" };
        var cmd = new Command("show", "Print a version's manifest (artifacts, hashes, lineage, metrics) and its model's alias history, as JSON.") { reference, RegistryPath, Name };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = Open(parse);
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
