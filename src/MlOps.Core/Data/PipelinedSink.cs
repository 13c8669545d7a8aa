using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace MlOps.Data;

/// <summary>
/// Reads on one thread and profiles on others. The reader (tokenizing CSV, decoding Parquet,
/// parsing JSON) calls this sink on its own thread; the cells are copied into batches of about
/// 1 MiB, and each of the inner sinks replays every batch on a thread of its own, in exactly the
/// order the cells came, taking the cells of the columns it owns (column index modulo the number
/// of sinks) and every structural call (files, records, columns). Each inner sink therefore holds
/// exactly the figures a single sink would hold for its columns, bit for bit; only the wall time
/// changes. Call <see cref="Complete"/> after the last file.
/// </summary>
public sealed class PipelinedSink : IRecordSink, IDisposable
{
    private const int BatchBytes = 1 << 20;
    private readonly Consumer[] _consumers;
    private readonly ConcurrentQueue<Batch> _free = new();
    private readonly Dictionary<(string Name, bool Element), int> _columns = [];
    private Batch _current = new();
    private volatile Exception? _error;
    private bool _completed;

    /// <summary>Starts one replaying thread per inner sink.</summary>
    public PipelinedSink(params IRecordSink[] inners)
    {
        _consumers = inners.Select((inner, i) => new Consumer(this, inner, i, inners.Length)).ToArray();
        foreach (var c in _consumers) c.Thread.Start();
    }

    private enum Op : byte
    {
        Column,
        Element,
        Warning,
        BeginFile,
        Text,
        Number,
        Boolean,
        Time,
        Missing,
        EndRecord,
        EndFile,
    }

    /// <inheritdoc />
    public int Column(string name) => Register(name, element: false);

    /// <inheritdoc />
    public int ElementColumn(string name) => Register(name, element: true);

    /// <inheritdoc />
    public void Warning(string message) => Strings(Op.Warning, message);

    /// <inheritdoc />
    public void BeginFile(string path) => Strings(Op.BeginFile, path);

