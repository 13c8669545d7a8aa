using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using MlOps.Data;
using MlOps.Validation.Splitting;
using MlOps.Validation.Statistics;

namespace MlOps.Tabular;

/// <summary>How to split rows while loading: the same rule as <c>mlops split</c>.</summary>
/// <param name="Key">The key column; null hashes the whole row.</param>
/// <param name="Salt">The salt mixed into the hash.</param>
/// <param name="Parts">Part names and fractions.</param>
public sealed record SplitRule(string? Key, string Salt, IReadOnlyList<(string Name, double Fraction)> Parts);

/// <summary>
/// Streams a dataset into a <see cref="Table"/>. Column kinds come from <c>declared</c> (the schema
/// and the label's task) or are inferred: a column stays numeric until a non-numeric cell
/// appears. Each row's split part is computed exactly as <see cref="HashSplitter"/> does.
/// </summary>
public sealed class TableLoader : IRecordSink
{
    private readonly IReadOnlyDictionary<string, ColumnKind> _declared;
    private readonly SplitRule? _split;
    private readonly double[] _fractions;
    private readonly byte[] _salt;
    private readonly XxHash64 _hasher = new();
    private readonly List<Builder> _columns = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private byte[] _parts = new byte[1024];
    private byte[] _rowKey = new byte[256];
    private int _rowKeyLength;
    private bool _keyPresent;
    private int _keyColumn = -1;
    private int _rows;
    private long _fileRow;
    private string _file = string.Empty;
    private readonly bool _nonFiniteAsMissing;

    /// <summary>Creates a loader.</summary>
    /// <param name="declared">Known column kinds by name; others are inferred.</param>
    /// <param name="split">The split rule, or null to load without parts.</param>
    /// <param name="nonFiniteAsMissing">
    /// <c>data.non-finite: missing</c>: NaN, infinities and numbers beyond the 32-bit float range
    /// the models use are missing values; otherwise a numeric column holding one is a data error
    /// naming the first file, row and column (the rule validate applies).
    /// </param>
    public TableLoader(IReadOnlyDictionary<string, ColumnKind>? declared = null, SplitRule? split = null, bool nonFiniteAsMissing = false)
    {
        _nonFiniteAsMissing = nonFiniteAsMissing;
        _declared = declared ?? new Dictionary<string, ColumnKind>();
        _split = split;
        _fractions = split?.Parts.Select(p => p.Fraction).ToArray() ?? [];
        _salt = Encoding.UTF8.GetBytes(split?.Salt ?? string.Empty);
    }

    /// <summary>Reads every file of <paramref name="source"/> into a table.</summary>
    /// <remarks>A single large CSV file is read as two halves at once where that gives the same table (<see cref="CsvHalves"/>).</remarks>
    public static async Task<Table> LoadAsync(DatasetSource source, IReadOnlyDictionary<string, ColumnKind>? declared = null, SplitRule? split = null, CancellationToken cancellationToken = default)
    {
        var files = source.ResolveFiles();
        if (files.Count == 1 && File.Exists(files[0]) && await CsvHalves.TryLoadAsync(source, files[0], declared, split, cancellationToken) is { } halves) return halves;
        var loader = new TableLoader(declared, split, source.NonFiniteAsMissing);
        await source.ReadAsync(loader, files, null, cancellationToken);
        return loader.Build();
    }

    /// <summary>The table read so far.</summary>
    public Table Build()
    {
        foreach (var c in _columns)
        {
            if (c.Kind == ColumnKind.Numeric && c.FirstNonFinite is { } at)
            {
                throw Errors.Data(at.File, at.Row, $"{at.What} in a numeric column; leave the cell empty for a missing value, or set data.non-finite: missing.", c.Name);
            }
        }

        if (_split is { Key: { } key } && _keyColumn < 0 && _rows > 0)
        {
            throw Errors.Config("split.key", $"the column '{key}' is not in the data; columns: {string.Join(", ", _columns.Select(c => c.Name))}.");
        }

        return new Table(
            _columns.Select(c => c.ToColumn(_rows)).ToList(),
            _rows,
            _split is null ? null : _parts[.._rows],
            _split?.Parts.Select(p => p.Name).ToList() ?? []);
    }

    /// <summary>
    /// The table of <paramref name="first"/>'s rows then <paramref name="second"/>'s, read from two
    /// halves of one file with the same header, when it is exactly what reading the file whole
    /// gives; null when it might not be (a column seen differently in the two halves, a number the
    /// second half turned into text, a non-finite number, a missing key column): read it whole.
    /// </summary>
    internal static Table? Concat(TableLoader first, TableLoader second)
    {
        if (first._columns.Count != second._columns.Count || first._keyColumn != second._keyColumn) return null;
        if (first._split is { Key: not null } && first._keyColumn < 0) return null;
        for (var i = 0; i < first._columns.Count; i++)
        {
            var (a, b) = (first._columns[i], second._columns[i]);
            if (a.Name != b.Name || a.Kind != b.Kind || a.FirstNonFinite is not null || b.FirstNonFinite is not null || b.ConvertedNumbers > 0) return null;
        }

        var rows = checked(first._rows + second._rows);
        byte[]? parts = null;
        if (first._split is not null)
        {
            parts = new byte[rows];
            first._parts.AsSpan(0, first._rows).CopyTo(parts);
            second._parts.AsSpan(0, second._rows).CopyTo(parts.AsSpan(first._rows));
        }

        return new Table(
            first._columns.Select((c, i) => c.Concat(first._rows, second._columns[i], second._rows)).ToList(),
            rows,
            parts,
            first._split?.Parts.Select(p => p.Name).ToList() ?? []);
    }

