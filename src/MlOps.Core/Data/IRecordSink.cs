namespace MlOps.Data;

/// <summary>
/// Receives a dataset one cell at a time, in row order, without allocating per row.
/// Readers push typed cells when the format has types (Parquet, JSON) and UTF-8 text when it
/// does not (CSV); the sink decides what the text means.
/// </summary>
public interface IRecordSink
{
    /// <summary>The dataset-wide index of a column, registered on first sight.</summary>
    int Column(string name);

    /// <summary>A new file of the dataset begins; row numbers restart at 1.</summary>
    void BeginFile(string path);

    /// <summary>A text cell, as valid UTF-8 without surrounding quotes.</summary>
    void Text(int column, ReadOnlySpan<byte> utf8);

    /// <summary>A typed numeric cell.</summary>
    void Number(int column, double value, bool isInteger);

    /// <summary>A typed boolean cell.</summary>
    void Boolean(int column, bool value);

    /// <summary>An explicitly missing cell (empty, null, or a configured missing token).</summary>
    void Missing(int column);

    /// <summary>The current row is complete; columns it did not mention are missing.</summary>
    void EndRecord();

    /// <summary>The current file is complete.</summary>
    void EndFile();
}
