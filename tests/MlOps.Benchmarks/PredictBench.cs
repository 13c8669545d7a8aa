using System.Diagnostics;
using MlOps.Data;
using MlOps.Evaluation;
using MlOps.Inference;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;
using MlOps.Training;
using static System.FormattableString;

namespace MlOps.Benchmarks;

/// <summary>
/// mlops predict over 1M CSV rows with an ONNX and an ML.NET model, end to end (read, score,
/// write CSV); beside it, what the same file costs just to read into a table, and a bare ONNX
/// Runtime loop over the already-built matrix (the scoring floor).
/// </summary>
internal static class PredictBench
{
    private static readonly string[] Features = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];

    public static async Task RunAsync(int rows, string dir)
    {
        var path = Path.Combine(dir, $"binary-{rows}.csv");
        if (!File.Exists(path)) TrainBench.Generate(path, rows, seed: 5);
        var onnxPath = Path.Combine(dir, "predict-logistic.onnx");
        File.WriteAllBytes(onnxPath, OnnxWriter.Exported("pytorch", new Dictionary<string, long> { [string.Empty] = 17 }, g =>
        {
            g.String(2, "logistic");
            g.NamedValue(11, "input", OnnxWriter.FloatType, "batch_size", -1, Features.Length);
            g.Initializer("W", [Features.Length, 1], [0.8f, -0.6f, 0, 0, 0, 0, 0, 0]);
            g.Initializer("B", [1], [-0.1f]);
            g.Op("MatMul", ["input", "W"], ["z"]);
            g.Op("Add", ["z", "B"], ["logit"]);
            g.Op("Sigmoid", ["logit"], ["probability"]);
            g.NamedValue(12, "probability", OnnxWriter.FloatType, "batch_size", -1, 1);
        }));

        var read = Stopwatch.StartNew();
        var table = await TableLoader.LoadAsync(new DatasetSource { Path = path });
        var readSeconds = read.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"read     {rows:N0} CSV rows into a table (no scoring): {readSeconds:0.00} s"));
        var bare = BareLoop(onnxPath, table, rows);
        Console.WriteLine(Invariant($"bare     ONNX Runtime loop over the prepared [N, 8] matrix: {bare:0.000} s"));

        var model = new ModelSettings { Features = Features };
        foreach (var (label, modelPath, settings) in new[] { ("onnx  ", onnxPath, model), ("mlnet ", await MlNetModelAsync(path, dir), new ModelSettings()) })
        {
            GC.Collect();
            var output = Path.Combine(dir, "predictions.csv");
            var result = await new Predictor(_ => { }).RunAsync(new PredictOptions
            {
                Data = new DatasetSource { Path = path },
                Model = new ModelLocation(modelPath, null),
                Task = ModelTask.Binary,
                Label = "label",
                ModelSettings = settings,
                Keys = ["id"],
                Output = output,
            });
            Console.WriteLine(Invariant($"predict  {label} {result.Rows:N0} rows, CSV in → CSV out (id, label, probability, version, time): {result.Seconds:0.00} s = {result.Rows / result.Seconds:N0} rows/s; {result.Seconds / readSeconds:0.00}x the read alone; output {new FileInfo(output).Length / 1e6:0} MB"));
        }

        Console.WriteLine(Invariant($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB (the table read above holds all 1M rows; predict holds one 64k-row chunk)"));
    }

    private static async Task<string> MlNetModelAsync(string path, string dir)
    {
        var train = await new Trainer(_ => { }).RunAsync(new TrainOptions
        {
            Data = new DatasetSource { Path = path },
            Task = ModelTask.Binary,
            Label = "label",
            Split = new MlOps.Data.SplitSettings { Key = "id" },
            Settings = new TrainSettings { Trainer = "sdca" },
            OutputDirectory = Path.Combine(dir, "predict-mlnet"),
        });
        return train.ModelPath;
    }

    private static double BareLoop(string model, Table table, int n)
    {
        const int batch = 16384;
        var columns = Features.Select(f => table.Find(f)!.Numbers!).ToArray();
        var matrix = new float[n * Features.Length];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < Features.Length; c++) matrix[(i * Features.Length) + c] = columns[c][i];
        }

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(model);
        using var options = new Microsoft.ML.OnnxRuntime.RunOptions();
        var sw = Stopwatch.StartNew();
        for (var start = 0; start < n; start += batch)
        {
            var count = Math.Min(batch, n - start);
            using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(Microsoft.ML.OnnxRuntime.OrtMemoryInfo.DefaultInstance, matrix.AsMemory(start * Features.Length, count * Features.Length), [count, Features.Length]);
            using var results = session.Run(options, ["input"], [input], ["probability"]);
        }

        return sw.Elapsed.TotalSeconds;
    }
}
