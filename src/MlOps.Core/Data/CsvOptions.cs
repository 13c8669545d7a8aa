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
}