    /// <inheritdoc />
    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        var span = Reserve(9 + utf8.Length);
        span[0] = (byte)Op.Text;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], column);
        BinaryPrimitives.WriteInt32LittleEndian(span[5..], utf8.Length);
        utf8.CopyTo(span[9..]);
    }

    /// <inheritdoc />
    public void Number(int column, double value, bool isInteger)
    {
        var span = Reserve(14);
        span[0] = (byte)Op.Number;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], column);
        BinaryPrimitives.WriteDoubleLittleEndian(span[5..], value);
        span[13] = isInteger ? (byte)1 : (byte)0;
    }

    /// <inheritdoc />
    public void Boolean(int column, bool value)
    {
        var span = Reserve(6);
        span[0] = (byte)Op.Boolean;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], column);
        span[5] = value ? (byte)1 : (byte)0;
    }

    /// <inheritdoc />
    public void Time(int column, double seconds, TimeKind kind)
    {
        var span = Reserve(14);
        span[0] = (byte)Op.Time;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], column);
        BinaryPrimitives.WriteDoubleLittleEndian(span[5..], seconds);
        span[13] = (byte)kind;
    }

    /// <inheritdoc />
    public void Missing(int column)
    {
        var span = Reserve(5);
        span[0] = (byte)Op.Missing;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], column);
    }

    /// <inheritdoc />
    public void EndRecord()
    {
        Reserve(1)[0] = (byte)Op.EndRecord;
        if (_current.Length >= BatchBytes) Hand();
    }

    /// <inheritdoc />
    public void EndFile() => Reserve(1)[0] = (byte)Op.EndFile;

    /// <summary>Waits until every cell has reached the inner sink; rethrows what the inner sink threw.</summary>
    public void Complete()
    {
        Finish();
        if (_error is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    /// <summary>Stops the replaying threads (after a failed read, once they have drained what was handed).</summary>
    public void Dispose()
    {
        Finish();
        foreach (var c in _consumers) c.Queue.Dispose();
    }

    private void Finish()
    {
        if (_completed) return;
        _completed = true;
        if (_current.Length > 0 && _error is null) Hand();
        foreach (var c in _consumers) c.Queue.CompleteAdding();
        foreach (var c in _consumers) c.Thread.Join();
    }

    private int Register(string name, bool element)
    {
        if (_columns.TryGetValue((name, element), out var index)) return index;
        index = _columns.Count;
        _columns[(name, element)] = index;
        Strings(element ? Op.Element : Op.Column, name);
        return index;
    }

    private void Strings(Op op, string text)
    {
        var span = Reserve(5);
        span[0] = (byte)op;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], _current.Strings.Count);
        _current.Strings.Add(text);
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_current.Length + bytes > _current.Data.Length)
        {
            if (_current.Length > 0) Hand();
            if (_current.Data.Length < bytes) _current.Data = new byte[bytes];
        }

        var span = _current.Data.AsSpan(_current.Length, bytes);
        _current.Length += bytes;
        return span;
    }

    private void Hand()
    {
        if (_error is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
        _current.Pending = _consumers.Length;
        foreach (var c in _consumers) c.Queue.Add(_current);
        if (!_free.TryDequeue(out var next)) next = new Batch();
        _current = next;
    }

    private void Done(Batch batch)
    {
        if (Interlocked.Decrement(ref batch.Pending) > 0) return;
        batch.Length = 0;
        batch.Strings.Clear();
        _free.Enqueue(batch);
    }

    private sealed class Consumer
    {
        private readonly List<int> _map = []; // the pipeline's column index -> the inner sink's
        private readonly PipelinedSink _owner;
        private readonly IRecordSink _inner;
        private readonly int _index;
        private readonly int _count;

        public Consumer(PipelinedSink owner, IRecordSink inner, int index, int count)
        {
            _owner = owner;
            _inner = inner;
            _index = index;
            _count = count;
            Thread = new Thread(Run) { IsBackground = true, Name = "mlops profile " + index };
        }

        public BlockingCollection<Batch> Queue { get; } = new(boundedCapacity: 4);

        public Thread Thread { get; }

        private void Run()
        {
            foreach (var batch in Queue.GetConsumingEnumerable())
            {
                // After a failure the rest is drained unread, so the reader never blocks on a full queue.
                if (_owner._error is null)
                {
                    try
                    {
                        Replay(batch);
                    }
                    catch (Exception e)
                    {
                        _owner._error = e;
                    }
                }

                _owner.Done(batch);
            }
        }

        // The inner column if this consumer owns it, else -1 (another consumer takes the cell).
        private int Owned(ReadOnlySpan<byte> data, int at)
        {
            var column = _map[BinaryPrimitives.ReadInt32LittleEndian(data[at..])];
            return column % _count == _index ? column : -1;
        }

        private void Replay(Batch batch)
        {
            var data = batch.Data.AsSpan(0, batch.Length);
            var i = 0;
            while (i < data.Length)
            {
                var op = (Op)data[i];
                int column;
                switch (op)
                {
                    case Op.Text:
                        var length = BinaryPrimitives.ReadInt32LittleEndian(data[(i + 5)..]);
                        if ((column = Owned(data, i + 1)) >= 0) _inner.Text(column, data.Slice(i + 9, length));
                        i += 9 + length;
                        break;
                    case Op.Number:
                        if ((column = Owned(data, i + 1)) >= 0) _inner.Number(column, BinaryPrimitives.ReadDoubleLittleEndian(data[(i + 5)..]), data[i + 13] == 1);
                        i += 14;
                        break;
                    case Op.Missing:
                        if ((column = Owned(data, i + 1)) >= 0) _inner.Missing(column);
                        i += 5;
                        break;
                    case Op.EndRecord:
                        _inner.EndRecord();
                        i += 1;
                        break;
                    case Op.Boolean:
                        if ((column = Owned(data, i + 1)) >= 0) _inner.Boolean(column, data[i + 5] == 1);
                        i += 6;
                        break;
                    case Op.Time:
                        if ((column = Owned(data, i + 1)) >= 0) _inner.Time(column, BinaryPrimitives.ReadDoubleLittleEndian(data[(i + 5)..]), (TimeKind)data[i + 13]);
                        i += 14;
                        break;
                    case Op.EndFile:
                        _inner.EndFile();
                        i += 1;
                        break;
                    default:
                        var text = batch.Strings[BinaryPrimitives.ReadInt32LittleEndian(data[(i + 1)..])];
                        switch (op)
                        {
                            case Op.Column: _map.Add(_inner.Column(text)); break;
                            case Op.Element: _map.Add(_inner.ElementColumn(text)); break;
                            case Op.Warning: _inner.Warning(text); break;
                            default: _inner.BeginFile(text); break;
                        }

                        i += 5;
                        break;
                }
            }
        }
    }

    private sealed class Batch
    {
        public int Pending;

        public byte[] Data { get; set; } = new byte[BatchBytes + 4096];

        public int Length { get; set; }

        public List<string> Strings { get; } = [];
    }
}
