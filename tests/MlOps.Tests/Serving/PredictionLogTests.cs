using System.Text.Json;
using MlOps.Monitoring;
using MlOps.Serving;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

/// <summary>The prediction log rotates by size, keeps what it promised, and a folder of it reads every kept entry once.</summary>
public class PredictionLogTests
{
    private static async Task WriteAsync(string path, int entries, long maxBytes, int keep)
    {
        await using var log = new PredictionLog(path, 1, maxBytes, keep);
        for (var i = 0; i < entries; i++)
        {
            log.Write(w =>
            {
                w.WriteString("model", "m");
                w.WriteString("version", "1");
                w.WriteStartArray("inputs");
                w.WriteStartObject();
                w.WriteNumber("i", i);
                w.WriteEndObject();
                w.WriteEndArray();
            });
            await Task.Delay(1); // let the writer keep up (a full queue drops, by design)
        }
    }

    [Fact]
    public async Task Rotation_keeps_every_entry_across_files_and_the_monitor_reads_the_folder_once()
    {
        using var dir = new TempDir();
        var path = dir.Combine("logs/predictions.jsonl");
        await WriteAsync(path, 60, maxBytes: 1500, keep: 100);
        var files = Directory.GetFiles(dir.Combine("logs")).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 3, string.Join(", ", files));
        Assert.Contains(dir.Combine("logs/predictions.1.jsonl"), files);
        Assert.All(files, f => Assert.True(new FileInfo(f).Length < 1500 + 200, f));
        var values = files.SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("inputs")[0].GetProperty("i").GetInt32()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 60), values);

        var read = new List<int>();
        var contents = await PredictionLogReader.ReadAsync(new MlOps.Data.DatasetSource { Path = dir.Combine("logs"), Format = MlOps.Data.DataFormat.JsonLines }.ResolveFiles(), "m", null, (_, _, _, inputs) => read.Add(inputs[0].GetProperty("i").GetInt32()));
        Assert.Equal(60, contents.Entries);
        Assert.Equal(Enumerable.Range(0, 60), read.Order());
    }

    [Fact]
    public async Task Retention_drops_the_oldest_rotated_files_only()
    {
        using var dir = new TempDir();
        var path = dir.Combine("predictions.jsonl");
        await WriteAsync(path, 60, maxBytes: 1000, keep: 2);
        Assert.Equal(["predictions.1.jsonl", "predictions.2.jsonl", "predictions.jsonl"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var newest = File.ReadAllLines(path).Concat(File.ReadAllLines(dir.Combine("predictions.1.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("inputs")[0].GetProperty("i").GetInt32()).ToList();
        Assert.Contains(59, newest); // the newest entries survive
    }
}
