namespace MlOps.Data;

/// <summary>Streams one file of a dataset into an <see cref="IRecordSink"/> in a single pass.</summary>
public interface IDatasetReader
{
    /// <summary>The format name users write in mlops.yaml (csv, jsonl, parquet).</summary>
    string Format { get; }

    /// <summary>Reads <paramref name="path"/> to the end, pushing every cell to <paramref name="sink"/>.</summary>
    /// <exception cref="DataException">The file is missing or malformed.</exception>
    Task ReadAsync(string path, IRecordSink sink, CancellationToken cancellationToken = default);
}
