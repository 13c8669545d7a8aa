using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlOps.Monitoring;

/// <summary>What a prediction log held, per served version, as flat JSON Lines files of inputs.</summary>
/// <param name="Versions">Version → (flat inputs file, rows).</param>
/// <param name="Files">Log files read.</param>
/// <param name="Entries">Entries of this model in the window.</param>
/// <param name="Malformed">Lines that were not a log entry.</param>
/// <param name="FirstMalformed">Where the first one was (file:line).</param>
/// <param name="OutsideWindow">Entries older than the window.</param>
/// <param name="OtherModels">Entries of other models.</param>
/// <param name="PartialLast">True when a file ended mid-line (a crash while writing).</param>
public sealed record PredictionLogContents(
    IReadOnlyDictionary<string, (string File, long Rows)> Versions,
    int Files,
    long Entries,
    long Malformed,
    string? FirstMalformed,
    long OutsideWindow,
    long OtherModels,
    bool PartialLast);

/// <summary>
/// Reads the prediction log the server and <c>mlops predict</c> write (one JSON object per line:
/// time, model, version, inputs, outputs), rotated files, a folder or a glob, and splits the
/// logged input rows by the version that served them.
/// </summary>
public static class PredictionLogReader
{
    /// <summary>Reads every file; rows of <paramref name="model"/> logged at or after <paramref name="since"/> go to one flat file per version under <paramref name="folder"/>.</summary>
    /// <exception cref="DataException">No file matches.</exception>
    public static async Task<PredictionLogContents> ReadAsync(IReadOnlyList<string> files, string model, DateTimeOffset? since, string folder, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(folder);
        var writers = new Dictionary<string, (StreamWriter Writer, string Path, long Rows)>(StringComparer.Ordinal);
        long entries = 0, malformed = 0, outside = 0, others = 0;
        string? firstBad = null;
        var partial = false;
        try
        {
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
                        if (!root.TryGetProperty("model", out var m) || m.GetString() != model)
                        {
                            others++;
                            continue;
                        }

                        if (since is { } from && root.TryGetProperty("time", out var t) && t.TryGetDateTimeOffset(out var at) && at < from)
                        {
                            outside++;
                            continue;
                        }

                        var version = root.TryGetProperty("version", out var v) ? v.ValueKind == JsonValueKind.Number ? v.GetRawText() : v.GetString() ?? "unknown" : "unknown";
                        if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
                        {
                            malformed++;
                            firstBad ??= $"{file}:{i + 1}";
                            continue;
                        }

                        entries++;
                        if (!writers.TryGetValue(version, out var w))
                        {
                            var path = Path.Combine(folder, $"served-v{Safe(version)}.jsonl");
                            w = (new StreamWriter(path, false, new UTF8Encoding(false)), path, 0);
                        }

                        foreach (var row in inputs.EnumerateArray())
                        {
                            if (row.ValueKind != JsonValueKind.Object) continue;
                            await w.Writer.WriteLineAsync(row.GetRawText());
                            w.Rows++;
                        }

                        writers[version] = w;
                    }
                }
            }
        }
        finally
        {
            foreach (var (_, w) in writers) await w.Writer.DisposeAsync();
        }

        return new PredictionLogContents(writers.ToDictionary(p => p.Key, p => (p.Value.Path, p.Value.Rows), StringComparer.Ordinal), files.Count, entries, malformed, firstBad, outside, others, partial);
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

    private static string Safe(string version) => string.Concat(version.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_'));

    /// <summary>Parses 90m, 24h, 7d as a window length.</summary>
    public static TimeSpan ParseWindow(string text)
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

        throw Errors.Config("--since", $"'{text}' is not a window; write 90m, 24h or 7d.");
    }
}
