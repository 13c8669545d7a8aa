using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace MlOps.Monitoring;

/// <summary>What a prediction log held: the counts behind every row the monitor compared, and every line it could not.</summary>
/// <param name="Files">Log files read.</param>
/// <param name="Entries">Entries of this model in the window.</param>
/// <param name="Malformed">Lines that were not a log entry.</param>
/// <param name="FirstMalformed">Where the first one was (file:line).</param>
/// <param name="OutsideWindow">Entries older than the window.</param>
/// <param name="OtherModels">Entries of other models.</param>
/// <param name="PartialLast">True when a file ended mid-line (a crash while writing).</param>
public sealed record PredictionLogContents(
    int Files,
    long Entries,
    long Malformed,
    string? FirstMalformed,
    long OutsideWindow,
    long OtherModels,
    bool PartialLast);

/// <summary>One entry of the model in the window: the whole entry, the version that served it, its time and its input rows.</summary>
public delegate void LogEntryHandler(JsonElement entry, string version, DateTimeOffset? time, JsonElement inputs);

/// <summary>One entry, handed to the worker's own state (each worker has one; the caller merges them).</summary>
public delegate void LogEntryHandler<in TState>(TState state, JsonElement entry, string version, DateTimeOffset? time, JsonElement inputs);

/// <summary>
/// Reads the prediction log the server and <c>mlops predict</c> write (one JSON object per line:
/// time, id, model, version, inputs, outputs), rotated files, a folder or a glob, handing each
/// entry of one model to the caller while counting every line it cannot use. Lines are read as
/// UTF-8 bytes and parsed on every core: batches of lines go to the workers in turn, so which
/// worker sees which entry depends on the log alone, never on timing.
/// </summary>
public static class PredictionLogReader
{
    private const int BatchBytes = 1 << 20;
    private const int BatchLines = 4096;

    /// <summary>Reads every file on one thread; entries of <paramref name="model"/> logged at or after <paramref name="since"/> go to <paramref name="onEntry"/> in log order.</summary>
    public static async Task<PredictionLogContents> ReadAsync(IReadOnlyList<string> files, string model, DateTimeOffset? since, LogEntryHandler onEntry, CancellationToken cancellationToken = default) =>
        (await ReadAsync(files, model, since, () => onEntry, (handler, entry, version, time, inputs) => handler(entry, version, time, inputs), 1, cancellationToken)).Contents;

