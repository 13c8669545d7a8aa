namespace MlOps.Data;

/// <summary>
/// Drops the columns <c>data.exclude</c> names before any stage sees them, with everything nested
/// under them (<c>s</c> drops <c>s.a</c>; <c>tags</c> drops <c>tags[]</c>). Readers that can skip
/// reading a column (Parquet) see -1 for it.
/// </summary>
internal sealed class ExcludingSink(IRecordSink inner, IReadOnlyCollection<string> exclude) : IRecordSink
{
    /// <summary>Whether a column name is excluded by one of the names.</summary>
    public static bool Excludes(IReadOnlyCollection<string> exclude, string name)
    {
        foreach (var e in exclude)
        {
            if (name.Length < e.Length || !name.StartsWith(e, StringComparison.Ordinal)) continue;
            if (name.Length == e.Length || name[e.Length] is '.' or '[') return true;
        }

        return false;
    }

    public int Column(string name) => Excludes(exclude, name) ? -1 : inner.Column(name);

    public int ElementColumn(string name) => Excludes(exclude, name) ? -1 : inner.ElementColumn(name);

    public void Warning(string message) => inner.Warning(message);

    public void BeginFile(string path) => inner.BeginFile(path);

    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        if (column >= 0) inner.Text(column, utf8);
    }

    public void Number(int column, double value, bool isInteger)
    {
        if (column >= 0) inner.Number(column, value, isInteger);
    }

    public void Boolean(int column, bool value)
    {
        if (column >= 0) inner.Boolean(column, value);
    }

    public void Time(int column, double seconds, TimeKind kind)
    {
        if (column >= 0) inner.Time(column, seconds, kind);
    }

    public void Missing(int column)
    {
        if (column >= 0) inner.Missing(column);
    }

    public void EndRecord() => inner.EndRecord();

    public void EndFile() => inner.EndFile();
}
