using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Configuration;
using MlOps.Data;
using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;
using MlOps.Training;
using static System.FormattableString;

namespace MlOps.Benchmarks;

/// <summary>
/// The evaluate stage: scoring throughput for 1M rows with an ONNX model (against a bare ONNX
/// Runtime loop over the same rows: our overhead) and an ML.NET model; the paired bootstrap's
/// cost; and the verdict's rejection rates on synthetic cases.
/// </summary>
internal static class EvaluateBench
{
    private static readonly string[] Features = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];

    public static async Task RunAsync(int rows, string dir, bool scoringOnly = false)
    {
        var path = Path.Combine(dir, $"binary-{rows}.csv");
        if (!File.Exists(path)) TrainBench.Generate(path, rows, seed: 5);
        var table = await TableLoader.LoadAsync(new DatasetSource { Path = path }, new Dictionary<string, ColumnKind> { ["label"] = ColumnKind.Text });
        var all = Enumerable.Range(0, table.RowCount).ToArray();

        // A logistic regression on the eight numbers, as ONNX: MatMul + Add + Sigmoid.
        var onnxPath = Path.Combine(dir, "logistic.onnx");
        File.WriteAllBytes(onnxPath, OnnxWriter.Model(g =>
        {
            g.String(2, "logistic");
            g.Value(11, "features", OnnxWriter.FloatType, -1, Features.Length);
            g.Initializer("W", [Features.Length, 1], [0.8f, -0.6f, 0, 0, 0, 0, 0, 0]);
            g.Initializer("B", [1], [-0.1f]);
            g.Node("MatMul", ["features", "W"], "z");
            g.Node("Add", ["z", "B"], "logit");
            g.Node("Sigmoid", ["logit"], "probability");
            g.Value(12, "probability", OnnxWriter.FloatType, -1, 1);
        }, new Dictionary<string, string> { ["mlops.features"] = System.Text.Json.JsonSerializer.Serialize(Features), ["mlops.task"] = "binary" }));

        using var onnx = OnnxScorer.Load(onnxPath, ModelTask.Binary);
        onnx.Score(table, all[..1000]);
        Predictions predictions = null!;
        var ours = double.MaxValue;
        var sw = new Stopwatch();
        for (var i = 0; i < 5; i++)
        {
            sw.Restart();
            predictions = onnx.Score(table, all);
            ours = Math.Min(ours, sw.Elapsed.TotalSeconds);
        }

        var bare = Enumerable.Range(0, 5).Min(_ => BareOnnxLoop(onnxPath, table, all.Length));
        Console.WriteLine(Invariant($"onnx     {rows:N0} rows (best of 5): mlops {ours:0.000} s = {rows / ours:N0} rows/s; bare ONNX Runtime loop over the same matrix {bare:0.000} s = {rows / bare:N0} rows/s; overhead ratio {ours / bare:0.00}x"));
        if (scoringOnly) return;

        var train = await new Trainer(_ => { }).RunAsync(new TrainOptions
        {
            Data = new DatasetSource { Path = path },
            Task = ModelTask.Binary,
            Label = "label",
            Split = new SplitSettings { Key = "id" },
            Settings = new TrainSettings { Trainer = "sdca" },
            OutputDirectory = Path.Combine(dir, "eval-mlnet"),
        });
        using var mlnet = MlNetScorer.Load(train.ModelPath);
        mlnet.Score(table, all[..1000]);
        sw.Restart();
        var mlnetPredictions = mlnet.Score(table, all);
        var mlnetSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"mlnet    {rows:N0} rows (sdca model.zip, 10 columns incl. one-hot): {mlnetSeconds:0.00} s = {rows / mlnetSeconds:N0} rows/s"));

        var label = table.Find("label")!;
        var y = all.Select(r => label.Texts![r] == "1").ToArray();
        var candidate = LabeledPredictions.Binary(y, mlnetPredictions);
        var baseline = LabeledPredictions.Binary(y, predictions);
        foreach (var resamples in new[] { 100, 1000 })
        {
            sw.Restart();
            var boot = PairedBootstrap.Run(candidate, baseline, 0.5, resamples, 0.95, 42);
            Console.WriteLine(Invariant($"bootstrap {resamples,4} paired resamples x {rows:N0} rows, all 7 binary metrics for both models: {sw.Elapsed.TotalSeconds:0.0} s; roc-auc change interval [{boot.Delta["roc-auc"].Low:+0.0000;-0.0000}, {boot.Delta["roc-auc"].High:+0.0000;-0.0000}]"));
        }

        // Where the truth is known: how often the default gate (roc-auc, no significant regression,
        // 95 %) rejects an equal candidate (false reject; one-sided nominal 2.5 %) and a worse one.
        foreach (var (trialRows, trials) in new[] { (500, 400), (5_000, 200), (50_000, 100) })
        {
            foreach (var (name, signal) in new[] { ("equal (same signal)", 1.0), ("slightly worse (signal 0.95)", 0.95), ("worse (signal 0.85)", 0.85) })
            {
                var rate = BootstrapTrials.RejectionRate(trials: trials, rows: trialRows, candidateSignal: signal, resamples: 500, seed: 11);
                Console.WriteLine(Invariant($"verdict  {trialRows,6:N0} rows, candidate {name,-28}: rejected in {rate,6:P1} of {trials} trials"));
            }
        }

        Console.WriteLine(Invariant($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));
    }

    private static double BareOnnxLoop(string model, Table table, int n)
    {
        const int batch = 8192;
        var matrix = BareOnnx.RowMajor(table, Features, n);

        using var session = new InferenceSession(model);
        var output = new float[n];
        var sw = Stopwatch.StartNew();
        for (var start = 0; start < n; start += batch)
        {
            var count = Math.Min(batch, n - start);
            var tensor = new DenseTensor<float>(matrix.AsMemory(start * Features.Length, count * Features.Length), [count, Features.Length]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", tensor)]);
            var r = (DenseTensor<float>)results[0].AsTensor<float>();
            r.Buffer.Span.CopyTo(output.AsSpan(start));
        }

        return sw.Elapsed.TotalSeconds;
    }
}
