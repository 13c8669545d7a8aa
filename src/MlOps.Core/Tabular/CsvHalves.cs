using MlOps.Data;

namespace MlOps.Tabular;

/// <summary>
/// Reads one large CSV file as two halves at once, one per core: the first half from the start,
/// the second from the first line break after the middle behind a copy of the header. Only where a
/// line break always ends a record (no quote anywhere in the file); the halves' tables join into
/// exactly the table the whole file gives, or the caller reads it whole (<see cref="TableLoader.Concat"/>
/// says when), which also gives any error its file row.
/// </summary>
internal static class CsvHalves
{
    /// <summary>Files smaller than this are read on one thread: a second one would save little.</summary>
    public const long MinimumBytes = 16 << 20;

    /// <summary>The table, or null when this file is read whole instead.</summary>
    public static async Task<Table?> TryLoadAsync(DatasetSource source, string file, IReadOnlyDictionary<string, ColumnKind>? declared, SplitRule? split, CancellationToken cancellationToken, long minimumBytes = MinimumBytes)
    {
        if (Environment.ProcessorCount < 2 || source.ReaderFor(file) is not CsvReader reader) return null;
        var length = new FileInfo(file).Length;
        if (length < minimumBytes) return null;
        var (prefix, middle) = await FindAsync(file, length, cancellationToken);
        if (prefix is null || middle <= prefix.Length || middle >= length) return null;

        var loaders = new[] { new TableLoader(declared, split, source.NonFiniteAsMissing), new TableLoader(declared, split, source.NonFiniteAsMissing) };
        IRecordSink Sink(TableLoader loader) => source.Exclude.Count > 0 ? new ExcludingSink(loader, source.Exclude) : loader;
        var halves = new[]
        {
            Task.Run(() => ReadAsync(reader, file, [], 0, middle, Sink(loaders[0]), cancellationToken), cancellationToken),
            Task.Run(() => ReadAsync(reader, file, prefix, middle, length, Sink(loaders[1]), cancellationToken), cancellationToken),
        };
        try
        {
            await Task.WhenAll(halves);
        }
        catch (DataException)
        {
            return null; // read whole, the error names its row
        }

        return TableLoader.Concat(loaders[0], loaders[1]);
    }

    private static async Task ReadAsync(CsvReader reader, string file, byte[] prefix, long start, long end, IRecordSink sink, CancellationToken cancellationToken)
    {
        await using var stream = DataFiles.OpenRead(file);
        stream.Position = start;
        await using var range = new RangeStream(prefix, stream, end - start);
        await reader.ReadAsync(file, range, sink, cancellationToken);
    }

    // The header's bytes (through its line break, within the first read) and where the second half
    // starts (after the first line break at or past the middle); no header when the file holds a
    // quote, which could put a line break inside a field.
    private static async Task<(byte[]? Header, long Middle)> FindAsync(string file, long length, CancellationToken cancellationToken)
    {
        await using var stream = DataFiles.OpenRead(file);
        var buffer = new byte[1 << 20];
        byte[]? header = null;
        long at = 0, middle = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            if (span.Contains((byte)'"')) return (null, 0);
            if (at == 0 && span.IndexOf((byte)'\n') is var h and >= 0) header = span[..(h + 1)].ToArray();
            if (middle == 0 && at + read > length / 2)
            {
                var from = (int)Math.Max(0, (length / 2) - at);
                if (span[from..].IndexOf((byte)'\n') is var m and >= 0) middle = at + from + m + 1;
            }

            at += read;
        }

        return (header, middle);
    }

    /// <summary>A prefix, then <c>count</c> bytes of an inner stream from its position.</summary>
    private sealed class RangeStream(byte[] prefix, Stream inner, long count) : Stream
    {
        private int _prefixAt;
        private long _left = count;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefixAt < prefix.Length)
            {
                var n = Math.Min(buffer.Length, prefix.Length - _prefixAt);
                prefix.AsSpan(_prefixAt, n).CopyTo(buffer);
                _prefixAt += n;
                return n;
            }

            if (_left <= 0) return 0;
            var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            _left -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_prefixAt < prefix.Length) return Read(buffer.Span);
            if (_left <= 0) return 0;
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
