using System.Diagnostics;
using System.Globalization;
using System.Text;
using MlOps.Scoring;
using MlOps.Serving;
using MlOps.Tabular;
using MlOps.Tests.Support;

namespace MlOps.Benchmarks;

/// <summary>
/// The model server on loopback: requests/s and p50/p99 latency for 1-row and 100-row V1 requests
/// on the example model (ML.NET LightGBM) and an ONNX model, against the same model scored
/// in-process as the floor; server overhead = server p50 - floor p50; memory per loaded model.
/// </summary>
public static class ServeBench
{
    public static async Task RunAsync(string dir)
    {
        var csv = TrainBench.PenguinsCsv;
        await TrainBench.TrainPenguinsAsync("lightgbm", Path.Combine(dir, "serve-mlnet"));
        var onnx = Path.Combine(dir, "serve-onnx", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(onnx)!);
        await File.WriteAllBytesAsync(onnx, OnnxModels.NearestCentroid(csv, perColumnInputs: true));

        foreach (var (label, path) in new[] { ("ML.NET LightGBM model.zip", Path.Combine(dir, "serve-mlnet", "model.zip")), ("ONNX nearest-centroid model.onnx", onnx) })
        {
            await ModelAsync(label, path);
        }

        await TensorsAsync(dir);
    }