    /// <inheritdoc/>
    public int Column(string name)
    {
        if (_index.TryGetValue(name, out var i)) return i;
        var kind = _declared.TryGetValue(name, out var k) ? k : ColumnKind.Numeric;
        var builder = new Builder(name, kind, _declared.ContainsKey(name));
        builder.Backfill(_rows);
        _columns.Add(builder);
        _index[name] = _columns.Count - 1;
        if (_split?.Key == name) _keyColumn = _columns.Count - 1;
        return _columns.Count - 1;
    }

    /// <inheritdoc/>
    public void BeginFile(string path)
    {
        _file = path;
        _fileRow = 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        var c = _columns[column];
        KeyBytes(column, utf8);
        if (c.Kind == ColumnKind.Text)
        {
            c.SetText(_rows, utf8);
            return;
        }

        switch (Utf8Number.Classify(utf8, out var value, out var boolean))
        {
            case CellKind.Integer or CellKind.Number:
                SetNumber(c, value);
                break;
            case CellKind.Boolean:
                c.SetNumber(_rows, boolean ? 1 : 0);
                break;
            case CellKind.NonFinite:
                NonFinite(c, "NaN or infinity");
                break;
            default:
                if (utf8.Trim((byte)' ').IsEmpty)
                {
                    c.SetNumber(_rows, float.NaN);
                }
                else if (c.Declared)
                {
                    throw Errors.Data(_file, _fileRow + 1, $"expected a number, found '{Encoding.UTF8.GetString(utf8)}'.", c.Name);
                }
                else
                {
                    c.ToText(_rows);
                    c.SetText(_rows, utf8);
                }

                break;
        }
    }

    /// <inheritdoc/>
    public void Number(int column, double value, bool isInteger)
    {
        Span<byte> buffer = stackalloc byte[32];
        value.TryFormat(buffer, out var n, "R", CultureInfo.InvariantCulture);
        KeyBytes(column, buffer[..n]);
        var c = _columns[column];
        if (c.Kind == ColumnKind.Text) c.SetText(_rows, buffer[..n]);
        else if (!double.IsFinite(value)) NonFinite(c, "NaN or infinity");
        else SetNumber(c, value);
    }

    // Models compute in 32-bit floats: a value beyond its range would become an infinity unseen.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per cell: optimized from the first call, not after tiering
    private void SetNumber(Builder c, double value)
    {
        if (!float.IsFinite((float)value)) NonFinite(c, string.Create(CultureInfo.InvariantCulture, $"{value:R} (beyond the 32-bit float range models compute in)"));
        else c.SetNumber(_rows, (float)value);
    }

    private void NonFinite(Builder c, string what)
    {
        c.SetNumber(_rows, float.NaN);
        if (!_nonFiniteAsMissing) c.FirstNonFinite ??= (_file, _fileRow + 1, what);
    }

    /// <inheritdoc/>
    public void Boolean(int column, bool value)
    {
        var text = value ? "true"u8 : "false"u8;
        KeyBytes(column, text);
        var c = _columns[column];
        if (c.Kind == ColumnKind.Text) c.SetText(_rows, text);
        else c.SetNumber(_rows, value ? 1 : 0);
    }

