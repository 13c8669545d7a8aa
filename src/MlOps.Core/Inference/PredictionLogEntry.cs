using System.Text.Json;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Inference;

/// <summary>
/// One entry of the prediction log, the same for the server and for batch predict, so
/// monitoring reads both alike:
/// <c>{"time", "id", "model", "version", "inputs": [row...], "outputs": [row...], "keys": [row...]}</c>.
/// Labels that arrive later join on the request id (and the row within it) or on the key columns.
/// </summary>
public static class PredictionLogEntry
{
    /// <summary>Writes the fields after "time": the request id, model, version, the rows' inputs and outputs, and their key columns.</summary>
    /// <param name="w">The entry's writer, inside its object.</param>
    /// <param name="id">The request id (the server's; null for a batch).</param>
    /// <param name="model">The model name.</param>
    /// <param name="version">The version that scored the rows.</param>
    /// <param name="table">The scored rows.</param>
    /// <param name="columns">The model's input columns.</param>
    /// <param name="rows">The rows of <paramref name="table"/> to log.</param>
    /// <param name="predictions">The predictions.</param>
    /// <param name="predictionRows">The rows of <paramref name="predictions"/>, in the same order.</param>
    /// <param name="keys">Key columns logged beside the inputs (batch predict's --key), never compared for drift.</param>
    public static void Write(Utf8JsonWriter w, string? id, string model, string version, Table table, IReadOnlyList<string> columns, int[] rows, Predictions predictions, int[] predictionRows, IReadOnlyList<string>? keys = null)
    {
        if (id is not null) w.WriteString("id", id);
        w.WriteString("model", model);
        w.WriteString("version", version);
        WriteRows(w, "inputs", table, columns, rows);
        w.WritePropertyName("outputs");
        WriteRowArray(w, predictions, predictionRows);
        if (keys is { Count: > 0 }) WriteRows(w, "keys", table, keys, rows);
    }

    private static void WriteRows(Utf8JsonWriter w, string name, Table table, IReadOnlyList<string> columns, int[] rows)
    {
        w.WriteStartArray(name);
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
    }

    /// <summary>The predictions as an array of row objects, one per row (V1's predictions, the log's outputs).</summary>
    public static void WriteRowArray(Utf8JsonWriter w, Predictions p, int[]? rows = null)
    {
        w.WriteStartArray();
        for (var i = 0; i < (rows?.Length ?? p.Count); i++)
        {
            var r = rows is null ? i : rows[i];
            w.WriteStartObject();
            switch (p.Task)
            {
                case ModelTask.Binary:
                    w.WriteNumber("probability", p.Probability![r]);
                    w.WriteNumber("label", p.Probability[r] >= 0.5f ? 1 : 0);
                    break;
                case ModelTask.Multiclass:
                    w.WriteString("label", p.Classes![p.PredictedClass(r)]);
                    w.WriteStartObject("probabilities");
                    for (var c = 0; c < p.Classes.Count; c++) w.WriteNumber(p.Classes[c], p.ClassProbabilities![(r * p.Classes.Count) + c]);
                    w.WriteEndObject();
                    break;
                default:
                    w.WriteNumber("prediction", p.Values![r]);
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
