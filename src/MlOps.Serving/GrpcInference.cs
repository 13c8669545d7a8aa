using System.Text.Json;
using Grpc.Core;
using MlOps.Serving.Grpc;

namespace MlOps.Serving;

/// <summary>
/// <c>inference.GRPCInferenceService</c>: the Open Inference Protocol over gRPC, as tritonclient
/// and KServe's clients call it. An ONNX model's own tensors go straight from raw_input_contents
/// into ONNX Runtime and back (<see cref="RawTensorInference"/>); every other call (a tabular
/// model's columns) is answered by the REST implementation in process (the request becomes its V2
/// JSON, the answer is read back into tensors), so both protocols validate, score, count and log alike.
/// </summary>
internal sealed class GrpcInference(ServingServer server) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = server.AllLoaded });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = server.IsReady(request.Name, Version(request.Version)) });

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = "mlops", Version = Artifacts.ToolInfo.Version };
        response.Extensions.AddRange(ServingServer.Extensions);
        return Task.FromResult(response);
    }

    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var (status, body) = await server.MetadataV2Async(request.Name, Version(request.Version));
        using var json = Answer(status, body);
        var root = json.RootElement;
        var response = new ModelMetadataResponse { Name = root.GetProperty("name").GetString(), Platform = root.TryGetProperty("platform", out var p) ? p.GetString() ?? string.Empty : string.Empty };
        response.Versions.AddRange(root.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!));
        foreach (var (property, target) in new[] { ("inputs", response.Inputs), ("outputs", response.Outputs) })
        {
            if (!root.TryGetProperty(property, out var tensors)) continue;
            foreach (var t in tensors.EnumerateArray())
            {
                var meta = new ModelMetadataResponse.Types.TensorMetadata { Name = t.GetProperty("name").GetString(), Datatype = t.GetProperty("datatype").GetString() };
                meta.Shape.AddRange(t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
                target.Add(meta);
            }
        }

        return response;
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        byte[] json;
        try
        {
            if (request.RawInputContents.Count > 0 && request.RawInputContents.Count != request.Inputs.Count)
            {
                throw new BadRequestException($"raw_input_contents has {request.RawInputContents.Count} entries for {request.Inputs.Count} inputs; give one per input, in order.");
            }

            // An ONNX model's own tensors: bytes in, bytes out, no JSON.
            if (server.InferTensors(request) is { } direct) return direct;
            json = V2Request(request);
        }
        catch (BadRequestException e)
        {
            throw new RpcException(new Status(Code(e.Status), e.Message));
        }

        var (status, body) = await server.InferV2Async(request.ModelName, Version(request.ModelVersion), json, context.CancellationToken);
        using var answer = Answer(status, body);
        var root = answer.RootElement;
        var response = new ModelInferResponse
        {
            ModelName = root.GetProperty("model_name").GetString(),
            ModelVersion = root.TryGetProperty("model_version", out var v) ? v.GetString() ?? string.Empty : string.Empty,
            Id = request.Id,
        };
        foreach (var o in root.GetProperty("outputs").EnumerateArray())
        {
            var datatype = o.GetProperty("datatype").GetString()!;
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = o.GetProperty("name").GetString(), Datatype = datatype };
            tensor.Shape.AddRange(o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            response.Outputs.Add(tensor);
            response.RawOutputContents.Add(TensorBytes.Raw(datatype, o.GetProperty("data")));
        }

        return response;
    }

    // The request as the V2 JSON body the REST route reads.
    private static byte[] V2Request(ModelInferRequest request)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (request.Id.Length > 0) w.WriteString("id", request.Id);
            w.WriteStartArray("inputs");
            for (var i = 0; i < request.Inputs.Count; i++)
            {
                var input = request.Inputs[i];
                w.WriteStartObject();
                w.WriteString("name", input.Name);
                w.WriteString("datatype", input.Datatype);
                w.WriteStartArray("shape");
                foreach (var d in input.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                TensorBytes.WriteData(w, input.Name, input.Datatype, request.RawInputContents.Count > 0 ? request.RawInputContents[i] : null, input.Contents);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (request.Outputs.Count > 0)
            {
                w.WriteStartArray("outputs");
                foreach (var o in request.Outputs)
                {
                    w.WriteStartObject();
                    w.WriteString("name", o.Name);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    // A REST answer: the JSON of a success, or the gRPC status that matches its HTTP status.
    private static JsonDocument Answer(int status, byte[] body)
    {
        var json = JsonDocument.Parse(body);
        if (status == 200) return json;
        using (json)
        {
            var message = json.RootElement.TryGetProperty("error", out var e) ? e.GetString() ?? string.Empty : $"HTTP {status}";
            throw new RpcException(new Status(Code(status), message));
        }
    }

    // The gRPC status that matches an HTTP status, as KServe's servers map them.
    private static StatusCode Code(int status) => status switch
    {
        400 or 415 => StatusCode.InvalidArgument,
        404 => StatusCode.NotFound,
        413 => StatusCode.ResourceExhausted,
        503 => StatusCode.Unavailable,
        _ => StatusCode.Internal,
    };

    private static string? Version(string version) => version.Length == 0 ? null : version;
}