    /// <summary>
    /// V2 infer with the model's own tensor, as KServe and Triton clients send it: a [N, 30] FP32
    /// input (a torch-style export: Gemm + Softmax, no metadata), served without a task; the floor
    /// is the same tensor through the same ONNX Runtime session in-process.
    /// </summary>
    private static async Task TensorsAsync(string dir)
    {
        const int f = 30;
        var random = new Random(3);
        var weights = Enumerable.Range(0, 3 * f).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var path = Path.Combine(dir, "serve-tensor", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, OnnxWriter.Exported("pytorch", new Dictionary<string, long> { [string.Empty] = 17 }, g =>
        {
            g.String(2, "main_graph");
            g.NamedValue(11, "input", OnnxWriter.FloatType, "batch_size", -1, f);
            g.Initializer("fc.weight", [3, f], weights);
            g.Initializer("fc.bias", [3], [0.1f, -0.2f, 0.3f]);
            g.Op("Gemm", ["input", "fc.weight", "fc.bias"], ["logits"], string.Empty, ("transB", 1L));
            g.Op("Softmax", ["logits"], ["output"], string.Empty, ("axis", 1L));
            g.NamedValue(12, "output", OnnxWriter.FloatType, "batch_size", -1, 3);
        }));

        await using var server = await ServingServer.StartAsync(new ServeOptions { Models = [new ModelSpec("tensor", null, path)], Task = null, Port = 0, GrpcPort = 0, PollInterval = TimeSpan.Zero }, _ => { });
        var scorer = (OnnxScorer)server.Host.Find("tensor")!.Current!.Scorer;
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var url = server.Url + "/v2/models/tensor/infer";
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.GrpcUrl!);
        var grpc = new MlOps.Serving.Grpc.GRPCInferenceService.GRPCInferenceServiceClient(channel);
        Console.WriteLine("ONNX [N, 30] FP32 model, V2 infer with its own tensor (tensor mode, no task), REST JSON and gRPC raw_input_contents:");
        foreach (var rows in new[] { 1, 100 })
        {
            var data = Enumerable.Range(0, rows * f).Select(i => (float)Math.Round(random.NextDouble() * 10, 3)).ToArray();
            var body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + rows + "," + f + "],\"datatype\":\"FP32\",\"data\":[" + string.Join(",", data.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]}]}";
            var n = rows == 1 ? 3000 : 1000;

            // Floor: the same tensor through the same session, in-process (what a bare ONNX Runtime loop pays).
            void Floor()
            {
                using var value = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(data, [rows, f]);
                using var results = scorer.Run(["input"], [value], ["output"]);
            }

            for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(1);) Floor();
            var floor = Time(n, Floor);
            for (var i = 0; i < 300; i++) await PostAsync(http, url, body);
            var sequential = await TimeAsync(n, () => PostAsync(http, url, body));
            var wall = Stopwatch.StartNew();
            const int concurrent = 4;
            await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < n / concurrent; i++) await PostAsync(http, url, body);
            })));
            var throughput = n / wall.Elapsed.TotalSeconds;
            // Triton's binary tensor data extension (tritonclient.http's default): binary in, binary out.
            var header = Encoding.UTF8.GetBytes("{\"inputs\":[{\"name\":\"input\",\"shape\":[" + rows + "," + f + "],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + (data.Length * 4) + "}}],\"parameters\":{\"binary_data_output\":true}}");
            var tensorBytes = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, tensorBytes, 0, tensorBytes.Length);
            byte[] binaryBody = [.. header, .. tensorBytes];
            async Task PostBinaryAsync()
            {
                using var content = new ByteArrayContent(binaryBody);
                content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
                using var response = await http.PostAsync(url, content);
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                await response.Content.ReadAsByteArrayAsync();
            }

            for (var i = 0; i < 300; i++) await PostBinaryAsync();
            var binarySequential = await TimeAsync(n, PostBinaryAsync);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{rows,3}, 30] REST binary tensor data: p50 {P(binarySequential, 0.5):0.000} ms, p99 {P(binarySequential, 0.99):0.000} ms, {1000 / binarySequential.Average():0} req/s with 1 client; request {binaryBody.Length:N0} bytes vs JSON {Encoding.UTF8.GetByteCount(body):N0}"));

            // gRPC with raw little-endian contents, as tritonclient sends it, over one HTTP/2 channel.
            var request = new MlOps.Serving.Grpc.ModelInferRequest { ModelName = "tensor" };
            var input = new MlOps.Serving.Grpc.ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32" };
            input.Shape.Add(rows);
            input.Shape.Add(f);
            request.Inputs.Add(input);
            var raw = new byte[data.Length * 4];
            Buffer.BlockCopy(data, 0, raw, 0, raw.Length);
            request.RawInputContents.Add(Google.Protobuf.ByteString.CopyFrom(raw));
            for (var i = 0; i < 300; i++) await grpc.ModelInferAsync(request);
            var grpcSequential = await TimeAsync(n, async () => await grpc.ModelInferAsync(request));
            var grpcWall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < n / concurrent; i++) await grpc.ModelInferAsync(request);
            })));
            var grpcThroughput = n / grpcWall.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{rows,3}, 30] gRPC: p50 {P(grpcSequential, 0.5):0.000} ms, p99 {P(grpcSequential, 0.99):0.000} ms, {1000 / grpcSequential.Average():0} req/s with 1 client, {grpcThroughput:0} req/s with {concurrent} clients; overhead p50 {P(grpcSequential, 0.5) - P(floor, 0.5):0.000} ms"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  [{rows,3}, 30] REST: server p50 {P(sequential, 0.5):0.000} ms, p99 {P(sequential, 0.99):0.000} ms, {1000 / sequential.Average():0} req/s with 1 client, {throughput:0} req/s with {concurrent} clients; in-process ONNX Runtime call p50 {P(floor, 0.5):0.000} ms, p99 {P(floor, 0.99):0.000} ms; overhead p50 {P(sequential, 0.5) - P(floor, 0.5):0.000} ms"));
        }
    }

    private static async Task ModelAsync(string label, string path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var heapBefore = GC.GetTotalMemory(true);
        await using var server = await ServingServer.StartAsync(new ServeOptions { Models = [new ModelSpec("penguins", null, path)], Task = ModelTask.Multiclass, Port = 0, PollInterval = TimeSpan.Zero }, _ => { });
        var heapAfter = GC.GetTotalMemory(true);
        var after = Process.GetCurrentProcess().WorkingSet64;
        var scorer = server.Host.Find("penguins")!.Current!.Scorer;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: loaded model + server: working set +{(after - before) / 1e6:0.0} MB, managed heap +{(heapAfter - heapBefore) / 1e6:0.0} MB"));

        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var url = server.Url + "/v1/models/penguins:predict";
        foreach (var rows in new[] { 1, 100 })
        {
            var body = Body(scorer.Inputs, rows);
            var table = Table(scorer.Inputs, rows);
            var all = Enumerable.Range(0, rows).ToArray();
            var n = rows == 1 ? 3000 : 600;

            // Floor: the same rows scored in-process, no HTTP, no JSON.
            // Warm by time, not count: the 100-row loop needs about a thousand calls before tiered JIT settles.
            for (var warm = Stopwatch.StartNew(); warm.Elapsed < TimeSpan.FromSeconds(2);) scorer.Score(table, all);
            var floor = Time(n, () => scorer.Score(table, all));

            for (var i = 0; i < 200; i++) await PostAsync(http, url, body);
            var sequential = await TimeAsync(n, () => PostAsync(http, url, body));
            var wall = Stopwatch.StartNew();
            var concurrent = 4;
            await Task.WhenAll(Enumerable.Range(0, concurrent).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < n / concurrent; i++) await PostAsync(http, url, body);
            })));
            var throughput = n / wall.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {rows,3} row(s)/request: server p50 {P(sequential, 0.5):0.000} ms, p99 {P(sequential, 0.99):0.000} ms, {1000 / sequential.Average():0} req/s sequential, {throughput:0} req/s with {concurrent} clients ({throughput * rows:0} rows/s); in-process floor p50 {P(floor, 0.5):0.000} ms, p99 {P(floor, 0.99):0.000} ms; overhead p50 {P(sequential, 0.5) - P(floor, 0.5):0.000} ms"));
        }
    }

    private static async Task PostAsync(HttpClient http, string url, string body)
    {
        using var response = await http.PostAsync(url, new StringContent(body, Encoding.UTF8, "application/json"));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        await response.Content.ReadAsByteArrayAsync();
    }

    private static string Body(IReadOnlyList<ModelInput> inputs, int rows)
    {
        var row = "{" + string.Join(",", inputs.Select(i => i.Kind == ColumnKind.Numeric ? $"\"{i.Name}\":{Value(i.Name).ToString(CultureInfo.InvariantCulture)}" : $"\"{i.Name}\":\"{Text(i.Name)}\"")) + "}";
        return "{\"instances\":[" + string.Join(",", Enumerable.Repeat(row, rows)) + "]}";
    }

    private static Table Table(IReadOnlyList<ModelInput> inputs, int rows) =>
        MlOps.Tabular.Table.Of(inputs.Select(i => i.Kind == ColumnKind.Numeric ? TableColumn.Numeric(i.Name, Enumerable.Repeat((float)Value(i.Name), rows).ToArray()) : TableColumn.Text(i.Name, Enumerable.Repeat<string?>(Text(i.Name), rows).ToArray())).ToList());

    private static double Value(string name) => name switch { "bill_length_mm" => 46.1, "bill_depth_mm" => 13.2, "flipper_length_mm" => 211, "body_mass_g" => 4500, _ => 1 };

    private static string Text(string name) => name switch { "island" => "Biscoe", "sex" => "female", _ => "x" };

    private static double[] Time(int n, Action action)
    {
        var t = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = Stopwatch.GetTimestamp();
            action();
            t[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
        }

        return t;
    }

    private static async Task<double[]> TimeAsync(int n, Func<Task> action)
    {
        var t = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = Stopwatch.GetTimestamp();
            await action();
            t[i] = Stopwatch.GetElapsedTime(s).TotalMilliseconds;
        }

        return t;
    }

    private static double P(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