    /// <summary>Reads every file with <paramref name="workers"/> workers, each with the state <paramref name="create"/> makes; returns the counts and the states in worker order.</summary>
    public static async Task<(PredictionLogContents Contents, IReadOnlyList<TState> States)> ReadAsync<TState>(IReadOnlyList<string> files, string model, DateTimeOffset? since, Func<TState> create, LogEntryHandler<TState> onEntry, int workers, CancellationToken cancellationToken = default)
    {
        workers = Math.Max(1, workers);
        var modelUtf8 = Encoding.UTF8.GetBytes(model);
        var channels = Enumerable.Range(0, workers).Select(_ => Channel.CreateBounded<LineBatch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true })).ToArray();
        var tallies = new Tally[workers];
        var states = new TState[workers];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = Enumerable.Range(0, workers).Select(w => Task.Run(
            async () =>
            {
                try
                {
                    var tally = new Tally();
                    var state = create();
                    await foreach (var batch in channels[w].Reader.ReadAllAsync(stop.Token))
                    {
                        try
                        {
                            foreach (var line in batch.Lines) Entry(batch.Buffer.AsMemory(line.Start, line.Length), line, modelUtf8, since, state, onEntry, tally);
                        }
                        finally
                        {
                            ArrayPool<byte>.Shared.Return(batch.Buffer);
                        }
                    }

                    tallies[w] = tally;
                    states[w] = state;
                }
                catch
                {
                    stop.Cancel(); // the reader must not wait on a worker that is gone
                    throw;
                }
            },
            CancellationToken.None)).ToArray();

        try
        {
            var next = 0;
            for (var f = 0; f < files.Count; f++)
            {
                await foreach (var batch in BatchesAsync(files[f], f, stop.Token))
                {
                    await channels[next].Writer.WriteAsync(batch, stop.Token);
                    next = (next + 1) % workers;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A worker failed: its exception is rethrown below.
        }
        finally
        {
            foreach (var c in channels) c.Writer.TryComplete();
        }

        await Task.WhenAll(running);
        var bad = tallies.Where(t => t.FirstMalformed is not null).Select(t => t.FirstMalformed!.Value).DefaultIfEmpty((-1, 0L)).Min();
        var contents = new PredictionLogContents(
            files.Count,
            tallies.Sum(t => t.Entries),
            tallies.Sum(t => t.Malformed),
            bad.Item1 < 0 ? null : $"{files[bad.Item1]}:{bad.Item2}",
            tallies.Sum(t => t.Outside),
            tallies.Sum(t => t.Others),
            tallies.Any(t => t.Partial));
        return (contents, states);
    }

    private static void Entry<TState>(ReadOnlyMemory<byte> bytes, LineRef line, byte[] model, DateTimeOffset? since, TState state, LogEntryHandler<TState> onEntry, Tally tally)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
        }

        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document?.Dispose();
            if (line.Last) tally.Partial = true; // a file cut off mid-line: read up to its last whole line
            else tally.Bad(line.File, line.Number);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("model", out var m) || !m.ValueEquals(model))
            {
                tally.Others++;
                return;
            }

            DateTimeOffset? time = root.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) ? at : null;
            if (since is { } from && time < from)
            {
                tally.Outside++;
                return;
            }

            if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
            {
                tally.Bad(line.File, line.Number);
                return;
            }

            var version = root.TryGetProperty("version", out var v) ? v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString() ?? "unknown" : "unknown";
            tally.Entries++;
            onEntry(state, root, version, time, inputs);
        }
    }

    // Splits a file into batches of whole lines (about 1 MiB or 4,096 lines each; a longer line is a batch alone).
    private static async IAsyncEnumerable<LineBatch> BatchesAsync(string path, int file, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, useAsync: false);
        var buffer = ArrayPool<byte>.Shared.Rent(BatchBytes * 2);
        int filled = 0;
        long number = 0;
        var eof = false;
        try
        {
            while (!eof)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    Buffer.BlockCopy(buffer, 0, bigger, 0, filled);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                eof = read == 0;
                filled += read;

                // Whole lines only; at the end of the file the rest is the last line, whole or not.
                var end = eof ? filled : buffer.AsSpan(0, filled).LastIndexOf((byte)'\n') + 1;
                if (end <= 0 || (!eof && end < BatchBytes && filled < buffer.Length)) continue;

                var lines = new List<LineRef>();
                var position = 0;
                while (position < end)
                {
                    var nl = buffer.AsSpan(position, end - position).IndexOf((byte)'\n');
                    var length = nl < 0 ? end - position : nl;
                    number++;
                    var text = buffer.AsSpan(position, length).TrimEnd((byte)'\r');
                    if (!text.Trim((ReadOnlySpan<byte>)[(byte)' ', (byte)'\t']).IsEmpty)
                    {
                        lines.Add(new LineRef(position, text.Length, file, number, Last: nl < 0));
                    }

                    position += length + 1;
                    if (lines.Count >= BatchLines || (position < end && position >= BatchBytes)) break;
                }

                position = Math.Min(position, end);
                var batch = ArrayPool<byte>.Shared.Rent(Math.Max(1, position));
                Buffer.BlockCopy(buffer, 0, batch, 0, position);
                if (lines.Count > 0) yield return new LineBatch(batch, lines);
                else ArrayPool<byte>.Shared.Return(batch);
                Buffer.BlockCopy(buffer, position, buffer, 0, filled - position);
                filled -= position;
                if (eof && filled > 0) eof = false; // lines left in the buffer: split them next round
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record LineBatch(byte[] Buffer, List<LineRef> Lines);

    private readonly record struct LineRef(int Start, int Length, int File, long Number, bool Last);

    private sealed class Tally
    {
        public long Entries { get; set; }

        public long Malformed { get; private set; }

        public long Outside { get; set; }

        public long Others { get; set; }

        public bool Partial { get; set; }

        public (int File, long Line)? FirstMalformed { get; private set; }

        public void Bad(int file, long line)
        {
            Malformed++;
            if (FirstMalformed is null || (file, line).CompareTo(FirstMalformed.Value) < 0) FirstMalformed = (file, line);
        }
    }
}
