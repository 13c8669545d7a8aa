using System.Text;
using MlOps.Validation.Statistics;

namespace MlOps.Validation.Schema;

/// <summary>The kinds of value-level problems found while reading.</summary>
public enum ViolationKind
{
    /// <summary>A value does not have the declared type.</summary>
    TypeMismatch,

    /// <summary>A categorical value is not in the declared domain.</summary>
    OutOfDomain,

    /// <summary>A numeric value is outside the declared range.</summary>
    OutOfRange,
}

/// <summary>How often a value-level problem occurred, where first, and a few examples.</summary>
public sealed class Violation(ViolationKind kind)
{
    /// <summary>The kind of problem.</summary>
    public ViolationKind Kind { get; } = kind;

    /// <summary>How many cells had it.</summary>
    public long Count { get; set; }

    /// <summary>The file of the first occurrence.</summary>
    public string? File { get; set; }

    /// <summary>The 1-based data row of the first occurrence in <see cref="File"/>.</summary>
    public long Row { get; set; }

    /// <summary>Up to five distinct offending values.</summary>
    public List<string> Examples { get; } = [];

    /// <summary>Counts one occurrence.</summary>
    public void Record(string file, long row, string example)
    {
        if (Count++ == 0)
        {
            File = file;
            Row = row;
        }

        if (Examples.Count < 5 && !Examples.Contains(example))
        {
            Examples.Add(example);
        }
    }
}

/// <summary>
/// Checks each value of one column against its declared type, domain and range while the data
/// streams by, so anomalies can name a row without a second pass.
/// </summary>
internal sealed class ValueCheck
{
    private readonly ColumnSchema _schema;
    private readonly HashSet<string>? _domain;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _domainLookup;
    private char[] _chars = new char[128];

    public ValueCheck(ColumnSchema schema)
    {
        _schema = schema;
        if (schema.Domain is { Count: > 0 } domain)
        {
            _domain = new HashSet<string>(domain, StringComparer.Ordinal);
            _domainLookup = _domain.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    public Dictionary<ViolationKind, Violation> Violations { get; } = [];

    /// <summary>Declared text columns read every cell as text (codes like "007" stay text).</summary>
    public bool TreatAsText => _schema.Type == ColumnType.String;

    public void OnNumber(double value, bool isInteger, string file, long row)
    {
        switch (_schema.Type)
        {
            case ColumnType.Boolean or ColumnType.Date or ColumnType.Timestamp:
                Record(ViolationKind.TypeMismatch, file, row, Format(value));
                return;
            case ColumnType.Integer when !isInteger && value != Math.Floor(value):
                Record(ViolationKind.TypeMismatch, file, row, Format(value));
                return;
        }

        if ((_schema.Min is { } min && value < min) || (_schema.Max is { } max && value > max))
        {
            Record(ViolationKind.OutOfRange, file, row, Format(value));
        }

        if (_domain is not null && !_domain.Contains(Format(value)))
        {
            Record(ViolationKind.OutOfDomain, file, row, Format(value));
        }
    }

    /// <summary>A date or timestamp: a type mismatch unless the column is a time column, then the range check (schema min/max are times).</summary>
    public void OnTime(double seconds, Data.TimeKind kind, string file, long row)
    {
        if (!_schema.Type.IsTime() || (_schema.Type == ColumnType.Date && kind != Data.TimeKind.Date))
        {
            Record(ViolationKind.TypeMismatch, file, row, Data.TimeValue.Format(seconds, kind));
            return;
        }

        if ((_schema.Min is { } min && seconds < min) || (_schema.Max is { } max && seconds > max))
        {
            Record(ViolationKind.OutOfRange, file, row, Data.TimeValue.Format(seconds, kind));
        }
    }

    public void OnBoolean(bool value, string file, long row)
    {
        if (_schema.Type.IsNumeric() || _schema.Type.IsTime())
        {
            Record(ViolationKind.TypeMismatch, file, row, value ? "true" : "false");
        }
    }

    public void OnText(ReadOnlySpan<byte> utf8, string file, long row)
    {
        if (_schema.Type is ColumnType.Integer or ColumnType.Number or ColumnType.Boolean or ColumnType.Date or ColumnType.Timestamp)
        {
            Record(ViolationKind.TypeMismatch, file, row, Encoding.UTF8.GetString(utf8));
            return;
        }

        if (_domain is null)
        {
            return;
        }

        if (_chars.Length < utf8.Length) _chars = new char[utf8.Length * 2];
        var n = Encoding.UTF8.GetChars(utf8, _chars);
        if (!_domainLookup.Contains(_chars.AsSpan(0, n)))
        {
            Record(ViolationKind.OutOfDomain, file, row, new string(_chars, 0, n));
        }
    }

    private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private void Record(ViolationKind kind, string file, long row, string example)
    {
        if (!Violations.TryGetValue(kind, out var v))
        {
            Violations[kind] = v = new Violation(kind);
        }

        v.Record(file, row, example.Length > 60 ? example[..57] + "..." : example);
    }
}
