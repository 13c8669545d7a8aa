using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace MlOps.Serving;

/// <summary>
/// The prediction log for monitoring: one JSON line per sampled request (time, model, version,
/// inputs, outputs), written by one background writer so requests never wait on the disk. When
/// the writer falls behind, entries are dropped and counted rather than slowing requests.
/// </summary>
public sealed class PredictionLog : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _writer;
    private readonly double _sampleRate;
    private long _dropped;

    /// <summary>Opens (appends to) the log file.</summary>
    public PredictionLog(string path, double sampleRate)
    {
        _sampleRate = Math.Clamp(sampleRate, 0, 1);
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
        await using var file = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        await foreach (var line in _lines.Reader.ReadAllAsync())
        {
            await file.WriteLineAsync(line);
            if (_lines.Reader.Count == 0) await file.FlushAsync();
        }
    }
}
