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

    /// <summary>
    /// A typed date or timestamp cell (Parquet DATE/TIMESTAMP): seconds since 1970-01-01 and what
    /// it says about its zone. Sinks without time types get its ISO-8601 text.
    /// </summary>
    void Time(int column, double seconds, TimeKind kind) => Text(column, System.Text.Encoding.UTF8.GetBytes(TimeValue.Format(seconds, kind)));

    /// <summary>
    /// The index of a column that holds the elements of a list or map (<c>tags[]</c>), which may
    /// get any number of cells per record; -1 (the default) when the sink does not want elements,
    /// and the reader then skips them.
    /// </summary>
    int ElementColumn(string name) => -1;

    /// <summary>Something in the data was skipped or changed on the way in (an unsupported column type); says what.</summary>
    void Warning(string message)
    {
    }

    /// <summary>An explicitly missing cell (empty, null, or a configured missing token).</summary>
    void Missing(int column);

    /// <summary>The current row is complete; columns it did not mention are missing.</summary>
    void EndRecord();

    /// <summary>The current file is complete.</summary>
    void EndFile();
}
