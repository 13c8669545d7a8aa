using System.Globalization;
using System.Text.Json;
using MlOps.Data;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Monitoring;

/// <summary>
/// Ground truth that arrives after the predictions: a table of labels joined to logged rows by
/// the request id the server returned (with <c>row</c>, 0-based, for requests of several rows) or
/// by a key column the rows carry (predict's <c>--key</c>, or an input column).
/// </summary>
public sealed class LabelJoin
{
    /// <summary>The join column for the server's request ids.</summary>
    public const string RequestIdColumn = "request_id";

    /// <summary>The row within a request (0-based) when labels join on request ids.</summary>
    public const string RowColumn = "row";

    private readonly Dictionary<string, int> _rows;

    private LabelJoin(string path, string key, TableColumn label, Dictionary<string, int> rows, long duplicates)
    {
        Path = path;
        Key = key;
        Label = label;
        _rows = rows;
        Duplicates = duplicates;
    }

    /// <summary>The labels file.</summary>
    public string Path { get; }

    /// <summary>The join column.</summary>
    public string Key { get; }

    /// <summary>The truth, one row per label.</summary>
    public TableColumn Label { get; }

    /// <summary>Labeled rows in the file.</summary>
    public int Count => _rows.Count;

    /// <summary>Join keys given more than once (the last one counts).</summary>
    public long Duplicates { get; }

    /// <summary>Reads the labels.</summary>
    /// <exception cref="DataException">The file lacks the label or join column, or has no labels.</exception>
    public static async Task<LabelJoin> LoadAsync(DatasetSource source, string labelColumn, string key, ModelTask task, CancellationToken cancellationToken = default)
    {
        var declared = new Dictionary<string, ColumnKind>(StringComparer.Ordinal)
        {
            [labelColumn] = task == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Text,
            [key] = ColumnKind.Text,
            [RowColumn] = ColumnKind.Numeric,
        };
        var table = await TableLoader.LoadAsync(source, declared, null, cancellationToken);
        string Columns() => string.Join(", ", table.Columns.Select(c => c.Name));
        var label = table.Find(labelColumn) ?? throw Errors.Data(source.Path, $"no label column '{labelColumn}'; columns: {Columns()} (set monitor.labels.column).");
        var join = table.Find(key) ?? throw Errors.Data(source.Path, $"no join column '{key}'; columns: {Columns()} (labels join on {RequestIdColumn}, the id the server returns in X-Request-Id, or on the key column monitor.labels.key names).");
        var row = key == RequestIdColumn ? table.Find(RowColumn) : null;
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        long duplicates = 0;
        for (var r = 0; r < table.RowCount; r++)
        {
            if (label.IsMissing(r) || join.Format(r) is not { Length: > 0 } id) continue;
            var within = row is null || row.IsMissing(r) ? 0 : (int)row.Numbers![r];
            if (!rows.TryAdd(Of(id, within), r))
            {
                duplicates++;
                rows[Of(id, within)] = r;
            }
        }

        if (rows.Count == 0) throw Errors.Data(source.Path, $"no row has both '{labelColumn}' and '{key}'; nothing to join.");
        return new LabelJoin(source.Path, key, label, rows, duplicates);
    }

    /// <summary>The label row for a logged row, or -1.</summary>
    /// <param name="entry">The log entry (its id).</param>
    /// <param name="index">The row's position in the entry.</param>
    /// <param name="keys">The entry's key row (predict --key), if any.</param>
    /// <param name="inputs">The entry's input row.</param>
    public int Find(JsonElement entry, int index, JsonElement? keys, JsonElement inputs)
    {
        string? id;
        if (Key == RequestIdColumn)
        {
            id = entry.TryGetProperty("id", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        }
        else
        {
            id = Text(keys, Key) ?? Text(inputs, Key);
            index = 0;
        }

        return id is not null && _rows.TryGetValue(Of(id, index), out var r) ? r : -1;
    }

    private static string? Text(JsonElement? row, string name) =>
        row is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static string Of(string id, int row) => row == 0 ? id : id + "\u001f" + row.ToString(CultureInfo.InvariantCulture);
}
