using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;

namespace MlOps.Data;

/// <summary>
/// Streams RFC 4180 delimited text: quoted fields, doubled quotes, embedded newlines, CRLF or LF,
/// a UTF-8 byte-order mark, any single-byte delimiter. Works on UTF-8 bytes in a reused buffer, so
/// memory stays bounded by the longest record, not the file.
/// </summary>
public sealed class CsvReader : IDatasetReader
{
    private const int ChunkSize = 1 << 20;
    private readonly CsvOptions _options;
    private readonly byte _delimiter;
    private readonly byte[][] _missingTokens;

    /// <summary>Creates a reader with the given options (defaults: comma, empty cell is missing).</summary>
    public CsvReader(CsvOptions? options = null)
    {
        _options = options ?? new CsvOptions();
        if (_options.Delimiter > 127 || _options.Delimiter is '"' or '\r' or '\n')
        {
            throw Errors.Config("data.delimiter", $"'{_options.Delimiter}' cannot be a delimiter; use one ASCII character other than a quote or a line break.");
        }

        _delimiter = (byte)_options.Delimiter;
        _missingTokens = _options.MissingValues.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <inheritdoc />
    public string Format => "csv";

    /// <inheritdoc />
    public async Task ReadAsync(string path, IRecordSink sink, CancellationToken cancellationToken = default)
    {
        await using var stream = DataFiles.OpenRead(path);
        await ReadAsync(path, stream, sink, cancellationToken);
    }

    /// <summary>Reads delimited text from <paramref name="stream"/>; <paramref name="path"/> names it in errors.</summary>
    internal async Task ReadAsync(string path, Stream stream, IRecordSink sink, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var parser = new Parser(this, path, sink);
            int start = 0, end = 0;
            var eof = false;
            var first = true;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!eof)
                {
                    if (end == buffer.Length)
                    {
                        if (start > 0)
                        {
                            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                            end -= start;
                            start = 0;
                        }
                        else
                        {
                            buffer = Grow(buffer, end);
                        }
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                    eof = read == 0;
                    end += read;
                }

                if (first)
                {
                    start = parser.CheckStart(buffer.AsSpan(0, end), eof);
                    if (start < 0)
                    {
                        start = 0;
                        continue; // fewer than a few bytes read yet
                    }

                    first = false;
                }

                start += parser.Parse(buffer.AsSpan(start, end - start), eof, out var incompleteInQuote);
                if (eof)
                {
                    break;
                }

                if (end - start >= _options.MaxRecordBytes)
                {
                    throw parser.TooLong(incompleteInQuote);
                }
            }

            parser.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Grow(byte[] buffer, int used)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(buffer.Length * 2, ChunkSize), _options.MaxRecordBytes + ChunkSize));
        Buffer.BlockCopy(buffer, 0, bigger, 0, used);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private sealed class Parser(CsvReader reader, string path, IRecordSink sink)
    {
        private readonly SearchValues<byte> _stops = SearchValues.Create([reader._delimiter, (byte)'\n', (byte)'\r']);
        private Field[] _fields = new Field[64];
        private int[] _columnMap = [];
        private string[] _columnNames = [];
        private byte[] _scratch = new byte[256];
        private bool _headerSeen;
        private long _row;        // data rows emitted so far
        private long _line = 1;   // line where the next record starts

        /// <summary>Skips a UTF-8 BOM and refuses UTF-16 and binary files; -1 when more bytes are needed.</summary>
        public int CheckStart(ReadOnlySpan<byte> data, bool eof)
        {
            if (data.Length < 3 && !eof)
            {
                return -1;
            }

            if (data.Length == 0)
            {
                throw Errors.Data(path, "the file is empty; expected a header row and data rows.");
            }

            if (data.Length >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))
            {
                throw Errors.Data(path, "the file is UTF-16 encoded; save it as UTF-8.");
            }

            var probe = data[..Math.Min(data.Length, 8192)];
            if (probe.Contains((byte)0))
            {
                throw Errors.Data(path, "the file contains NUL bytes: it looks binary, not delimited text. Check the path and data.format.");
            }

            return data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        }

        /// <summary>Parses every complete record in <paramref name="data"/>; returns the bytes consumed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Parse(ReadOnlySpan<byte> data, bool eof, out bool incompleteInQuote)
        {
            var consumed = 0;
            incompleteInQuote = false;
            while (consumed < data.Length)
            {
                var length = Tokenize(data[consumed..], eof, out var count, out var lines, out incompleteInQuote);
                if (length < 0)
                {
                    break; // the record continues in bytes not read yet
                }

                Emit(data[consumed..], count);
                consumed += length;
                _line += lines;
            }

            return consumed;
        }

        public void Finish()
        {
            if (!_headerSeen)
            {
                throw Errors.Data(path, "the file has no header row.");
            }

            if (_row == 0)
            {
                throw Errors.Data(path, "the file has a header but no data rows.");
            }

            sink.EndFile();
        }

        public DataException TooLong(bool inQuote) => inQuote
            ? Errors.Data(path, $"line {At()}: a quoted field opened here does not close within {Mb(reader._options.MaxRecordBytes)}; check for a missing closing quote.")
            : Errors.Data(path, $"line {At()}: the record is longer than {Mb(reader._options.MaxRecordBytes)} without a line break; check data.delimiter and the file format.");

        private static string Mb(int bytes) => string.Format(CultureInfo.InvariantCulture, "{0} MiB", bytes / (1024 * 1024));

        private string At() => _headerSeen
            ? string.Format(CultureInfo.InvariantCulture, "{0} (row {1})", _line, _row + 1)
            : _line.ToString(CultureInfo.InvariantCulture);

        /// <summary>Finds the fields of the record at the start of <paramref name="data"/>; -1 if incomplete.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int Tokenize(ReadOnlySpan<byte> data, bool eof, out int count, out int lines, out bool inQuote)
        {
            count = 0;
            lines = 0;
            inQuote = false;
            var p = 0;
            while (true)
            {
                Field field;
                if (p < data.Length && data[p] == (byte)'"')
                {
                    var q = p + 1;
                    var escaped = false;
                    while (true)
                    {
                        var i = data[q..].IndexOf((byte)'"');
                        if (i < 0)
                        {
                            if (eof)
                            {
                                throw Errors.Data(path, $"line {At()}: a quoted field opened here never closes (end of file reached).");
                            }

                            inQuote = true;
                            return -1;
                        }

                        q += i;
                        if (q + 1 < data.Length && data[q + 1] == (byte)'"')
                        {
                            escaped = true;
                            q += 2;
                            continue;
                        }

                        if (q + 1 == data.Length && !eof)
                        {
                            inQuote = true;
                            return -1; // could be the first half of a doubled quote
                        }

                        break;
                    }

                    field = new Field(p + 1, q - p - 1, Quoted: true, escaped);
                    lines += data.Slice(p + 1, q - p - 1).Count((byte)'\n');
                    p = q + 1;
                    if (p < data.Length && data[p] != reader._delimiter && data[p] != (byte)'\n' && data[p] != (byte)'\r')
                    {
                        throw Errors.Data(path, $"line {At()}: unexpected character '{(char)data[p]}' after a closing quote; quotes inside a quoted field must be doubled (\"\").");
                    }
                }
                else
                {
                    var i = data[p..].IndexOfAny(_stops);
                    if (i < 0)
                    {
                        if (!eof)
                        {
                            return -1;
                        }

                        i = data.Length - p;
                    }

                    field = new Field(p, i, Quoted: false, Escaped: false);
                    p += i;
                }

                if (count == _fields.Length)
                {
                    Array.Resize(ref _fields, count * 2);
                }

                _fields[count++] = field;
                if (p == data.Length)
                {
                    if (!eof)
                    {
                        return -1;
                    }

                    return p;
                }

                var stop = data[p];
                if (stop == reader._delimiter)
                {
                    p++;
                    continue;
                }

                if (stop == (byte)'\r')
                {
                    if (p + 1 == data.Length && !eof)
                    {
                        return -1;
                    }

                    p += p + 1 < data.Length && data[p + 1] == (byte)'\n' ? 2 : 1;
                }
                else
                {
                    p++;
                }

                lines++;
                return p;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Emit(ReadOnlySpan<byte> data, int count)
        {
            if (!_headerSeen)
            {
                ReadHeader(data, count);
                return;
            }

            if (count == 1 && _fields[0].Length == 0 && !_fields[0].Quoted && _columnMap.Length > 1)
            {
                return; // a blank line
            }

            _row++;
            if (count != _columnMap.Length)
            {
                throw Errors.Data(path, string.Format(
                    CultureInfo.InvariantCulture,
                    "line {0} (row {1}): expected {2} fields as in the header, found {3}; check data.delimiter and quoting.",
                    _line, _row, _columnMap.Length, count));
            }

            for (var i = 0; i < count; i++)
            {
                var f = _fields[i];
                var cell = data.Slice(f.Start, f.Length);
                if (f.Escaped)
                {
                    cell = Unescape(cell);
                }

                if (cell.Length == 0 || IsMissingToken(cell))
                {
                    sink.Missing(_columnMap[i]);
                    continue;
                }

                if (!Utf8.IsValid(cell))
                {
                    throw Errors.Data(path, string.Format(
                        CultureInfo.InvariantCulture,
                        "line {0} (row {1}), column \"{2}\": invalid UTF-8; save the file as UTF-8.",
                        _line, _row, _columnNames[i]));
                }

                sink.Text(_columnMap[i], cell);
            }

            sink.EndRecord();
        }

        private void ReadHeader(ReadOnlySpan<byte> data, int count)
        {
            _headerSeen = true;
            sink.BeginFile(path);
            _columnMap = new int[count];
            _columnNames = new string[count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var f = _fields[i];
                var raw = data.Slice(f.Start, f.Length);
                if (f.Escaped)
                {
                    raw = Unescape(raw);
                }

                if (!Utf8.IsValid(raw))
                {
                    throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "header, field {0}: invalid UTF-8; save the file as UTF-8.", i + 1));
                }

                var name = Encoding.UTF8.GetString(raw).Trim();
                if (name.Length == 0)
                {
                    throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "header, field {0}: the column has no name.", i + 1));
                }

                if (!seen.Add(name))
                {
                    throw Errors.Data(path, $"header: the column name \"{name}\" appears twice.");
                }

                _columnNames[i] = name;
                _columnMap[i] = sink.Column(name);
            }
        }

        private bool IsMissingToken(ReadOnlySpan<byte> cell)
        {
            foreach (var token in reader._missingTokens)
            {
                if (cell.SequenceEqual(token))
                {
                    return true;
                }
            }

            return false;
        }

        private ReadOnlySpan<byte> Unescape(ReadOnlySpan<byte> quoted)
        {
            if (_scratch.Length < quoted.Length)
            {
                _scratch = new byte[Math.Max(quoted.Length, _scratch.Length * 2)];
            }

            var n = 0;
            for (var i = 0; i < quoted.Length; i++)
            {
                _scratch[n++] = quoted[i];
                if (quoted[i] == (byte)'"')
                {
                    i++; // skip the second quote of a doubled pair
                }
            }

            return _scratch.AsSpan(0, n);
        }
    }

    private readonly record struct Field(int Start, int Length, bool Quoted, bool Escaped);
}
