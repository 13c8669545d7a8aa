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

        await MonitorAsync(path, onnxPath, dir, model);
        Console.WriteLine(Invariant($"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB (the table read above holds all 1M rows; predict holds one 64k-row chunk)"));
    }

    // mlops monitor over a prediction log of every row (written by predict at sample rate 1), against
    // the registered version's stats.json; beside it, validate of the same rows as CSV against the same stats.
    private static async Task MonitorAsync(string path, string onnxPath, string dir, ModelSettings model)
    {
        var registryDir = Path.Combine(dir, "monitor-registry");
        if (Directory.Exists(registryDir)) Directory.Delete(registryDir, recursive: true);
        var registry = new MlOps.Registry.ModelRegistry(new MlOps.Registry.LocalFolderStore(registryDir));
        var validation = Path.Combine(dir, "monitor-validation");
        var validateWatch = Stopwatch.StartNew();
        await new MlOps.Validation.Validator(_ => { }).RunAsync(new MlOps.Validation.ValidateOptions { Data = new DatasetSource { Path = path }, OutputDirectory = validation, Baseline = null });
        var validateSeconds = validateWatch.Elapsed.TotalSeconds;
        var log = Path.Combine(dir, "monitor-log.jsonl");
        File.Delete(log);
        await new Predictor(_ => { }).RunAsync(new PredictOptions
        {
            Data = new DatasetSource { Path = path },
            Model = new ModelLocation(onnxPath, null),
            ModelName = "bench",
            ModelVersion = "1",
            Task = ModelTask.Binary,
            Label = "label",
            ModelSettings = model,
            Output = Path.Combine(dir, "monitor-predictions.csv"),
            PredictionLog = log,
            LogSampleRate = 1,
        });
        // The reference for prediction drift: the same predictions' statistics (evaluate writes these at register time).
        var scored = await new MlOps.Validation.Validator(_ => { }).ProfileAsync(new DatasetSource { Path = Path.Combine(dir, "monitor-predictions.csv") }, null, null);
        var predictionStats = Path.Combine(dir, MlOps.Evaluation.PredictionProfile.FileName);
        await MlOps.Validation.Statistics.StatsFile.WriteAsync(predictionStats, new MlOps.Validation.Statistics.DatasetProfile { Source = scored.Source, Files = scored.Files, Rows = scored.Rows, Columns = scored.Columns.Where(c => c.Name is "label" or "probability").ToList() });
        await registry.RegisterAsync(new MlOps.Registry.NewVersion
        {
            Name = "bench",
            ModelFile = "model.onnx",
            Files = [new MlOps.Registry.ArtifactFile("model.onnx", onnxPath), new MlOps.Registry.ArtifactFile("stats.json", Path.Combine(validation, "stats.json")), new MlOps.Registry.ArtifactFile(MlOps.Evaluation.PredictionProfile.FileName, predictionStats)],
            Manifest = new MlOps.Registry.ModelVersion { Name = "bench", Version = 0, CreatedAt = DateTimeOffset.UtcNow, CreatedBy = MlOps.Registry.Actor.Current(), ModelFile = "model.onnx", Format = "onnx", Artifacts = [], Blessed = true },
        });
        var watch = Stopwatch.StartNew();
        var result = await new MlOps.Monitoring.ProductionMonitor(registry, _ => { }).RunAsync(new MlOps.Monitoring.MonitorOptions { LogFiles = [log], Model = "bench", OutputDirectory = Path.Combine(dir, "monitor-out") });
        var seconds = watch.Elapsed.TotalSeconds;
        var rows = result.Versions.Sum(v => v.Rows);
        Console.WriteLine(Invariant($"monitor  {rows:N0} logged rows ({new FileInfo(log).Length / 1e6:0} MB of log) against v1's training stats: {seconds:0.00} s = {rows / seconds:N0} rows/s, {(result.Passed ? "passed" : "failed")}; validate of the same rows from CSV (statistics only): {validateSeconds:0.00} s"));
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
        var matrix = BareOnnx.RowMajor(table, Features, n);

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
