using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MlOps.Data;

/// <summary>
/// Pushes the properties of parsed JSON rows into a record sink, remembering each column by its
/// position so rows of the same shape (every logged row) look names up without allocating.
/// </summary>
public sealed class JsonRowFeeder(IRecordSink sink)
{
    private readonly List<(byte[] Name, int Column)> _columns = [];
    private int _position;

    /// <summary>The sink the cells go to.</summary>
    public IRecordSink Sink => sink;

    /// <summary>Adds every property of <paramref name="row"/> (a flat object) and ends the record.</summary>
    public void Row(JsonElement row)
    {
        if (row.ValueKind == JsonValueKind.Object)
        {
            _position = 0;
            foreach (var p in row.EnumerateObject()) Cell(p);
        }

        sink.EndRecord();
    }

    /// <summary>Adds one property of the current row.</summary>
    public void Cell(JsonProperty property)
    {
        var i = _position++;
        if (i >= _columns.Count || !property.NameEquals(_columns[i].Name))
        {
            i = _columns.FindIndex(c => property.NameEquals(c.Name));
            if (i < 0)
            {
                _columns.Add((Encoding.UTF8.GetBytes(property.Name), sink.Column(property.Name)));
                i = _columns.Count - 1;
            }
        }

        Value(_columns[i].Column, property.Value);
    }

    /// <summary>Adds a value under a derived column name.</summary>
    public void Cell(string name, JsonElement value) => Value(sink.Column(name), value);

    private void Value(int column, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var raw = JsonMarshal.GetRawUtf8Value(value);
                if (raw.Length <= 2) sink.Missing(column);
                else if (raw.IndexOf((byte)'\\') < 0) sink.Text(column, raw[1..^1]);
                else sink.Text(column, Encoding.UTF8.GetBytes(value.GetString()!));
                break;
            case JsonValueKind.Number:
                var number = JsonMarshal.GetRawUtf8Value(value);
                sink.Number(column, value.GetDouble(), number.IndexOfAny(".eE"u8) < 0);
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                sink.Boolean(column, value.ValueKind == JsonValueKind.True);
                break;
            case JsonValueKind.Null:
                sink.Missing(column);
                break;
            default:
                // A nested value in a logged row is kept as its JSON text: counted, never fatal.
                sink.Text(column, JsonMarshal.GetRawUtf8Value(value));
                break;
        }
    }
}
