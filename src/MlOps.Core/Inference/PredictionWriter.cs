using System.Globalization;
using System.Text;
using System.Text.Json;
using MlOps.Evaluation;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Inference;

/// <summary>
/// Writes predictions as CSV or JSON Lines (by the file's extension): the key columns, the
/// prediction (class or value), the probabilities in the columns <c>evaluate --predictions</c>
/// reads (<c>probability</c>, <c>probability_CLASS</c>), the model version and the time.
/// </summary>
internal sealed class PredictionWriter
{
    private readonly TextWriter _out;
    private readonly bool _json;
    private readonly IReadOnlyList<string> _keys;
    private readonly string _version;
    private readonly string _time;
    private bool _headed;

    public PredictionWriter(TextWriter output, bool json, IReadOnlyList<string> keys, string version, DateTimeOffset time)
    {
        _out = output;
        _json = json;
        _keys = keys;
        _version = version;
        _time = time.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }

    /// <summary>True when the path asks for JSON Lines; CSV otherwise.</summary>
    /// <exception cref="ConfigException">The extension is neither.</exception>
    public static bool IsJson(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" or ".json" => true,
        ".csv" => false,
        var other => throw Errors.Config("--output", $"'{path}': write predictions to a .csv or .jsonl file (got '{other}')."),
    };

    public void Write(Table table, Predictions p)
    {
        var keys = _keys.Select(k => table.Find(k) ?? throw Errors.Config("--key", $"the data has no column '{k}'; columns: {string.Join(", ", table.Columns.Select(c => c.Name))}.")).ToArray();
        if (!_json && !_headed) Header(p);
        _headed = true;
        for (var r = 0; r < p.Count; r++)
        {
            if (_json) JsonRow(keys, p, r);
            else CsvRow(keys, p, r);
        }
    }

    private IEnumerable<string> ScoreColumns(Predictions p) => p.Task switch
    {
        ModelTask.Binary => [PredictionsFile.ProbabilityColumn],
        ModelTask.Multiclass => p.Classes!.Select(c => PredictionsFile.ClassPrefix + c),
        _ => [],
    };

    private void Header(Predictions p)
    {
        var names = _keys.Append(p.Task == ModelTask.Regression ? PredictionsFile.ValueColumn : PredictionsFile.LabelColumn).Concat(ScoreColumns(p)).Append("model_version").Append("predicted_at");
        _out.Write(string.Join(",", names.Select(Csv)));
        _out.Write('\n');
    }

    private void CsvRow(TableColumn[] keys, Predictions p, int r)
    {
        var s = new StringBuilder();
        foreach (var k in keys) s.Append(Csv(k.Format(r) ?? string.Empty)).Append(',');
        s.Append(Csv(Prediction(p, r)));
        foreach (var v in Scores(p, r)) s.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
        s.Append(',').Append(Csv(_version)).Append(',').Append(_time).Append('\n');
        _out.Write(s.ToString());
    }

    private void JsonRow(TableColumn[] keys, Predictions p, int r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var k in keys)
            {
                if (k.Format(r) is { } v) w.WriteString(k.Name, v);
                else w.WriteNull(k.Name);
            }

            if (p.Task == ModelTask.Regression) w.WriteNumber(PredictionsFile.ValueColumn, p.Values![r]);
            else w.WriteString(PredictionsFile.LabelColumn, Prediction(p, r));
            foreach (var (name, v) in ScoreColumns(p).Zip(Scores(p, r))) w.WriteNumber(name, v);
            w.WriteString("model_version", _version);
            w.WriteString("predicted_at", _time);
            w.WriteEndObject();
        }

        _out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        _out.Write('\n');
    }

    private static string Prediction(Predictions p, int r) => p.Task switch
    {
        ModelTask.Multiclass => p.Classes![p.PredictedClass(r)],
        ModelTask.Binary => p.Probability![r] >= 0.5f ? "1" : "0",
        _ => p.Values![r].ToString("R", CultureInfo.InvariantCulture),
    };

    private static IEnumerable<float> Scores(Predictions p, int r) => p.Task switch
    {
        ModelTask.Binary => [p.Probability![r]],
        ModelTask.Multiclass => p.ClassProbabilities!.Skip(r * p.Classes!.Count).Take(p.Classes.Count),
        _ => [],
    };

    // RFC 4180: quote fields with a comma, quote, or line break; a leading =, +, - or @ is quoted too, so spreadsheets do not run it.
    private static string Csv(string value)
    {
        var risky = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || risky ? "\"" + (risky ? "'" : string.Empty) + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
