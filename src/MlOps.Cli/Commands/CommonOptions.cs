using System.CommandLine;
using MlOps.Configuration;
using MlOps.Data;

namespace MlOps.Cli.Commands;

/// <summary>Options shared by several commands, and the one place where flags override mlops.yaml.</summary>
public static class CommonOptions
{
    /// <summary>--config: the project file.</summary>
    public static readonly Option<string?> Config = new("--config", "-c")
    {
        Description = "The project file (default: ./mlops.yaml when present).",
        Recursive = true,
        HelpName = "mlops.yaml",
    };

    /// <summary>--data: the dataset.</summary>
    public static Option<string?> Data() => new("--data", "-d") { Description = "The data: a file, a folder, or a glob such as 'data/*.csv' (default: data.path).", HelpName = "path" };

    /// <summary>--format.</summary>
    public static Option<string?> Format() => new("--format") { Description = "The data format: csv, tsv, jsonl or parquet (default: from the file extension)." };

    /// <summary>--delimiter.</summary>
    public static Option<string?> Delimiter() => new("--delimiter") { Description = "The CSV delimiter, one character; \\t for tab (default: ,)." };

    /// <summary>--output.</summary>
    public static Option<string?> Output(string what) => new("--output", "-o") { Description = what, HelpName = "path" };

    /// <summary>--json.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print the result as JSON on standard output." };

    /// <summary>Loads mlops.yaml (or the defaults).</summary>
    public static MlOpsConfig LoadConfig(ParseResult parse) => MlOpsConfig.Load(parse.GetValue(Config));

    /// <summary>The dataset from --data/--format/--delimiter over data: in the config.</summary>
    public static DatasetSource ResolveData(MlOpsConfig config, string? data, string? format, string? delimiter)
    {
        var source = config.Data;
        if (data is not null) source = (source ?? new DatasetSource { Path = data }) with { Path = data };
        if (source is null)
        {
            throw Errors.Errors.Config("--data", "no data given; pass --data PATH or set data.path in mlops.yaml.");
        }

        if (format is not null)
        {
            source = source with
            {
                Format = DataFormats.Parse(format) ?? throw Errors.Errors.Config("--format", $"'{format}' is not a format; expected {string.Join(", ", DataFormats.Names)}."),
                Csv = format == "tsv" ? source.Csv with { Delimiter = '\t' } : source.Csv,
            };
        }

        if (delimiter is not null)
        {
            var d = delimiter == "\\t" ? '\t' : delimiter.Length == 1 ? delimiter[0] : throw Errors.Errors.Config("--delimiter", $"'{delimiter}' must be one character (\\t for tab).");
            source = source with { Csv = source.Csv with { Delimiter = d } };
        }

        return source;
    }
}
