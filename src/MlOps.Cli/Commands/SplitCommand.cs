using System.CommandLine;
using System.Globalization;
using MlOps.Artifacts;
using MlOps.Validation.Splitting;

namespace MlOps.Cli.Commands;

/// <summary><c>mlops split</c>: deterministic train/eval/test files by hashing a key column.</summary>
public static class SplitCommand
{
    /// <summary>The default output folder.</summary>
    public const string DefaultOutput = StageFolders.Split;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliConsole console)
    {
        var data = new DataOptions();
        var key = new Option<string?>("--key", "-k") { Description = "The column whose value decides each row's part, e.g. a customer id (default: split.key; without one the whole row is hashed)." };
        var fractions = new Option<string?>("--fractions") { Description = "Train/eval/test percentages, e.g. 60/20/20 or 80/20 (default: split.fractions or 60/20/20)." };
        var salt = new Option<string?>("--salt") { Description = "A string mixed into the hash for an independent split (default: split.salt or 'mlops')." };
        var output = CommonOptions.Output($"The folder for train.csv, eval.csv and test.csv (default: {DefaultOutput}).");
        var command = new Command("split", "Split data into train/eval/test CSV files, deterministically: the same key lands in the same part on every run and machine.")
        {
            key, fractions, salt, output,
        };
        data.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var config = CommonOptions.LoadConfig(parse);
            var source = data.Resolve(parse, config);
            var settings = config.Split ?? new Data.SplitSettings();
            var parts = parse.GetValue(fractions) is { } f ? ParseFractions(f) : settings.Fractions;
            var dir = parse.GetValue(output) ?? settings.Output ?? DefaultOutput;
            var result = await HashSplitter.SplitAsync(source, parse.GetValue(key) ?? settings.Key, parts, parse.GetValue(salt) ?? settings.Salt, dir, ct);
            foreach (var (name, path, rows) in result)
            {
                console.Out.WriteLine($"{name}: {rows} rows -> {path}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses "60/20/20" (percent) into named fractions.</summary>
    public static IReadOnlyList<(string Name, double Fraction)> ParseFractions(string text)
    {
        var names = new[] { "train", "eval", "test" };
        var parts = text.Split('/');
        if (parts.Length is < 2 or > 3)
        {
            throw Errors.Config("--fractions", $"'{text}' should be two or three percentages like 60/20/20.");
        }

        var result = new List<(string, double)>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p < 0 || p > 100)
            {
                throw Errors.Config("--fractions", $"'{parts[i]}' is not a percentage between 0 and 100.");
            }

            result.Add((names[i], p / 100));
        }

        return result;
    }
}
