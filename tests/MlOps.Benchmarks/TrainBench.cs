using System.Diagnostics;
using System.Globalization;
using MlOps.Configuration;
using MlOps.Data;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;

namespace MlOps.Benchmarks;

/// <summary>
/// The train stage: LightGBM on a generated 1M-row binary dataset (wall time, peak memory), then
/// scoring the saved model over every row; and every trainer's quality on the penguins example.
/// </summary>
internal static class TrainBench
{
    /// <summary>
    /// The wide case of issue 20: 2,000 rows of 2,000 and of 10,000 numeric columns, LightGBM with
    /// defaults (100 rounds, refit); wall time and peak memory, in this process (run it alone).
    /// </summary>
    public static async Task WideAsync(string dir)
    {
        foreach (var columns in new[] { 2_000, 10_000 })
        {
            var path = Path.Combine(dir, $"train-wide-{columns}.csv");
            if (!File.Exists(path))
            {
                var random = new Random(3);
                using var w = new StreamWriter(path);
                w.Write("id");
                for (var c = 0; c < columns; c++) w.Write(string.Create(CultureInfo.InvariantCulture, $",f{c}"));
                w.WriteLine(",label");
                var x = new double[columns];
                for (var r = 0; r < 2_000; r++)
                {
                    for (var c = 0; c < columns; c++) x[c] = random.NextDouble();
                    w.Write(r.ToString(CultureInfo.InvariantCulture));
                    foreach (var v in x) w.Write(string.Create(CultureInfo.InvariantCulture, $",{v:0.###}"));
                    w.WriteLine(x[0] + x[1] + (random.NextDouble() * 0.5) > 1.2 ? ",1" : ",0");
                }
            }

            var sw = Stopwatch.StartNew();
            var result = await new Trainer(_ => { }).RunAsync(new TrainOptions
            {
                Data = new DatasetSource { Path = path },
                Task = ModelTask.Binary,
                Label = "label",
                Split = new SplitSettings { Key = "id" },
                Settings = new TrainSettings { Trainer = "lightgbm" },
                OutputDirectory = Path.Combine(dir, $"train-wide-{columns}-out"),
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"train wide 2,000 rows x {columns:N0} numeric columns ({2_000L * columns / 1e6:0} M cells, {new FileInfo(path).Length / 1e6:0} MB): {sw.Elapsed.TotalSeconds:0.0} s wall, eval roc-auc {result.Record.Metrics["eval"]["roc-auc"]:0.####}, peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB so far"));
        }
    }

