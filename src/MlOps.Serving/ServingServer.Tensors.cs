using System.Diagnostics;
using Google.Protobuf;
using MlOps.Scoring;
using MlOps.Serving.Grpc;

namespace MlOps.Serving;

/// <summary>gRPC inference on an ONNX model's own tensors, without the JSON round trip of the REST route.</summary>
public sealed partial class ServingServer
{
    /// <summary>
    /// Answers a ModelInfer (raw_input_contents already checked to be one per input or none) whose inputs are the graph's own tensors straight from its raw (or typed)
    /// contents, counted, timed and watched as the REST route does; null when it is not such a
    /// request (a tabular model, an unknown model or version), which the REST route then answers.
    /// </summary>
    /// <exception cref="BadRequestException">The tensors do not fit the graph, or the model's outputs are not finite.</exception>
    internal ModelInferResponse? InferTensors(ModelInferRequest request)
    {
        var started = Stopwatch.GetTimestamp();
        if (_host.Find(request.ModelName) is not { } slot) return null;
        var handle = request.ModelVersion.Length == 0 ? slot.Acquire(Random.Shared.NextDouble() * 100) : AcquireVersion(slot, request.ModelVersion);
        if (handle is null) return null;
        if (handle.Scorer is not OnnxScorer onnx || !TensorInference.Applies(onnx, request.Inputs.Select(i => (string?)i.Name).ToList()))
        {
            handle.Release();
            return null;
        }

        var watch = slot.CanaryVersion?.Watch;
        var status = 200;
        var rows = 0;
        try
        {
            var inputs = request.Inputs.Select((t, i) => new RawInput(t.Name, t.Datatype, t.Shape, request.RawInputContents.Count > 0 ? (ReadOnlyMemory<byte>?)request.RawInputContents[i].Memory : null, t.Contents)).ToList();
            var outputs = RawTensorInference.Infer(onnx, inputs, request.Outputs.Select(o => (string?)o.Name).ToList(), _options.MaxRows, out rows);
            var response = new ModelInferResponse { ModelName = handle.Name, ModelVersion = handle.Version, Id = request.Id };
            foreach (var o in outputs)
            {
                var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = o.Name, Datatype = o.Datatype };
                tensor.Shape.AddRange(o.Shape);
                response.Outputs.Add(tensor);
                response.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(o.Data)); // a fresh array nobody else writes
            }

            return response;
        }
        catch (BadRequestException e)
        {
            status = e.Status;
            throw;
        }
        finally
        {
            handle.Release();
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            _metrics.Record(handle.Name, handle.Version, "v2", status, seconds, rows);
            watch?.Answered(handle.Version, status, seconds);
        }
    }
}
