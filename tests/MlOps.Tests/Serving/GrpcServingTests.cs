using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Serving.Grpc;
using MlOps.Tests.Support;

namespace MlOps.Tests.Serving;

/// <summary>
/// The Open Inference Protocol over gRPC, called as tritonclient and KServe's clients call it
/// (raw_input_contents little-endian, typed contents, the outputs filter), and answered exactly
/// as the REST route answers the same request.
/// </summary>
[Trait("Category", "Integration")]
public sealed class GrpcServingTests : IAsyncLifetime
{
    private ServingSetup _s = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _s = await ServingSetup.CreateAsync();
        await _s.StartAsync(o => o with { GrpcPort = 0, PredictionLog = _s.Dir.Combine("log.jsonl") });
        _channel = GrpcChannel.ForAddress(_s.Server!.GrpcUrl!);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _s.DisposeAsync();
    }

    private static ByteString Fp32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return ByteString.CopyFrom(bytes);
    }

    // Three penguins as four [3] FP32 inputs in raw little-endian bytes, tritonclient's default.
    private static ModelInferRequest Raw(params float[] masses)
    {
        var request = new ModelInferRequest { ModelName = "penguins", Id = "grpc-1" };
        foreach (var (name, value) in new[] { ("bill_length_mm", 39.1f), ("bill_depth_mm", 18.7f), ("flipper_length_mm", 181f), ("body_mass_g", float.NaN) })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP32" };
            input.Shape.Add(masses.Length);
            request.Inputs.Add(input);
            request.RawInputContents.Add(Fp32(float.IsNaN(value) ? masses : masses.Select(_ => value).ToArray()));
        }

        return request;
    }

    private static string[] Labels(ModelInferResponse response)
    {
        var i = response.Outputs.Select(o => o.Name).ToList().IndexOf("label");
        var raw = response.RawOutputContents[i].Span;
        var labels = new List<string>();
        while (raw.Length > 0)
        {
            var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw);
            labels.Add(System.Text.Encoding.UTF8.GetString(raw.Slice(4, n)));
            raw = raw[(4 + n)..];
        }

        return [.. labels];
    }

    [Fact]
    public async Task Health_and_metadata_answer_as_over_rest()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "penguins" })).Ready);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "penguins", Version = "1" })).Ready);
        Assert.False((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" })).Ready);
        var server = await _client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("mlops", server.Name);
        Assert.Contains("model_repository", server.Extensions);

        var meta = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "penguins" });
        var (_, rest) = await _s.GetAsync("/v2/models/penguins");
        Assert.Equal(rest.GetProperty("platform").GetString(), meta.Platform);
        Assert.Equal(rest.GetProperty("inputs").EnumerateArray().Select(i => (i.GetProperty("name").GetString()!, i.GetProperty("datatype").GetString()!, string.Join(",", i.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())))), meta.Inputs.Select(i => (i.Name, i.Datatype, string.Join(",", i.Shape))));
        var missing = await Assert.ThrowsAsync<RpcException>(() => _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Raw_and_typed_inputs_give_the_answers_rest_gives()
    {
        var response = await _client.ModelInferAsync(Raw(5400, 3000, 4000));
        Assert.Equal("penguins", response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("grpc-1", response.Id);
        Assert.Equal(response.Outputs.Count, response.RawOutputContents.Count);
        var probabilities = response.Outputs.Single(o => o.Name == "probabilities");
        Assert.Equal([3L, 3L], probabilities.Shape);
        Assert.Equal("FP32", probabilities.Datatype);
        var raw = response.RawOutputContents[response.Outputs.IndexOf(probabilities)].ToByteArray();
        var p = Enumerable.Range(0, 9).Select(i => BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(i * 4))).ToArray();
        for (var r = 0; r < 3; r++) Assert.Equal(1.0, p[(r * 3)..((r * 3) + 3)].Sum(), 4);

        // The same rows over REST: the same classes and probabilities.
        var (_, rest) = await _s.PostAsync("/v2/models/penguins/infer", new
        {
            inputs = new[] { ("bill_length_mm", 39.1), ("bill_depth_mm", 18.7), ("flipper_length_mm", 181.0) }.Select(x => new { name = x.Item1, datatype = "FP32", shape = new[] { 3 }, data = new[] { x.Item2, x.Item2, x.Item2 } })
                .Append(new { name = "body_mass_g", datatype = "FP32", shape = new[] { 3 }, data = new[] { 5400.0, 3000, 4000 } }),
        });
        var restOutputs = rest.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(restOutputs["label"].GetProperty("data").EnumerateArray().Select(d => d.GetString()), Labels(response));
        Assert.Equal(restOutputs["probabilities"].GetProperty("data").EnumerateArray().Select(d => d.GetSingle()), p);

        // Typed contents (KServe's client with binary data off), and the outputs filter.
        var typed = Raw(5400);
        foreach (var (input, i) in typed.Inputs.Select((x, i) => (x, i)))
        {
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.Add(BinaryPrimitives.ReadSingleLittleEndian(typed.RawInputContents[i].Span));
        }

        typed.RawInputContents.Clear();
        typed.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "label" });
        var one = await _client.ModelInferAsync(typed);
        Assert.Equal("label", Assert.Single(one.Outputs).Name);
        Assert.Equal(["Gentoo"], Labels(one)); // v1 looks at body mass only: heavy = Gentoo

        // gRPC traffic is metered and logged like REST's.
        var (_, _) = await _s.GetAsync("/v2");
        using var metrics = await _s.Http.GetAsync(_s.Url + "/metrics");
        Assert.Contains("mlops_requests_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_are_invalid_argument_with_the_field_named()
    {
        var odd = Raw(5400);
        odd.RawInputContents[0] = ByteString.CopyFrom(1, 2, 3);
        var e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(odd).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("bill_length_mm", e.Status.Detail, StringComparison.Ordinal);

        var count = Raw(5400);
        count.RawInputContents.RemoveAt(3);
        e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(count).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("raw_input_contents has 3 entries for 4 inputs", e.Status.Detail, StringComparison.Ordinal);

        var nope = Raw(5400);
        nope.ModelName = "nope";
        e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(nope).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        var output = Raw(5400);
        output.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "nothing" });
        e = await Assert.ThrowsAsync<RpcException>(() => _client.ModelInferAsync(output).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("output 'nothing' does not exist", e.Status.Detail, StringComparison.Ordinal);
    }
}
