using System.CommandLine;
using MlOps.Validation;
using MlOps.Validation.Schema;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops schema infer</c>: propose a schema.json from data.</summary>
public static class SchemaCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var output = CommonOptions.Output("Where to write the schema (default: schema.json).");
        var force = new Option<bool>("--force") { Description = "Overwrite an existing schema file." };
        var infer = new Command("infer", "Infer a schema (types, categories, ranges, missing-value limits) from data, to review and commit.")
        {
            output, force,
        };
        data.AddTo(infer);
        infer.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var source = data.Resolve(parse, config);
            var path = parse.GetValue(output) ?? "schema.json";
            if (File.Exists(path) && !parse.GetValue(force))
            {
                throw Errors.Config(path, "already exists; pass --force to overwrite it.");
            }

            var profile = await new Validator(console.Progress).ProfileAsync(source, null, null, ct);
            var schema = SchemaInference.Infer(profile);
            await SchemaFile.WriteAsync(path, schema, ct);
            console.Out.WriteLine($"Wrote {path}: {schema.Columns.Count} columns inferred from {profile.Rows} rows. Review it (domains, ranges, missing limits) and commit it.");
            foreach (var id in schema.Columns.Where(c => c.Identifier))
            {
                console.Out.WriteLine($"  {id.Name}: looks like an identifier (distinct values ≈ rows); drift leaves it out by default.");
            }

            foreach (var warning in profile.Warnings) console.Error.WriteLine($"warning: {warning}");
            return ExitCodes.Success;
        });
        return new Command("schema", "Work with schema.json files.") { infer };
    }
}
