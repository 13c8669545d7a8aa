using System.CommandLine;
using MlOps.Configuration;
using MlOps.Data;

namespace MlOps.Cli.Commands;

/// <summary>
/// --data, --format and --delimiter: the dataset a command reads. The one place where these
/// flags override data: in mlops.yaml.
/// </summary>
internal sealed class DataOptions
{
    private readonly Option<string?> _data = new("--data", "-d") { Description = "The data: a file, a folder, or a glob such as 'data/*.csv' (default: data.path).", HelpName = "path" };
    private readonly Option<string?> _format = new("--format") { Description = "The data format: csv, tsv, jsonl or parquet (default: from the file extension)." };
    private readonly Option<string?> _delimiter = new("--delimiter") { Description = "The CSV delimiter, one character; \\t for tab (default: ,)." };

    /// <summary>Adds the three options to a command, first in its help.</summary>
    public void AddTo(Command command)
    {
        command.Options.Insert(0, _data);
        command.Options.Insert(1, _format);
        command.Options.Insert(2, _delimiter);
    }

    /// <summary>The three flags as given (null when not).</summary>
    public DataFlags Flags(ParseResult parse) => new(parse.GetValue(_data), parse.GetValue(_format), parse.GetValue(_delimiter));

    /// <summary>The dataset from the flags over data: in the config.</summary>
    public DatasetSource Resolve(ParseResult parse, MlOpsConfig config) => Resolve(Flags(parse), config);

    /// <summary>The dataset from <paramref name="flags"/> over data: in the config (what mlops run uses, with no flags).</summary>
    public static DatasetSource Resolve(DataFlags flags, MlOpsConfig config)
    {
        var (data, format, delimiter) = flags;
        var source = config.Data;
        if (data is not null) source = (source ?? new DatasetSource { Path = data }) with { Path = data };
        if (source is null)
        {
            throw Errors.Config("--data", "no data given; pass --data PATH or set data.path in mlops.yaml.");
        }

        if (format is not null)
        {
            source = source with
            {
                Format = DataFormats.Parse(format) ?? throw Errors.Config("--format", $"'{format}' is not a format; expected {string.Join(", ", DataFormats.Names)}."),
                Csv = format == "tsv" ? source.Csv with { Delimiter = '\t' } : source.Csv,
            };
        }

        if (delimiter is not null)
        {
            source = source with { Csv = source.Csv with { Delimiter = CsvOptions.ParseDelimiter(delimiter, format, "--delimiter") } };
        }

        return source;
    }
}

/// <summary>--data, --format and --delimiter as given; null when not.</summary>
internal sealed record DataFlags(string? Data = null, string? Format = null, string? Delimiter = null);