    /// <inheritdoc/>
    public void Missing(int column)
    {
        // The cell itself is filled in EndRecord; the whole-row key still marks its place.
        if (_split is { Key: null }) Append([0x1F]);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void EndRecord()
    {
        foreach (var c in _columns) c.EndRow(_rows);
        if (_split is not null)
        {
            if (_parts.Length <= _rows) Array.Resize(ref _parts, _parts.Length * 2);
            ReadOnlySpan<byte> key = _split.Key is null ? _rowKey.AsSpan(0, _rowKeyLength) : _keyPresent ? _rowKey.AsSpan(0, _rowKeyLength) : [];
            _parts[_rows] = (byte)HashSplitter.PartOf(_hasher, _salt, key, _fractions);
        }

        _rowKeyLength = 0;
        _keyPresent = false;
        _rows++;
        _fileRow++;
        if (_rows == int.MaxValue) throw Errors.Data(_file, "more than 2,147,483,646 rows do not fit in one training table.");
    }

    /// <inheritdoc/>
    public void EndFile()
    {
    }

    // The split hashes the key cell's text, or (without a key) every cell followed by 0x1F, as HashSplitter does.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per cell: optimized from the first call, not after tiering
    private void KeyBytes(int column, ReadOnlySpan<byte> cell)
    {
        if (_split is null) return;
        if (_split.Key is null)
        {
            Append(cell);
            Append([0x1F]);
        }
        else if (column == _keyColumn)
        {
            _rowKeyLength = 0;
            Append(cell);
            _keyPresent = true;
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_rowKey.Length < _rowKeyLength + bytes.Length) Array.Resize(ref _rowKey, Math.Max(_rowKey.Length * 2, _rowKeyLength + bytes.Length));
        bytes.CopyTo(_rowKey.AsSpan(_rowKeyLength));
        _rowKeyLength += bytes.Length;
    }

    private sealed class Builder(string name, ColumnKind kind, bool declared)
    {
        private const int MaxInterned = 1 << 16;
        private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
        private float[] _numbers = kind == ColumnKind.Numeric ? new float[1024] : [];
        private string?[] _texts = kind == ColumnKind.Text ? new string?[1024] : [];
        private char[] _chars = new char[256];
        private int _lastRow = -1;

        public string Name { get; } = name;

        public ColumnKind Kind { get; private set; } = kind;

        public bool Declared { get; } = declared;

        public void Backfill(int rows)
        {
            for (var r = 0; r < rows; r++) EndRow(r);
        }

        /// <summary>Where the first NaN, infinity or out-of-range number was, and what it was.</summary>
        public (string File, long Row, string What)? FirstNonFinite { get; set; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per cell: optimized from the first call, not after tiering
        public void SetNumber(int row, float value)
        {
            if (_numbers.Length <= row) Array.Resize(ref _numbers, Math.Max(_numbers.Length * 2, row + 1));
            _numbers[row] = value;
            _lastRow = row;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per cell: optimized from the first call, not after tiering
        public void SetText(int row, ReadOnlySpan<byte> utf8)
        {
            if (_texts.Length <= row) Array.Resize(ref _texts, Math.Max(_texts.Length * 2, row + 1));
            _texts[row] = utf8.Trim((byte)' ').IsEmpty ? null : Intern(utf8);
            _lastRow = row;
        }

        public void EndRow(int row)
        {
            if (_lastRow == row) return;
            if (Kind == ColumnKind.Numeric) SetNumber(row, float.NaN);
            else SetText(row, []);
        }

        /// <summary>How many numbers became their text form when the column turned out to be text (0: none had been read).</summary>
        public int ConvertedNumbers { get; private set; }

        /// <summary>The column turned out to be text: earlier numbers become their text form.</summary>
        public void ToText(int rows)
        {
            Kind = ColumnKind.Text;
            _texts = new string?[Math.Max(_numbers.Length, 1024)];
            for (var r = 0; r < rows; r++)
            {
                if (float.IsNaN(_numbers[r])) continue;
                _texts[r] = _numbers[r].ToString("R", CultureInfo.InvariantCulture);
                ConvertedNumbers++;
            }

            _numbers = [];
        }

        /// <summary>This column's <paramref name="rows"/> followed by <paramref name="next"/>'s (the same kind).</summary>
        public TableColumn Concat(int rows, Builder next, int nextRows) => Kind == ColumnKind.Numeric
            ? new TableColumn(Name, Kind, Join(_numbers, rows, next._numbers, nextRows, float.NaN), null)
            : new TableColumn(Name, Kind, null, Join(_texts, rows, next._texts, nextRows, null));

        public TableColumn ToColumn(int rows) => Kind == ColumnKind.Numeric
            ? new TableColumn(Name, Kind, Fit(_numbers, rows, float.NaN), null)
            : new TableColumn(Name, Kind, null, Fit(_texts, rows, null));

        private static T[] Fit<T>(T[] values, int rows, T missing) => Join(values, rows, [], 0, missing);

        // The first `rows` of `values` then the first `nextRows` of `next`, each padded with `missing` where it holds fewer.
        private static T[] Join<T>(T[] values, int rows, T[] next, int nextRows, T missing)
        {
            var result = new T[rows + nextRows];
            Place(values, result, 0, rows, missing);
            Place(next, result, rows, nextRows, missing);
            return result;
        }

        private static void Place<T>(T[] from, T[] to, int at, int count, T missing)
        {
            var n = Math.Min(count, from.Length);
            Array.Copy(from, 0, to, at, n);
            if (n < count) Array.Fill(to, missing, at + n, count - n);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per cell: optimized from the first call, not after tiering
        private string Intern(ReadOnlySpan<byte> utf8)
        {
            if (_chars.Length < utf8.Length) _chars = new char[utf8.Length * 2];
            var n = Encoding.UTF8.GetChars(utf8, _chars);
            var span = _chars.AsSpan(0, n);
            var lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(span, out var existing)) return existing;
            var s = new string(span);
            if (_interned.Count < MaxInterned) _interned[s] = s;
            return s;
        }
    }
}
