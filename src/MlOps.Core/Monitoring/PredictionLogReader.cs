using System.Globalization;
using System.Text;
using System.Text.Json;

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

/// <summary>
/// Reads the prediction log the server and <c>mlops predict</c> write (one JSON object per line:
/// time, id, model, version, inputs, outputs), rotated files, a folder or a glob, handing each
/// entry of one model to the caller while counting every line it cannot use.
/// </summary>
public static class PredictionLogReader
{
    /// <summary>Reads every file; entries of <paramref name="model"/> logged at or after <paramref name="since"/> go to <paramref name="onEntry"/>.</summary>
    public static async Task<PredictionLogContents> ReadAsync(IReadOnlyList<string> files, string model, DateTimeOffset? since, LogEntryHandler onEntry, CancellationToken cancellationToken = default)
    {
        long entries = 0, malformed = 0, outside = 0, others = 0;
        string? firstBad = null;
        var partial = false;
        foreach (var file in files)
        {
            // Streamed line by line (logs are large); a last line without its newline was cut off while being written.
            var endsWithNewline = EndsWithNewline(file);
            using var reader = new StreamReader(file, Encoding.UTF8);
            var i = -1;
            var next = await reader.ReadLineAsync(cancellationToken);
            while (next is { } raw)
            {
                i++;
                next = await reader.ReadLineAsync(cancellationToken); // one line ahead, to know which is the last
                var line = raw.TrimEnd('\r');
                if (line.Length == 0) continue;
                var last = next is null && !endsWithNewline;
                if (!TryParse(line, out var entry))
                {
                    if (last) partial = true;
                    else
                    {
                        malformed++;
                        firstBad ??= $"{file}:{i + 1}";
                    }

                    continue;
                }

                using (entry)
                {
                    var root = entry!.RootElement;
                    if (!root.TryGetProperty("model", out var m) || !m.ValueEquals(model))
                    {
                        others++;
                        continue;
                    }

                    DateTimeOffset? time = root.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) ? at : null;
                    if (since is { } from && time < from)
                    {
                        outside++;
                        continue;
                    }

                    if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
                    {
                        malformed++;
                        firstBad ??= $"{file}:{i + 1}";
                        continue;
                    }

                    var version = root.TryGetProperty("version", out var v) ? v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString() ?? "unknown" : "unknown";
                    entries++;
                    onEntry(root, version, time, inputs);
                }
            }
        }

        return new PredictionLogContents(files.Count, entries, malformed, firstBad, outside, others, partial);
    }

    private static bool EndsWithNewline(string file)
    {
        using var stream = File.OpenRead(file);
        if (stream.Length == 0) return true;
        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() == '\n';
    }

    private static bool TryParse(string line, out JsonDocument? entry)
    {
        try
        {
            entry = JsonDocument.Parse(line);
            if (entry.RootElement.ValueKind == JsonValueKind.Object) return true;
            entry.Dispose();
        }
        catch (JsonException)
        {
        }

        entry = null;
        return false;
    }

    /// <summary>Parses 90m, 24h, 7d as a window length; <paramref name="option"/> names where it came from.</summary>
    public static TimeSpan ParseWindow(string text, string option = "--since")
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        if (text.Length > 1 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (unit)
            {
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }

        throw Errors.Config(option, $"'{text}' is not a window; write 90m, 24h or 7d.");
    }
}
