using System.Text.Json;
using MlOps.Scoring;

namespace MlOps.Serving;

/// <summary>Writes predictions in each protocol's shape.</summary>
public static class PredictionJson
{
    /// <summary>The V2 output tensors of a task, with their datatypes.</summary>
    public static IReadOnlyList<(string Name, string Datatype)> Outputs(ModelTask task) => task switch
    {
        ModelTask.Binary => [("probability", "FP32"), ("label", "INT64")],
        ModelTask.Multiclass => [("probabilities", "FP32"), ("label", "BYTES")],
        _ => [("prediction", "FP32")],
    };

    /// <summary>A V2 inference response; a request's "outputs" list picks which tensors come back.</summary>
    public static void WriteV2(Utf8JsonWriter w, ModelHandle handle, Predictions p, JsonElement request)
    {
        var wanted = Outputs(p.Task).Select(o => o.Name).ToList();
        if (request.TryGetProperty("outputs", out var requested) && requested.ValueKind == JsonValueKind.Array)
        {
            var names = requested.EnumerateArray().Select(o => o.TryGetProperty("name", out var n) ? n.GetString() : null).ToList();
            foreach (var n in names.Where(n => n is null || !wanted.Contains(n))) throw new BadRequestException($"output '{n}' does not exist; this model has: {string.Join(", ", wanted)}.");
            wanted = names!;
        }

        w.WriteStartObject();
        w.WriteString("model_name", handle.Name);
        w.WriteString("model_version", handle.Version);
        if (request.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String) w.WriteString("id", id.GetString());
        w.WriteStartArray("outputs");
        foreach (var name in wanted)
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            switch (name)
            {
                case "probability":
                    Tensor(w, "FP32", [p.Count], () => { foreach (var v in p.Probability!) w.WriteNumberValue(v); });
                    break;
                case "label" when p.Task == ModelTask.Binary:
                    Tensor(w, "INT64", [p.Count], () => { foreach (var v in p.Probability!) w.WriteNumberValue(v >= 0.5f ? 1 : 0); });
                    break;
                case "probabilities":
                    Tensor(w, "FP32", [p.Count, p.Classes!.Count], () => { foreach (var v in p.ClassProbabilities!) w.WriteNumberValue(v); });
                    break;
                case "label":
                    Tensor(w, "BYTES", [p.Count], () => { for (var r = 0; r < p.Count; r++) w.WriteStringValue(p.Classes![p.PredictedClass(r)]); });
                    break;
                default:
                    Tensor(w, "FP32", [p.Count], () => { foreach (var v in p.Values!) w.WriteNumberValue(v); });
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>V1's {"predictions": [...]}: one object per row (label, probability or probabilities; prediction for regression).</summary>
    public static void WriteRows(Utf8JsonWriter w, Predictions p)
    {
        w.WriteStartObject();
        w.WritePropertyName("predictions");
        Inference.PredictionLogEntry.WriteRowArray(w, p);
        w.WriteEndObject();
    }

    /// <summary>MLflow's <c>{"predictions": [...]}</c>: one value per row, labels or probabilities for a classifier, the value for regression.</summary>
    public static void WriteMlFlow(Utf8JsonWriter w, Predictions p, MlFlowAnswer answer)
    {
        w.WriteStartObject();
        w.WriteStartArray("predictions");
        for (var r = 0; r < p.Count; r++)
        {
            switch (p.Task)
            {
                case ModelTask.Binary when answer == MlFlowAnswer.Labels:
                    w.WriteNumberValue(p.Probability![r] >= 0.5f ? 1 : 0);
                    break;
                case ModelTask.Binary:
                    w.WriteNumberValue(p.Probability![r]);
                    break;
                case ModelTask.Multiclass when answer == MlFlowAnswer.Labels:
                    w.WriteStringValue(p.Classes![p.PredictedClass(r)]);
                    break;
                case ModelTask.Multiclass:
                    w.WriteStartObject();
                    for (var c = 0; c < p.Classes!.Count; c++) w.WriteNumber(p.Classes[c], p.ClassProbabilities![(r * p.Classes.Count) + c]);
                    w.WriteEndObject();
                    break;
                default:
                    w.WriteNumberValue(p.Values![r]);
                    break;
            }
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Tensor(Utf8JsonWriter w, string datatype, int[] shape, Action data)
    {
        w.WriteString("datatype", datatype);
        w.WriteStartArray("shape");
        foreach (var d in shape) w.WriteNumberValue(d);
        w.WriteEndArray();
        w.WriteStartArray("data");
        data();
        w.WriteEndArray();
    }
}
