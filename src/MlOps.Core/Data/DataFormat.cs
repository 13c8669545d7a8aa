namespace MlOps.Data;

/// <summary>The file formats a dataset can be stored in.</summary>
public enum DataFormat
{
    /// <summary>Comma (or other delimiter) separated values, RFC 4180.</summary>
    Csv,

    /// <summary>JSON Lines: one JSON object per line.</summary>
    JsonLines,

    /// <summary>Apache Parquet.</summary>
    Parquet,
}

/// <summary>Maps format names and file extensions to <see cref="DataFormat"/>.</summary>
public static class DataFormats
{
    /// <summary>The names accepted in mlops.yaml and on the command line.</summary>
    public static readonly IReadOnlyList<string> Names = ["csv", "tsv", "jsonl", "parquet"];

    /// <summary>Parses a user-written format name; null when unknown.</summary>
    public static DataFormat? Parse(string name) => name.ToLowerInvariant() switch
    {
        "csv" or "tsv" => DataFormat.Csv,
        "jsonl" or "ndjson" or "json-lines" => DataFormat.JsonLines,
        "parquet" => DataFormat.Parquet,
        _ => null,
    };

    /// <summary>Guesses the format from a file extension; null when the extension says nothing.</summary>
    public static DataFormat? FromExtension(string path)
    {
        var name = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? path[..^3] : path;
        return Path.GetExtension(name).ToLowerInvariant() switch
        {
            ".csv" or ".tsv" or ".txt" => DataFormat.Csv,
            ".jsonl" or ".ndjson" => DataFormat.JsonLines,
            ".parquet" or ".pq" => DataFormat.Parquet,
            _ => null,
        };
    }
}
