using System.CommandLine;
using MlOps.Validation.Statistics;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops stats merge</c>: combine partial statistics from shards.</summary>
public static class StatsCommand
{
    /// <summary>Builds the command group.</summary>
    public static Command Create(CliConsole console)
    {
        var inputs = new Argument<string[]>("stats") { Description = "The partial stats.json files (from 'mlops validate --shard i/n').", Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.Output("Where to write the merged stats.json (default: stats.json).");
        var merge = new Command("merge", "Merge partial stats.json files into one, exactly as if the data had been read in one pass (sketches merge losslessly up to their error bounds).")
        {
            inputs, output,
        };
        merge.SetAction(async (parse, ct) =>
        {
            var parts = new List<DatasetProfile>();
            foreach (var path in parse.GetValue(inputs)!)
            {
                parts.Add(await StatsFile.ReadAsync(path, ct));
            }

            var merged = StatsFile.Merge(parts);
            var path2 = parse.GetValue(output) ?? "stats.json";
            await StatsFile.WriteAsync(path2, merged, ct);
            console.Out.WriteLine($"Merged {parts.Count} partial statistics ({merged.Rows} rows, {merged.Columns.Count} columns) into {path2}.");
            return ExitCodes.Success;
        });
        return new Command("stats", "Work with stats.json files.") { merge };
    }
}
