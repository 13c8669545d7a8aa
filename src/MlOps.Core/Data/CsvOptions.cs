namespace MlOps.Data;

/// <summary>How to read delimited text.</summary>
public sealed record CsvOptions
{
    /// <summary>The field delimiter: one ASCII character (',' by default; '\t' for TSV).</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Cell values that mean "missing" besides the empty cell (for example "NA").</summary>
    public IReadOnlyList<string> MissingValues { get; init; } = [];

    /// <summary>
    /// The longest record accepted, in bytes. A longer one is almost always a wrong delimiter or
    /// a quote that never closes, and is refused instead of exhausting memory.
    /// </summary>
    public int MaxRecordBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// Reads a delimiter as users write it: one character, or <c>\t</c> for tab; null means the
    /// format's default (tab for tsv, else comma).
    /// </summary>
    /// <exception cref="ConfigException">The text is not one character.</exception>
    public static char ParseDelimiter(string? text, string? format, string where) => text switch
    {
        null => format == "tsv" ? '\t' : ',',
        "\\t" => '\t',
        { Length: 1 } => text[0],
        _ => throw Errors.Config(where, $"'{text}' must be one character (write \\t for tab)."),
    };
}
