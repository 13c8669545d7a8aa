using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace MlOps.Serving;

/// <summary>
/// The prediction log for monitoring: one JSON line per sampled request (time, model, version,
/// inputs, outputs), written by one background writer so requests never wait on the disk. When
/// the writer falls behind, entries are dropped and counted rather than slowing requests. Past
/// <c>maxBytes</c> the file is rotated (predictions.jsonl → predictions.1.jsonl → ...), keeping
/// <c>keep</c> rotated files, so a folder or glob of the log reads every kept entry once.
/// </summary>
public sealed class PredictionLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _writer;
    private readonly double _sampleRate;
    private readonly long _maxBytes;
    private readonly int _keep;
    private long _dropped;

    /// <summary>Opens (appends to) the log file; <paramref name="maxBytes"/> 0 never rotates.</summary>
    public PredictionLog(string path, double sampleRate, long maxBytes = 0, int keep = 10)
    {
        _sampleRate = Math.Clamp(sampleRate, 0, 1);
        _maxBytes = maxBytes;
        _keep = Math.Max(1, keep);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        _writer = Task.Run(() => WriteAsync(path));
    }

    /// <summary>Entries dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>True when this request should be logged.</summary>
    public bool Sample() => _sampleRate >= 1 || Random.Shared.NextDouble() < _sampleRate;

    /// <summary>Queues one entry.</summary>
    public void Write(Action<Utf8JsonWriter> entry)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", DateTimeOffset.UtcNow);
            entry(w);
            w.WriteEndObject();
        }

        if (!_lines.Writer.TryWrite(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length))) Interlocked.Increment(ref _dropped);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer;
    }

    private async Task WriteAsync(string path)
    {
        var file = Open(path);
        var size = file.BaseStream.Length;
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync())
            {
                await file.WriteLineAsync(line);
                size += Encoding.UTF8.GetByteCount(line) + 1;
                if (_maxBytes > 0 && size >= _maxBytes)
                {
                    await file.DisposeAsync();
                    Rotate(path);
                    file = Open(path);
                    size = 0;
                }
                else if (_lines.Reader.Count == 0)
                {
                    await file.FlushAsync();
                }
            }
        }
        finally
        {
            await file.DisposeAsync();
        }
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));

    // predictions.jsonl → predictions.1.jsonl, .1 → .2, ...; the oldest beyond the kept count goes.
    private void Rotate(string path)
    {
        string Numbered(int n) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"{Path.GetFileNameWithoutExtension(path)}.{n}{Path.GetExtension(path)}");
        File.Delete(Numbered(_keep));
        for (var n = _keep - 1; n >= 1; n--)
        {
            if (File.Exists(Numbered(n))) File.Move(Numbered(n), Numbered(n + 1));
        }

        File.Move(path, Numbered(1));
    }
}
