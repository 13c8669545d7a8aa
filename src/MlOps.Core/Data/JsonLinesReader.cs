using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlOps.Data;

/// <summary>
/// Streams JSON Lines: one object per line whose properties are the columns. Keys may differ
/// between lines (an absent key is a missing cell). Nested values are flattened the way Parquet's
/// are: an object's fields are <c>a.b</c>, an array is its length at <c>a</c> with its elements at
/// <c>a[]</c> (or <c>a[].field</c> for objects) for sinks that take elements. A line of the
/// prediction log (<c>{"time", ..., "inputs": [row, ...]}</c>, as <c>mlops serve</c> and
/// <c>mlops predict</c> write it) is read as its input rows, so the log is a dataset too.
/// </summary>
public sealed class JsonLinesReader : IDatasetReader
{
    private const int ChunkSize = 1 << 20;
    private readonly int _maxLineBytes;

    /// <summary>Creates a reader; lines longer than <paramref name="maxLineBytes"/> are refused.</summary>
    public JsonLinesReader(int maxLineBytes = 32 * 1024 * 1024) => _maxLineBytes = maxLineBytes;

    /// <inheritdoc />
    public string Format => "jsonl";

    /// <inheritdoc />
    public async Task ReadAsync(string path, IRecordSink sink, CancellationToken cancellationToken = default)
    {
        await using var stream = DataFiles.OpenRead(path);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var parser = new LineParser(path, sink);
        try
        {
            int start = 0, end = 0;
            var eof = false;
            var first = true;
            while (!eof)
            {
                cancellationToken.ThrowIfCancellationRequested();
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
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, _maxLineBytes + ChunkSize));
                        Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
                eof = read == 0;
                end += read;
                if (first && (end >= 3 || eof))
                {
                    first = false;
                    if (end == 0)
                    {
                        throw Errors.Data(path, "the file is empty; expected one JSON object per line.");
                    }

                    if (buffer.AsSpan(0, Math.Min(end, 8192)).Contains((byte)0))
                    {
                        throw Errors.Data(path, "the file contains NUL bytes: it looks binary, not JSON Lines. Check the path and data.format.");
                    }

                    if (buffer.AsSpan(0, end).StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                    {
                        start = 3;
                    }
                }

                while (true)
                {
                    var span = buffer.AsSpan(start, end - start);
                    var nl = span.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        if (eof && span.Length > 0)
                        {
                            parser.Line(span);
                            start = end;
                        }

                        break;
                    }

                    parser.Line(span[..nl]);
                    start += nl + 1;
                }

                if (!eof && end - start >= _maxLineBytes)
                {
                    throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "line {0}: longer than {1} MiB without a line break; is this JSON Lines?", parser.LineNumber + 1, _maxLineBytes / (1024 * 1024)));
                }
            }

            parser.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class LineParser(string path, IRecordSink sink)
    {
        private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _elements = new(StringComparer.Ordinal);
        private readonly HashSet<string> _objects = new(StringComparer.Ordinal);
        private readonly List<(byte[] Name, int Column)> _recent = [];
        private byte[] _scratch = new byte[256];
        private JsonRowFeeder? _feeder;
        private bool _begun;
        private long _rows;

        public long LineNumber { get; private set; }

        public void Line(ReadOnlySpan<byte> line)
        {
            LineNumber++;
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Trim((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t']).IsEmpty)
            {
                return;
            }

            if (!_begun)
            {
                _begun = true;
                sink.BeginFile(path);
            }

            _rows++;
            try
            {
                if (line.StartsWith("{\"time\":"u8) && line.IndexOf("\"inputs\":["u8) > 0)
                {
                    LogEntry(line);
                    return;
                }

                ParseObject(line);
            }
            catch (JsonException e)
            {
                var column = e.BytePositionInLine is { } b ? string.Format(CultureInfo.InvariantCulture, ", byte {0}", b + 1) : string.Empty;
                throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "line {0}{1}: invalid JSON ({2})", LineNumber, column, FirstSentence(e.Message)));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "line {0}: invalid UTF-8; save the file as UTF-8.", LineNumber));
            }

            sink.EndRecord();
        }

        public void Finish()
        {
            if (_rows == 0)
            {
                throw Errors.Data(path, "the file has no JSON objects (only blank lines).");
            }

            sink.EndFile();
        }

        // One record per logged input row; the entry's other fields (time, version, outputs) are not columns.
        private void LogEntry(ReadOnlySpan<byte> line)
        {
            using var entry = JsonDocument.Parse(line.ToArray());
            _feeder ??= new JsonRowFeeder(sink);
            foreach (var row in entry.RootElement.GetProperty("inputs").EnumerateArray())
            {
                if (row.ValueKind == JsonValueKind.Object) _feeder.Row(row);
            }
        }

        private static string FirstSentence(string message)
        {
            var i = message.IndexOf(". ", StringComparison.Ordinal);
            return (i > 0 ? message[..i] : message).TrimEnd('.');
        }

        private void ParseObject(ReadOnlySpan<byte> line)
        {
            var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "line {0}: expected a JSON object ({{...}}) per line.", LineNumber));
            }

            var position = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // An object is only a prefix for its fields: it gets no column of its own.
                var name = reader;
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var prefix = name.GetString()!;
                    _objects.Add(prefix);
                    Fields(ref reader, prefix, element: false);
                    position++;
                    continue;
                }

                // A null where other lines hold an object: its fields are missing, not a column.
                if (reader.TokenType == JsonTokenType.Null && _objects.Count > 0 && _objects.Contains(name.GetString()!))
                {
                    position++;
                    continue;
                }

                var column = ColumnOf(ref name, position++);
                if (reader.TokenType == JsonTokenType.StartArray) Nested(ref reader, name.GetString()!, column);
                else Scalar(ref reader, column);
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw Errors.Data(path, string.Format(CultureInfo.InvariantCulture, "line {0}: expected exactly one JSON object on the line.", LineNumber));
            }
        }

        // The reader is on the StartArray of the property whose column (its length) is given.
        private void Nested(ref Utf8JsonReader reader, string name, int column)
        {
            var length = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                length++;
                Element(ref reader, name + "[]");
            }

            sink.Number(column, length, true);
        }

        private void Fields(ref Utf8JsonReader reader, string prefix, bool element)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = prefix + "." + reader.GetString();
                reader.Read();
                if (element)
                {
                    Element(ref reader, name);
                    continue;
                }

                if (reader.TokenType == JsonTokenType.StartObject) Fields(ref reader, name, element: false);
                else if (reader.TokenType == JsonTokenType.StartArray) Nested(ref reader, name, Named(name));
                else Scalar(ref reader, Named(name));
            }
        }

        // A value inside an array: elements go to element columns, which sinks may decline (-1).
        private void Element(ref Utf8JsonReader reader, string name)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Fields(ref reader, name, element: true);
                    break;
                case JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray) Element(ref reader, name + "[]");
                    break;
                default:
                    if (!_elements.TryGetValue(name, out var column)) _elements[name] = column = sink.ElementColumn(name);
                    if (column >= 0) Scalar(ref reader, column);
                    break;
            }
        }

        private int Named(string name)
        {
            if (!_columns.TryGetValue(name, out var column)) _columns[name] = column = sink.Column(name);
            return column;
        }

        // A string, number, boolean or null; strings without escapes reach the sink as the line's own bytes.
        private void Scalar(ref Utf8JsonReader reader, int column)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (reader.ValueIsEscaped)
                    {
                        if (_scratch.Length < reader.ValueSpan.Length) _scratch = new byte[reader.ValueSpan.Length * 2];
                        var n = reader.CopyString(_scratch);
                        if (n == 0) sink.Missing(column);
                        else sink.Text(column, _scratch.AsSpan(0, n));
                    }
                    else if (reader.ValueSpan.Length == 0)
                    {
                        sink.Missing(column);
                    }
                    else
                    {
                        if (!System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)) throw new ArgumentException("utf8");
                        sink.Text(column, reader.ValueSpan);
                    }

                    break;
                case JsonTokenType.Number:
                    sink.Number(column, reader.GetDouble(), reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0);
                    break;
                case JsonTokenType.True:
                case JsonTokenType.False:
                    sink.Boolean(column, reader.TokenType == JsonTokenType.True);
                    break;
                default:
                    sink.Missing(column);
                    break;
            }
        }

        private int ColumnOf(ref Utf8JsonReader reader, int position)
        {
            // Lines usually repeat the same keys in the same order: compare bytes, allocate nothing.
            if (position < _recent.Count && !reader.ValueIsEscaped && reader.ValueTextEquals(_recent[position].Name))
            {
                return _recent[position].Column;
            }

            var name = reader.GetString()!;
            if (!_columns.TryGetValue(name, out var column))
            {
                column = sink.Column(name);
                _columns[name] = column;
            }

            var entry = (Encoding.UTF8.GetBytes(name), column);
            if (position < _recent.Count) _recent[position] = entry;
            else if (position == _recent.Count) _recent.Add(entry);
            return column;
        }
    }
}
