using System.Text.Json;
using MlOps.Data;
using MlOps.Evaluation;
using MlOps.Validation.Statistics;

namespace MlOps.Monitoring;

/// <summary>The rows one version served (in one window, or in all): profiles of its inputs and of its outputs.</summary>
public sealed class ServedTraffic
{
    private readonly JsonRowFeeder _inputs;
    private readonly JsonRowFeeder _outputs;

    /// <summary>Starts empty; <paramref name="source"/> names the rows in messages.</summary>
    public ServedTraffic(string source)
    {
        Source = source;
        Inputs.BeginFile(source);
        Outputs.BeginFile(source);
        _inputs = new JsonRowFeeder(Inputs);
        _outputs = new JsonRowFeeder(Outputs);
    }

    /// <summary>What the rows are (the log, a version, a window).</summary>
    public string Source { get; }

    /// <summary>The served inputs, column by column.</summary>
    public DatasetProfiler Inputs { get; } = new();

    /// <summary>The model's outputs, under predictions-file column names.</summary>
    public DatasetProfiler Outputs { get; } = new();

    /// <summary>Rows served.</summary>
    public long Rows => Inputs.Rows;

    /// <summary>Adds one input row.</summary>
    public void AddInput(JsonElement row) => _inputs.Row(row);

    /// <summary>Adds one output row.</summary>
    public void AddOutput(JsonElement row) => AddLogged(_outputs, row);

    /// <summary>
    /// Adds one logged output row (<c>{"probability", "label"}</c>, <c>{"label", "probabilities": {...}}</c>
    /// or <c>{"prediction"}</c>, as <see cref="Inference.PredictionLogEntry"/> writes them).
    /// </summary>
    private static void AddLogged(JsonRowFeeder feeder, JsonElement output)
    {
        if (output.ValueKind != JsonValueKind.Object) return;
        foreach (var p in output.EnumerateObject())
        {
            if (p.NameEquals("probabilities") && p.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var c in p.Value.EnumerateObject()) feeder.Cell(PredictionsFile.ClassPrefix + c.Name, c.Value);
            }
            else
            {
                feeder.Cell(p);
            }
        }

        feeder.Sink.EndRecord();
    }
}

/// <summary>Everything the log says about one served version: all its rows, its windows, and the labels that joined.</summary>
public sealed class VersionTraffic(string version, TimeSpan? window)
{
    /// <summary>The version.</summary>
    public string Version { get; } = version;

    /// <summary>All rows of the version in the read window.</summary>
    public ServedTraffic All { get; } = new($"v{version} prediction log");

    /// <summary>The rows per window, by the window's start (empty without --window).</summary>
    public SortedDictionary<DateTimeOffset, ServedTraffic> Windows { get; } = [];

    /// <summary>The logged outputs of rows whose label arrived.</summary>
    public JoinedPredictions Joined { get; } = new();

    /// <summary>The first and last logged time.</summary>
    public (DateTimeOffset First, DateTimeOffset Last)? Span { get; private set; }

    /// <summary>Adds one log entry of this version.</summary>
    public void Add(JsonElement entry, DateTimeOffset? time, JsonElement inputs, LabelJoin? labels)
    {
        ServedTraffic? slot = null;
        if (time is { } t)
        {
            Span = Span is { } s ? (t < s.First ? t : s.First, t > s.Last ? t : s.Last) : (t, t);
            if (window is { } w)
            {
                var start = new DateTimeOffset(t.UtcTicks - (t.UtcTicks % w.Ticks), TimeSpan.Zero);
                if (!Windows.TryGetValue(start, out slot)) Windows[start] = slot = new ServedTraffic($"v{Version} window {start:yyyy-MM-dd HH:mm}Z");
            }
        }

        // Inputs, outputs and keys are parallel arrays: walked together (indexing an array of objects is linear).
        var hasOutputs = entry.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Array;
        var hasKeys = entry.TryGetProperty("keys", out var k) && k.ValueKind == JsonValueKind.Array;
        using var outputs = hasOutputs ? o.EnumerateArray() : default;
        using var keys = hasKeys ? k.EnumerateArray() : default;
        var i = 0;
        foreach (var row in inputs.EnumerateArray())
        {
            All.AddInput(row);
            slot?.AddInput(row);
            JsonElement? key = hasKeys && keys.MoveNext() ? keys.Current : null;
            if (hasOutputs && outputs.MoveNext())
            {
                var output = outputs.Current;
                All.AddOutput(output);
                slot?.AddOutput(output);
                if (labels is not null)
                {
                    var at = labels.Find(entry, i, key, row);
                    if (at >= 0) Joined.Add(at, output);
                }
            }

            i++;
        }
    }
}

/// <summary>Profiles of served rows, merged from every worker that read them.</summary>
/// <param name="Inputs">The served inputs.</param>
/// <param name="Outputs">The model's outputs.</param>
/// <param name="Rows">Rows served.</param>
public sealed record TrafficProfile(DatasetProfile Inputs, DatasetProfile Outputs, long Rows)
{
    /// <summary>Merges the workers' parts of the same rows.</summary>
    public static TrafficProfile Combine(IReadOnlyList<ServedTraffic> parts)
    {
        var source = parts[0].Source;
        DatasetProfile Merge(Func<ServedTraffic, DatasetProfiler> of)
        {
            var built = parts.Select(p => of(p).Build(source)).ToList();
            if (built.Count == 1) return built[0];
            var merged = StatsFile.Merge(built);
            return new DatasetProfile { Source = source, Files = [source], Rows = merged.Rows, Columns = merged.Columns };
        }

        return new TrafficProfile(Merge(p => p.Inputs), Merge(p => p.Outputs), parts.Sum(p => p.Rows));
    }
}

/// <summary>One version's traffic as the monitor checks it: all its rows, its windows, its joined labels.</summary>
/// <param name="Version">The version.</param>
/// <param name="All">All its rows.</param>
/// <param name="Windows">Its rows per window, by start.</param>
/// <param name="Joined">Logged outputs whose labels arrived.</param>
/// <param name="Span">The first and last logged time.</param>
public sealed record ServedVersion(string Version, TrafficProfile All, SortedDictionary<DateTimeOffset, TrafficProfile> Windows, JoinedPredictions Joined, (DateTimeOffset First, DateTimeOffset Last)? Span)
{
    /// <summary>Combines what each worker saw of one version.</summary>
    public static ServedVersion Combine(string version, IReadOnlyList<VersionTraffic> parts)
    {
        var windows = new SortedDictionary<DateTimeOffset, TrafficProfile>();
        foreach (var start in parts.SelectMany(p => p.Windows.Keys).Distinct())
        {
            windows[start] = TrafficProfile.Combine(parts.Select(p => p.Windows.GetValueOrDefault(start)).OfType<ServedTraffic>().ToList());
        }

        var joined = new JoinedPredictions();
        foreach (var p in parts) joined.AddAll(p.Joined);
        var spans = parts.Select(p => p.Span).OfType<(DateTimeOffset First, DateTimeOffset Last)>().ToList();
        return new ServedVersion(version, TrafficProfile.Combine(parts.Select(p => p.All).ToList()), windows, joined, spans.Count == 0 ? null : (spans.Min(s => s.First), spans.Max(s => s.Last)));
    }
}
