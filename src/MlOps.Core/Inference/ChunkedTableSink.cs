using MlOps.Data;
using MlOps.Tabular;
using MlOps.Validation.Statistics;

namespace MlOps.Inference;

/// <summary>
/// Turns a dataset stream into tables of at most <c>chunkRows</c> rows, handed to a callback as
/// each fills, so a dataset of any size is scored in bounded memory. Rows outside the shard are
/// skipped as they stream past.
/// </summary>
internal sealed class ChunkedTableSink : IRecordSink
{
    private readonly IReadOnlyDictionary<string, ColumnKind> _declared;
    private readonly int _chunkRows;
    private readonly Action<Table> _onChunk;
    private readonly Shard? _shard;
    private readonly bool _nonFiniteAsMissing;
    private readonly List<string> _names = [];
    private TableLoader _loader;
    private string? _file;
    private long _record;
    private int _rows;
    private bool _skip;

    public ChunkedTableSink(IReadOnlyDictionary<string, ColumnKind> declared, int chunkRows, Shard? shard, Action<Table> onChunk, bool nonFiniteAsMissing = false)
    {
        _nonFiniteAsMissing = nonFiniteAsMissing;
        _declared = declared;
        _chunkRows = chunkRows;
        _shard = shard;
        _onChunk = onChunk;
        _loader = new TableLoader(declared, null, nonFiniteAsMissing);
        UpdateSkip();
    }

    /// <summary>Rows read in the shard.</summary>
    public long Rows { get; private set; }

    public int Column(string name)
    {
        var i = _names.IndexOf(name);
        if (i >= 0) return i;
        _names.Add(name);
        return _loader.Column(name);
    }

    public void BeginFile(string path)
    {
        _file = path;
        _loader.BeginFile(path);
    }

    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        if (!_skip) _loader.Text(column, utf8);
    }

    public void Number(int column, double value, bool isInteger)
    {
        if (!_skip) _loader.Number(column, value, isInteger);
    }

    public void Boolean(int column, bool value)
    {
        if (!_skip) _loader.Boolean(column, value);
    }

    public void Missing(int column)
    {
        if (!_skip) _loader.Missing(column);
    }

    public void EndRecord()
    {
        if (!_skip)
        {
            _loader.EndRecord();
            _rows++;
            Rows++;
        }

        _record++;
        UpdateSkip();
        if (_rows >= _chunkRows) Flush();
    }

    public void EndFile() => _loader.EndFile();

    /// <summary>Hands over what is left; call once the stream ends.</summary>
    public void Flush()
    {
        if (_rows == 0) return;
        var table = _loader.Build();
        _loader = new TableLoader(_declared, null, _nonFiniteAsMissing);
        foreach (var name in _names) _loader.Column(name); // same indices as the readers hold
        if (_file is not null) _loader.BeginFile(_file);
        _rows = 0;
        _onChunk(table);
    }

    private void UpdateSkip() => _skip = _shard is { } s && _record % s.Count != s.Index;
}