    /// <summary>
    /// One train in a fresh process (the repeated runs against scikit-learn): one JSON line with
    /// its wall and CPU seconds, measured as the peer measures itself (read to fitted model).
    /// </summary>
    public static async Task OnceAsync(int rows, string dir)
    {
        var options = Options(rows, dir, "train-once-out");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await new Trainer(_ => { }).RunAsync(options);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"wall_s\": {sw.Elapsed.TotalSeconds:R}, \"cpu_s\": {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds:R}}}"));
    }

    private static TrainOptions Options(int rows, string dir, string output)
    {
        var path = Path.Combine(dir, $"binary-{rows}.csv");
        if (!File.Exists(path)) Generate(path, rows, seed: 5);
        return new TrainOptions
        {
            Data = new DatasetSource { Path = path },
            Task = ModelTask.Binary,
            Label = "label",
            Split = new SplitSettings { Key = "id" },
            Settings = new TrainSettings { Trainer = "lightgbm" },
            OutputDirectory = Path.Combine(dir, output),
        };
    }

    public static async Task RunAsync(int rows, string dir)
    {
        var path = Path.Combine(dir, $"binary-{rows}.csv");
        if (!File.Exists(path)) Generate(path, rows, seed: 5);
        var output = Path.Combine(dir, "train-out");
        var options = new TrainOptions
        {
            Data = new DatasetSource { Path = path },
            Task = ModelTask.Binary,
            Label = "label",
            Split = new SplitSettings { Key = "id" },
            Settings = new TrainSettings { Trainer = "lightgbm" },
            OutputDirectory = output,
        };
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        // Each phase's start, so the figure below can be read phase by phase.
        var result = await new Trainer(line => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {sw.Elapsed.TotalSeconds,5:0.0} s  {line}"))).RunAsync(options);
        var trainSeconds = sw.Elapsed.TotalSeconds;
        var trainCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var peakTrain = Process.GetCurrentProcess().PeakWorkingSet64;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"train    lightgbm 100 trees, {result.Record.Data.Rows["train"]:N0} train rows of {rows:N0} x 11 cols ({new FileInfo(path).Length / 1e6:0} MB): {trainSeconds:0.0} s wall (read + split + fit + save + metrics); " +
            $"eval roc-auc {result.Record.Metrics["eval"]["roc-auc"]:0.####}; model {result.Record.Model.Bytes / 1e3:0} kB; peak working set {peakTrain / 1e6:0} MB"));

        var table = await TableLoader.LoadAsync(options.Data, null, new SplitRule("id", "mlops", SplitSettings.DefaultFractions));
        var all = Enumerable.Range(0, table.RowCount).ToArray();
        using var scorer = MlNetScorer.Load(result.ModelPath);
        await AgainstScikitLearnAsync(dir, path, rows, table, scorer, trainSeconds, trainCpu, result);
        scorer.Score(table, all[..1000]);
        sw.Restart();
        var predictions = scorer.Score(table, all);
        var scoreSeconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"score    ML.NET model.zip over {predictions.Count:N0} rows in memory: {scoreSeconds:0.00} s = {predictions.Count / scoreSeconds:N0} rows/s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:0} MB"));

        // The reference: the generating model's own probabilities on the same eval rows (the best any model can do).
        var reference = table;
        var evalRows = reference.RowsOf("eval");
        var truth = evalRows.Select(r => reference.Find("label")!.Numbers![r] == 1).ToArray();
        var oracle = evalRows.Select(r => (float)TrueProbability(reference, r)).ToArray();
        var oracleAuc = MlOps.Metrics.MetricCalculator.Compute(MlOps.Metrics.LabeledPredictions.Binary(truth, Predictions.Binary(oracle)))["roc-auc"];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quality  generating model's own probabilities on the same {evalRows.Length:N0} eval rows: roc-auc {oracleAuc:0.####} (the ceiling; lightgbm above: {result.Record.Metrics["eval"]["roc-auc"]:0.####})"));

        await PenguinsAsync();
    }

    // The peer: scikit-learn's HistGradientBoosting reading the same CSV and fitting 100 rounds on
    // the rows our model learned from (every row not in test, as our refit does), judged on the
    // same test rows. From Debian's python3-sklearn, installed when missing.
    private static async Task AgainstScikitLearnAsync(string dir, string csv, int rows, Table table, MlNetScorer scorer, double ourSeconds, double ourCpu, TrainResult ours)
    {
        const string python = "/usr/bin/python3";
        if ((await PeerProcess.RunAsync(python, ["-c", "import sklearn"])).Code != 0)
        {
            Console.WriteLine("sklearn  installing python3-sklearn (apt-get)...");
            // A fresh machine may have no package lists yet: refresh them once when the install cannot find the package.
            if ((await PeerProcess.RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "python3-sklearn"])).Code != 0)
            {
                await PeerProcess.RunAsync("apt-get", ["update"]);
                await PeerProcess.RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "python3-sklearn"]);
            }
        }

        var test = table.RowsOf("test");
        var mask = new byte[table.RowCount];
        Array.Fill(mask, (byte)'0');
        foreach (var r in test) mask[r] = (byte)'1';
        var maskPath = Path.Combine(dir, "test-mask.bin");
        await File.WriteAllBytesAsync(maskPath, mask);
        var script = PeerProcess.RepoPath("tools", "bench", "sklearn_train.py");
        var (code, stdout, stderr) = await PeerProcess.RunAsync(python, [script, csv, maskPath, "label", "city,product"]);
        if (code != 0)
        {
            Console.WriteLine($"sklearn  peer failed: {stderr.Trim()}");
            return;
        }

        using var peer = System.Text.Json.JsonDocument.Parse(stdout);
        var q = peer.RootElement;
        var truth = test.Select(r => table.Find("label")!.Numbers![r] == 1).ToArray();
        var ourAuc = MlOps.Metrics.MetricCalculator.Compute(MlOps.Metrics.LabeledPredictions.Binary(truth, scorer.Score(table, test)))["roc-auc"];
        var theirs = q.GetProperty("total_s").GetDouble();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vs sklearn HistGradientBoosting 100 rounds on {q.GetProperty("rows_trained").GetInt32():N0} rows: read {q.GetProperty("read_s").GetDouble():0.0} s + fit {q.GetProperty("fit_s").GetDouble():0.0} s = {theirs:0.0} s, test roc-auc {q.GetProperty("roc_auc").GetDouble():0.####}; " +
            $"mlops train {ourSeconds:0.0} s ({ours.Record.Trainer?.Threads} threads, refit on {ours.Record.Refit?.Rows:N0} rows), test roc-auc {ourAuc:0.####}: time ratio {ourSeconds / theirs:0.00}x, roc-auc {ourAuc - q.GetProperty("roc_auc").GetDouble():+0.0000;-0.0000}; " +
            $"CPU time (every thread; steadier than wall on a shared machine) ours {ourCpu:0.0} s, scikit-learn's {q.GetProperty("cpu_s").GetDouble():0.0} s: ratio {ourCpu / q.GetProperty("cpu_s").GetDouble():0.00}x"));

        // One pair of runs says little on a shared machine: more pairs, each side in a fresh
        // process (so ours compiles its code again, as a real run does), alternating, then medians.
        var pairs = new List<(double Ours, double OursCpu, double Theirs, double TheirsCpu)>();
        for (var i = 0; i < RepeatedPairs; i++)
        {
            var once = await PeerProcess.RunAsync("dotnet", [typeof(TrainBench).Assembly.Location, "trainonce", rows.ToString(CultureInfo.InvariantCulture)]);
            var peerRun = await PeerProcess.RunAsync(python, [script, csv, maskPath, "label", "city,product"]);
            if (once.Code != 0 || peerRun.Code != 0)
            {
                Console.WriteLine($"repeat   run failed: {once.Err.Trim()} {peerRun.Err.Trim()}");
                return;
            }

            using var a = System.Text.Json.JsonDocument.Parse(once.Out.Trim().Split('\n')[^1]);
            using var b = System.Text.Json.JsonDocument.Parse(peerRun.Out);
            pairs.Add((a.RootElement.GetProperty("wall_s").GetDouble(), a.RootElement.GetProperty("cpu_s").GetDouble(), b.RootElement.GetProperty("total_s").GetDouble(), b.RootElement.GetProperty("cpu_s").GetDouble()));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeat   pair {i + 1}: mlops train {pairs[^1].Ours:0.00} s ({pairs[^1].OursCpu:0.0} CPU s), scikit-learn read + fit {pairs[^1].Theirs:0.00} s ({pairs[^1].TheirsCpu:0.0} CPU s): {pairs[^1].Ours / pairs[^1].Theirs:0.00}x"));
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"repeat   medians over {pairs.Count} fresh-process pairs: mlops train {Median(pairs.Select(p => p.Ours)):0.00} s, scikit-learn {Median(pairs.Select(p => p.Theirs)):0.00} s; median ratio {Median(pairs.Select(p => p.Ours / p.Theirs)):0.00}x wall ({pairs.Count(p => p.Ours <= p.Theirs)} of {pairs.Count} pairs at or under 1.0x), {Median(pairs.Select(p => p.OursCpu / p.TheirsCpu)):0.00}x CPU"));
    }

    // Fresh-process pairs after the first comparison.
    private const int RepeatedPairs = 5;

    private static double TrueProbability(Table t, int r)
    {
        double X(string c) => t.Find(c)!.Numbers![r];
        var city = t.Find("city")!.Texts![r];
        var product = int.Parse(t.Find("product")!.Texts![r]![1..], CultureInfo.InvariantCulture);
        var z = (0.8 * X("x0")) - (0.6 * X("x1")) + (0.5 * X("x2") * X("x3")) + (city == "Lima" ? 0.7 : 0) + ((product % 7) * 0.1) - 0.4;
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>The example data.</summary>
    internal static string PenguinsCsv
    {
        get
        {
            var root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "MlOps.CI.sln"))) root = Path.GetDirectoryName(root)!;
            return Path.Combine(root, "examples", "penguins", "data", "penguins.csv");
        }
    }

    /// <summary>Trains a species model on the example data, split by penguin_id as the example does.</summary>
    internal static Task<TrainResult> TrainPenguinsAsync(string trainer, string outputDirectory) =>
        new Trainer(_ => { }).RunAsync(new TrainOptions
        {
            Data = new DatasetSource { Path = PenguinsCsv },
            Task = ModelTask.Multiclass,
            Label = "species",
            Split = new SplitSettings { Key = "penguin_id" },
            Settings = new TrainSettings { Trainer = trainer },
            OutputDirectory = outputDirectory,
        });

    private static async Task PenguinsAsync()
    {
        foreach (var trainer in TrainerCatalog.All.Where(t => t.Tasks.Contains(ModelTask.Multiclass)))
        {
            var sw = Stopwatch.StartNew();
            var r = await TrainPenguinsAsync(trainer.Name, Path.Combine(Path.GetTempPath(), "mlops-bench", "penguins-" + trainer.Name));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"penguins {trainer.Name,-9} species from 6 columns, {r.Record.Data.Rows["train"]} train / {r.Record.Data.Rows["eval"]} eval rows: eval accuracy {r.Record.Metrics["eval"]["accuracy"]:0.0000}, macro-F1 {r.Record.Metrics["eval"]["macro-f1"]:0.0000}, log-loss {r.Record.Metrics["eval"]["log-loss"]:0.000}; {sw.Elapsed.TotalSeconds:0.00} s"));
        }
    }

    /// <summary>id, 8 numbers, 2 categories; the label follows a logistic model with an interaction, so trees have something to find.</summary>
    internal static void Generate(string path, int n, int seed)
    {
        var rng = new Random(seed);
        string[] cities = ["Lisbon", "Oslo", "Lima", "Pune", "Austin", "Kyoto", "Accra", "Quito"];
        using var w = new StreamWriter(path);
        w.WriteLine("id,x0,x1,x2,x3,x4,x5,x6,x7,city,product,label");
        var x = new double[8];
        for (var r = 0; r < n; r++)
        {
            for (var i = 0; i < 8; i++) x[i] = Normal(rng);
            var city = rng.Next(cities.Length);
            var product = rng.Next(50);
            var z = (0.8 * x[0]) - (0.6 * x[1]) + (0.5 * x[2] * x[3]) + (city == 2 ? 0.7 : 0) + ((product % 7) * 0.1) - 0.4;
            var label = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
            w.Write(string.Create(CultureInfo.InvariantCulture, $"{r},{x[0]:0.####},{x[1]:0.####},{x[2]:0.####},{x[3]:0.####},{x[4]:0.####},{x[5]:0.####},{x[6]:0.####},{x[7]:0.####},"));
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{cities[city]},p{product},{label}"));
        }
    }

    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
