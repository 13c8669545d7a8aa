using System.Text.Json;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Inference;

/// <summary>
/// One entry of the prediction log, the same for the server and for batch predict, so
/// monitoring reads both alike: <c>{"time", "model", "version", "inputs": [row...], "outputs": [row...]}</c>.
/// </summary>
public static class PredictionLogEntry
{
    /// <summary>Writes the fields after "time": model, version, the rows' inputs and outputs.</summary>
    public static void Write(Utf8JsonWriter w, string model, string version, Table table, IReadOnlyList<string> columns, int[] rows, Predictions predictions, int[] predictionRows)
    {
        w.WriteString("model", model);
        w.WriteString("version", version);
        w.WriteStartArray("inputs");
        var cols = columns.Select(table.Find).OfType<TableColumn>().ToArray();
        foreach (var r in rows)
        {
            w.WriteStartObject();
            foreach (var c in cols)
            {
                if (c.Kind == ColumnKind.Numeric && !float.IsNaN(c.Numbers![r])) w.WriteNumber(c.Name, c.Numbers[r]);
                else if (c.Kind == ColumnKind.Text && c.Texts![r] is { } t) w.WriteString(c.Name, t);
                else w.WriteNull(c.Name);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("outputs");
        WriteRowArray(w, predictions, scalar: false, predictionRows);
    }

    /// <summary>The predictions as an array, one entry per row: row objects (V1, the log), or one value per row (MLflow).</summary>
    public static void WriteRowArray(Utf8JsonWriter w, Predictions p, bool scalar, int[]? rows = null)
    {
        w.WriteStartArray();
        for (var i = 0; i < (rows?.Length ?? p.Count); i++)
        {
            var r = rows is null ? i : rows[i];
            switch (p.Task)
            {
                case ModelTask.Binary when scalar:
                    w.WriteNumberValue(p.Probability![r]);
                    break;
                case ModelTask.Binary:
                    w.WriteStartObject();
                    w.WriteNumber("probability", p.Probability![r]);
                    w.WriteNumber("label", p.Probability[r] >= 0.5f ? 1 : 0);
                    w.WriteEndObject();
                    break;
                case ModelTask.Multiclass when scalar:
                    w.WriteStringValue(p.Classes![p.PredictedClass(r)]);
                    break;
                case ModelTask.Multiclass:
                    w.WriteStartObject();
                    w.WriteString("label", p.Classes![p.PredictedClass(r)]);
                    w.WriteStartObject("probabilities");
                    for (var c = 0; c < p.Classes.Count; c++) w.WriteNumber(p.Classes[c], p.ClassProbabilities![(r * p.Classes.Count) + c]);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
                default:
                    if (scalar)
                    {
                        w.WriteNumberValue(p.Values![r]);
                    }
                    else
                    {
                        w.WriteStartObject();
                        w.WriteNumber("prediction", p.Values![r]);
                        w.WriteEndObject();
                    }

                    break;
            }
        }

        w.WriteEndArray();
    }
}
