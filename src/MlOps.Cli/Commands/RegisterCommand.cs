using System.CommandLine;
using MlOps.Evaluation;
using MlOps.Registry;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops register</c>: a blessed model becomes the next immutable version (the stage is <see cref="Registration.Registrar"/>).</summary>
internal static class RegisterCommand
{
    internal static Command Register(CliConsole console)
    {
        var model = new Option<string?>("--model", "-m") { Description = $"The training output folder or model file (default: {TrainCommand.DefaultOutput})." };
        var evaluation = new Option<string?>("--evaluation", "-e") { Description = $"The evaluation.json that blesses it (default: {EvaluateCommand.DefaultOutput}/evaluation.json)." };
        var validation = new Option<string?>("--validation") { Description = $"The validation folder whose schema.json and stats.json go with the model (default: {RegistryCommands.DefaultValidation}, when present)." };
        var force = new Option<bool>("--force") { Description = "Register even without a blessed evaluation; needs --reason, which is recorded." };
        var reason = new Option<string?>("--reason") { Description = "Why (recorded with --force, and in alias history)." };
        var alias = new Option<string?>("--alias") { Description = "Point this alias (e.g. staging) at the new version." };
        var tags = new Option<string[]>("--tag") { Description = "A tag key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var json = CommonOptions.Json();
        var cmd = new Command("register", "Register a trained, blessed model as the next immutable version: artifacts stored by SHA-256 with run.json, evaluation.json, schema, stats and a model card.")
        {
            model, evaluation, validation, force, reason, alias, tags, RegistryCommands.RegistryPath, RegistryCommands.Name, json,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var (registry, name) = RegistryCommands.Open(parse, console);
            var tagMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var t in parse.GetValue(tags) ?? [])
            {
                var eq = t.IndexOf('=');
                if (eq <= 0) throw Errors.Config("--tag", $"'{t}' is not key=value.");
                tagMap[t[..eq]] = t[(eq + 1)..];
            }

            return await ExecuteAsync(registry, new Registration.RegisterOptions
            {
                Name = name,
                Model = parse.GetValue(model) ?? TrainCommand.DefaultOutput,
                Evaluation = parse.GetValue(evaluation) ?? Path.Combine(EvaluateCommand.DefaultOutput, EvaluationResult.FileName),
                Validation = parse.GetValue(validation) ?? RegistryCommands.DefaultValidation,
                Force = parse.GetValue(force),
                Reason = parse.GetValue(reason),
                Alias = parse.GetValue(alias),
                Tags = tagMap,
            }, parse.GetValue(json), console, ct);
        });
        return cmd;
    }

    /// <summary>Runs the register stage and prints its result (also what mlops run calls).</summary>
    internal static async Task<int> ExecuteAsync(ModelRegistry registry, Registration.RegisterOptions options, bool json, CliConsole console, CancellationToken ct)
    {
        var result = await new Registration.Registrar(registry).RunAsync(options, ct);
        if (!result.Registered)
        {
            console.Error.WriteLine($"error: the evaluation did not bless this model: {string.Join("; ", result.NotBlessed)}. Use --force --reason to register it anyway.");
            return ExitCodes.GateFailed;
        }

        if (json)
        {
            JsonOutput.Write(console.Out, w =>
            {
                w.WriteStartObject();
                w.WriteString("model", result.Name);
                w.WriteNumber("modelVersion", result.Version!.Version);
                w.WriteString("modelUri", result.Uri);
                if (result.Alias is { } al) w.WriteString("alias", al);
                w.WriteEndObject();
            });
        }
        else
        {
            console.Out.WriteLine($"Registered {result.Name} version {result.Version!.Version}{(result.Alias is { } al ? $" as {al}" : string.Empty)}: {result.Uri}");
        }

        return ExitCodes.Success;
    }
}
