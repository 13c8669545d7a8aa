using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Inference;

/// <summary>
/// The predict stage (batch inference): streams a dataset in chunks through a model (ONNX
/// batches use both cores), writes the predictions atomically (a failure leaves no partial file)
/// and appends a sample of rows to a prediction log in the server's format.
/// </summary>
public sealed class Predictor(Action<string> log)
{
    /// <summary>Runs the stage.</summary>
    public async Task<PredictResult> RunAsync(PredictOptions o, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var json = PredictionWriter.IsJson(o.Output);
        var binding = Training.RunRecord.BindingOf(o.Model.Run, o.ModelSettings);
        IModelScorer scorer = ModelLoader.Load(o.Model.ModelPath, o.Task, binding);
        long rows = 0, logged = 0;
        var sampler = new Random(17);
        var files = o.Data.ResolveFiles();
        log($"scoring {o.Data.Path} with {o.ModelName} {(o.ModelVersion == "file" ? o.Model.ModelPath : "v" + o.ModelVersion)}{(o.Shard is { } sh ? $" (shard {sh})" : string.Empty)}");
        try
        {
            using var logFile = o.PredictionLog is null ? null : new StreamWriter(new FileStream(o.PredictionLog, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
            await AtomicFile.WriteAsync(o.Output, async stream =>
            {
                await using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true); // AtomicFile flushes and moves it
                var writer = new PredictionWriter(text, json, o.Keys, o.ModelVersion, o.Time);
                var declared = ModelInputs.Kinds(scorer.Inputs).ToDictionary(StringComparer.Ordinal);
                foreach (var key in o.Keys) declared.TryAdd(key, ColumnKind.Text); // ids keep their form

                void Score(Table chunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (scorer is OnnxScorer { RowsUnavailable: not null })
                    {
                        // A matrix input nobody named takes the data's feature columns in file order, known from the first chunk.
                        scorer.Dispose();
                        scorer = ModelLoader.Load(o.Model.ModelPath, o.Task, binding with { DataColumns = ModelInputs.FeatureColumns(chunk, o.Label ?? string.Empty, null, o.Exclude.Concat(o.Keys).ToList()) });
                        if (scorer.RowsUnavailable is { } why) throw Errors.Data(o.Model.ModelPath, why);
                    }

                    var all = Enumerable.Range(0, chunk.RowCount).ToArray();
                    var p = scorer.Score(chunk, all);
                    var (nonFinite, first) = Metrics.MetricCalculator.NonFinite(p);
                    if (nonFinite > 0) throw Errors.Data(o.Model.ModelPath, $"the model gave {nonFinite} non-finite predictions (NaN or infinite), first at data rows {string.Join(", ", first.Select(i => rows + i + 1))}; missing or extreme inputs reach a model without an imputer.");
                    writer.Write(chunk, p);
                    if (logFile is not null && o.LogSampleRate > 0)
                    {
                        var sample = all.Where(_ => sampler.NextDouble() < o.LogSampleRate).ToArray();
                        foreach (var part in sample.Chunk(100))
                        {
                            logFile.WriteLine(Entry(o, chunk, scorer, p, part));
                            logged += part.Length;
                        }
                    }

                    rows += chunk.RowCount;
                }

                var sink = new ChunkedTableSink(declared, o.ChunkRows, o.Shard, Score, o.Data.NonFiniteAsMissing);
                await o.Data.ReadAsync(sink, files, null, cancellationToken);
                sink.Flush();
                await text.FlushAsync(cancellationToken);
            }, cancellationToken);
        }
        finally
        {
            scorer.Dispose();
        }

        log($"wrote {rows:N0} predictions to {o.Output}{(o.PredictionLog is null ? string.Empty : $"; {logged:N0} rows to the prediction log {o.PredictionLog}")}");
        return new PredictResult(o.Output, rows, logged, watch.Elapsed.TotalSeconds);
    }

    private static string Entry(PredictOptions o, Table chunk, IModelScorer scorer, Predictions p, int[] rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("time", o.Time);
            PredictionLogEntry.Write(w, null, o.ModelName, o.ModelVersion, chunk, scorer.Inputs.Select(i => i.Name).ToList(), rows, p, rows, o.Keys);
            w.WriteString("source", "batch");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
