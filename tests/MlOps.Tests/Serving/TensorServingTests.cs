using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlOps.Serving;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

/// <summary>
/// An ONNX model served with its own signature, as KServe's and Triton's clients use it: V2
/// metadata lists the graph's real inputs and outputs, /infer takes and returns its tensors.
/// Requests are the bodies tritonclient.http and kserve's InferRequest.to_rest() send (JSON data,
/// flat or nested). Expected values come from a bare ONNX Runtime session on the same tensor.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TensorServingTests : IAsyncLifetime
{
    private static readonly float[][] Rows = [[39.1f, 18.7f, 181f, 3750f], [46.5f, 17.9f, 192f, 3500f], [50.0f, 15.2f, 218f, 5700f]];
    private readonly TempDir _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ServingServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task StartAsync(string file, MlOps.Scoring.ModelTask? task = null)
    {
        _server = await ServingServer.StartAsync(new ServeOptions
        {
            Models = [new ModelSpec("torch", null, file)],
            Task = task,
            CacheDirectory = _dir.Combine("cache"),
            PollInterval = TimeSpan.Zero,
            Port = 0,
        }, _ => { });
    }

    private async Task<(int Status, JsonElement Body, string? ContentType)> PostAsync(string path, string body)
    {
        using var response = await _http.PostAsync(_server!.Url + path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response.Content.Headers.ContentType?.ToString());
    }

    private static string Torch => Path.Combine(ExportedModels.TorchExample, "model.onnx");

    private static string Infer(string shape, string data, string datatype = "FP32", string name = "input", string extra = "") =>
        $$"""{"id":"req-1","inputs":[{"name":"{{name}}","shape":{{shape}},"datatype":"{{datatype}}","data":{{data}}}]{{extra}}}""";

    private static float[] Bare(float[][] rows)
    {
        using var session = new InferenceSession(Torch);
        using var input = OrtValue.CreateTensorValueFromMemory(rows.SelectMany(r => r).ToArray(), [rows.Length, 4]);
        using var results = session.Run(new RunOptions(), ["input"], [input], ["output"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public async Task The_models_own_tensor_goes_in_and_out_as_binary_tensor_data()
    {
        await StartAsync(Torch);
        var header = System.Text.Encoding.UTF8.GetBytes("""{"inputs":[{"name":"input","shape":[3,4],"datatype":"FP32","parameters":{"binary_data_size":48}}],"parameters":{"binary_data_output":true}}""");
        var content = new ByteArrayContent([.. header, .. Rows.SelectMany(r => r).SelectMany(BitConverter.GetBytes)]);
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.PostAsync(_server!.Url + "/v2/models/torch/infer", content);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, System.Text.Encoding.UTF8.GetString(body));
        var length = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var output = JsonDocument.Parse(body.AsMemory(0, length)).RootElement.GetProperty("outputs")[0];
        Assert.Equal([3, 3], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var size = output.GetProperty("parameters").GetProperty("binary_data_size").GetInt32();
        Assert.Equal(36, size);
        var values = Enumerable.Range(0, 9).Select(i => BitConverter.ToSingle(body, length + (i * 4))).ToArray();
        Assert.Equal(Bare(Rows), values); // a bare ONNX Runtime session on the same tensor
    }

    [Fact]
    public async Task Metadata_lists_the_graphs_own_inputs_and_outputs_with_dynamic_dimensions_as_minus_one()
    {
        await StartAsync(Torch);
        var meta = JsonDocument.Parse(await _http.GetStringAsync(_server!.Url + "/v2/models/torch")).RootElement;
        Assert.Equal("onnxruntime_onnx", meta.GetProperty("platform").GetString());
        var input = Assert.Single(meta.GetProperty("inputs").EnumerateArray());
        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 4L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        var output = Assert.Single(meta.GetProperty("outputs").EnumerateArray());
        Assert.Equal("output", output.GetProperty("name").GetString());
        Assert.Equal([-1L, 3L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Infer_passes_the_tensor_to_onnx_runtime_and_returns_every_output_as_the_bare_session_computes_it(bool nested)
    {
        await StartAsync(Torch);
        var data = nested ? JsonSerializer.Serialize(Rows) : JsonSerializer.Serialize(Rows.SelectMany(r => r));
        var (status, body, contentType) = await PostAsync("/v2/models/torch/infer", Infer("[3,4]", data));
        Assert.True(status == 200, body.ToString());
        Assert.Equal("application/json", contentType);
        Assert.Equal("req-1", body.GetProperty("id").GetString());
        Assert.Equal("file", body.GetProperty("model_version").GetString());
        var output = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("output", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([3L, 3L], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(Bare(Rows), output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Theory]
    [InlineData("[1,4]", "[1,2,3,4]", "FP64", "input", "", "input 'input': datatype FP64 does not match the model's FP32.")]
    [InlineData("[1,5]", "[1,2,3,4,5]", "FP32", "input", "", "input 'input': shape [1, 5] does not fit the model's [N, 4] (dimension 1 must be 4).")]
    [InlineData("[4]", "[1,2,3,4]", "FP32", "input", "", "input 'input': shape [4] has rank 1; the model takes [N, 4].")]
    [InlineData("[2,4]", "[1,2,3,4]", "FP32", "input", "", "input 'input': shape [2, 4] holds 8 values, data has 4.")]
    [InlineData("[1,4]", "[1,2,\"x\",4]", "FP32", "input", "", "input 'input' element 2: \"x\" is not a FP32 value.")]
    [InlineData("[1,4]", "[1,2,3,4]", "FP32", "float_input", "", "input 'float_input' is not an input of this model; it takes: input FP32 [N, 4].")]
    [InlineData("[1,4]", "[1,2,3,4]", "FP32", "input", ",\"outputs\":[{\"name\":\"probabilities\"}]", "output 'probabilities' does not exist; this model has: output FP32 [N, 3].")]
    public async Task A_tensor_that_does_not_fit_the_graph_is_400_naming_the_tensor_and_what_was_expected(string shape, string data, string datatype, string name, string extra, string message)
    {
        await StartAsync(Torch);
        var (status, body, contentType) = await PostAsync("/v2/models/torch/infer", Infer(shape, data, datatype, name, extra));
        Assert.Equal(400, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(message, body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Row_views_of_a_model_served_without_a_column_mapping_say_what_to_configure()
    {
        await StartAsync(Torch);
        var (status, body, _) = await PostAsync("/v1/models/torch:predict", """{"instances":[{"bill_length_mm":39.1}]}""");
        Assert.Equal(400, status);
        Assert.Contains("this model cannot score rows: input 'input' is a [N, 4] matrix and nothing names its columns: set model.features", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zipmap_output_comes_back_as_an_fp32_matrix_whose_parameters_name_the_classes()
    {
        await StartAsync(Path.Combine(ExportedModels.SklearnExample, "model.onnx"));
        var meta = JsonDocument.Parse(await _http.GetStringAsync(_server!.Url + "/v2/models/torch")).RootElement;
        Assert.Equal(["output_label", "output_probability"], meta.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        var (status, body, _) = await PostAsync("/v2/models/torch/infer", Infer("[3,4]", JsonSerializer.Serialize(Rows), name: "float_input"));
        Assert.True(status == 200, body.ToString());
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal("BYTES", outputs["output_label"].GetProperty("datatype").GetString());
        var labels = outputs["output_label"].GetProperty("data").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], labels);
        var probability = outputs["output_probability"];
        Assert.Equal([3L, 3L], probability.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["Adelie", "Chinstrap", "Gentoo"], probability.GetProperty("parameters").GetProperty("classes").EnumerateArray().Select(c => c.GetString()));

        // The same classifier as the torch export: softmax of its logits.
        var logits = Bare(Rows);
        var p = probability.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        for (var r = 0; r < 3; r++)
        {
            var row = logits.Skip(r * 3).Take(3).ToArray();
            var exp = row.Select(x => Math.Exp(x - row.Max())).ToArray();
            for (var k = 0; k < 3; k++) Assert.Equal(exp[k] / exp.Sum(), p[(r * 3) + k], 4);
        }
    }
}
