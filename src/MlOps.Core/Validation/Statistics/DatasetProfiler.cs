using System.Globalization;
using MlOps.Data;
using MlOps.Validation.Schema;

namespace MlOps.Validation.Statistics;

/// <summary>
/// The sink that turns a stream of cells into column profiles, optionally checking each value
/// against a declared schema and keeping only one shard of the rows.
/// </summary>
public sealed class DatasetProfiler : IRecordSink
{
    private readonly DatasetSchema? _schema;
    private readonly Shard? _shard;
    private readonly int _exactValues;
    private readonly bool _nonFiniteAsMissing;
    private readonly List<ColumnProfile> _columns = [];
    private readonly List<ValueCheck?> _checks = [];
    private readonly List<long> _stamps = [];
    private readonly List<bool> _elements = [];
    private readonly List<string> _warnings = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _files = [];
    private string _file = string.Empty;
    private long _row;       // 1-based row in the current file
    private long _record;    // records seen across files (for row sharding)
    private long _rows;      // rows kept
    private int _touched;
    private bool _skip;

    /// <summary>Creates a profiler.</summary>
    /// <param name="schema">When given, values are checked against it and declared text columns are read as text.</param>
    /// <param name="shard">When given with <see cref="Shard.ByRow"/>, only that shard's rows are kept.</param>
    /// <param name="exactValues">Distinct numeric values per column counted exactly before the quantile sketch alone describes it.</param>
    /// <param name="nonFiniteAsMissing"><c>data.non-finite: missing</c>: NaN and infinities are missing values instead of a data error.</param>
    public DatasetProfiler(DatasetSchema? schema = null, Shard? shard = null, int exactValues = ColumnProfile.DefaultExactValues, bool nonFiniteAsMissing = false)
    {
        _nonFiniteAsMissing = nonFiniteAsMissing;
        _schema = schema;
        _shard = shard;
        _exactValues = exactValues;
        UpdateSkip();
    }

    /// <summary>Rows kept so far.</summary>
    public long Rows => _rows;

    /// <summary>Files read so far.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <inheritdoc />
    public int Column(string name)
    {
        if (_index.TryGetValue(name, out var i))
        {
            return i;
        }

        i = _columns.Count;
        _index[name] = i;
        // Rows before this column appeared did not have it.
        _columns.Add(new ColumnProfile(name, _exactValues) { Missing = _rows });
        _checks.Add(_schema?.Find(name) is { } declared ? new ValueCheck(declared) : null);
        _stamps.Add(-1);
        _elements.Add(false);
        return i;
    }

    /// <inheritdoc />
    /// <remarks>An element column counts elements, not rows: a record may add any number of cells, and one that adds none is not missing there.</remarks>
    public int ElementColumn(string name)
    {
        var known = _index.ContainsKey(name);
        var i = Column(name);
        if (!known) _columns[i].Missing = 0;
        _elements[i] = true;
        return i;
    }

    /// <inheritdoc />
    public void Warning(string message)
    {
        // Column names come from the data: no control character (a line break and "::") reaches a log.
        message = string.Concat(message.Select(c => char.IsControl(c) ? ' ' : c));
        if (!_warnings.Contains(message)) _warnings.Add(message);
    }

    /// <inheritdoc />
    public void Time(int column, double seconds, TimeKind kind)
    {
        if (_skip || !Touch(column)) return;
        if (_checks[column] is { TreatAsText: true } check)
        {
            var text = System.Text.Encoding.UTF8.GetBytes(TimeValue.Format(seconds, kind));
            _columns[column].AddText(text);
            check.OnText(text, _file, _row + 1);
            return;
        }

        _columns[column].AddTime(seconds, kind);
        _checks[column]?.OnTime(seconds, kind, _file, _row + 1);
    }

    /// <inheritdoc />
    public void BeginFile(string path)
    {
        _file = path;
        _files.Add(path);
        _row = 0;
    }

    /// <inheritdoc />
    public void Text(int column, ReadOnlySpan<byte> utf8)
    {
        if (_skip || !Touch(column)) return;
        var profile = _columns[column];
        var check = _checks[column];
        if (check is { TreatAsText: true })
        {
            profile.AddText(utf8);
            check.OnText(utf8, _file, _row + 1);
            return;
        }

        var kind = Utf8Number.Classify(utf8, out var value, out var boolean);
        switch (kind)
        {
            case CellKind.Integer:
            case CellKind.Number:
                var isInteger = kind == CellKind.Integer;
                profile.AddNumber(value, isInteger);
                check?.OnNumber(value, isInteger, _file, _row + 1);
                break;
            case CellKind.Boolean:
                profile.AddBoolean(boolean);
                check?.OnBoolean(boolean, _file, _row + 1);
                break;
            case CellKind.NonFinite:
                if (_nonFiniteAsMissing) profile.Missing++;
                else profile.AddNonFinite(utf8, _file, _row + 1);
                break;
            default:
                // ISO-8601 dates and timestamps in text (CSV, JSON) are time values, as Parquet's are.
                if (TimeValue.TryParse(utf8, out var seconds, out var timeKind))
                {
                    profile.AddTime(seconds, timeKind);
                    check?.OnTime(seconds, timeKind, _file, _row + 1);
                    break;
                }

                profile.AddText(utf8);
                check?.OnText(utf8, _file, _row + 1);
                break;
        }
    }

    /// <inheritdoc />
    public void Number(int column, double value, bool isInteger)
    {
        if (_skip || !Touch(column)) return;
        if (!double.IsFinite(value))
        {
            if (_nonFiniteAsMissing)
            {
                _columns[column].Missing++;
                return;
            }

            _columns[column].AddNonFinite(double.IsNaN(value) ? "NaN"u8 : "Infinity"u8, _file, _row + 1);
            return;
        }

        _columns[column].AddNumber(value, isInteger);
        _checks[column]?.OnNumber(value, isInteger, _file, _row + 1);
    }

    /// <inheritdoc />
    public void Boolean(int column, bool value)
    {
        if (_skip || !Touch(column)) return;
        _columns[column].AddBoolean(value);
        _checks[column]?.OnBoolean(value, _file, _row + 1);
    }

    /// <inheritdoc />
    public void Missing(int column)
    {
        if (_skip || !Touch(column)) return;
        _columns[column].Missing++;
    }

    /// <inheritdoc />
    public void EndRecord()
    {
        _row++;
        _record++;
        if (!_skip)
        {
            if (_touched != _columns.Count)
            {
                for (var i = 0; i < _columns.Count; i++)
                {
                    if (_stamps[i] != _record - 1 && !_elements[i]) _columns[i].Missing++;
                }
            }

            _rows++;
        }

        _touched = 0;
        UpdateSkip();
    }

    /// <inheritdoc />
    public void EndFile()
    {
    }

    /// <summary>The finished profile. NaN or infinity in a numeric column is a data error.</summary>
    /// <exception cref="DataException">A numeric column holds NaN or an infinity.</exception>
    public DatasetProfile Build(string source) => Build([this], source);

    /// <summary>
    /// The finished profile of profilers that each received every record but only the cells of
    /// the columns they own (column index modulo their number, as <see cref="Data.PipelinedSink"/>
    /// hands them out): each column is taken from its owner, so the result equals one profiler's.
    /// </summary>
    /// <exception cref="DataException">A numeric column holds NaN or an infinity (the first such column in order).</exception>
    public static DatasetProfile Build(IReadOnlyList<DatasetProfiler> parts, string source)
    {
        var first = parts[0];
        var n = parts.Count;
        var columns = first._columns.Select((_, j) => parts[j % n]._columns[j]).ToList();
        foreach (var c in columns)
        {
            // Numeric either by its values (no text besides the NaNs) or by the declared schema.
            var numeric = c.Texts == 0 || first._schema?.Find(c.Name)?.Type.IsNumeric() == true;
            if (numeric && c.FirstNonFinite is { } at)
            {
                throw Errors.Data(at.File, at.Row, "NaN or infinity in a numeric column; leave the cell empty for a missing value, or set data.non-finite: missing.", c.Name);
            }
        }

        var violations = new Dictionary<string, IReadOnlyList<Violation>>(StringComparer.Ordinal);
        for (var j = 0; j < columns.Count; j++)
        {
            if (parts[j % n]._checks[j] is { Violations.Count: > 0 } check)
            {
                violations[columns[j].Name] = check.Violations.Values.ToList();
            }
        }

        return new DatasetProfile
        {
            Source = source,
            Files = first._files.ToList(),
            Rows = first._rows,
            Columns = columns,
            Violations = violations,
            Shard = first._shard?.ToString(),
            Warnings = first._warnings.ToList(),
        };
    }

    private bool Touch(int column)
    {
        if (_elements[column]) return true;

        // A column repeated in one record (duplicate JSON key) counts once.
        if (_stamps[column] == _record) return false;
        _stamps[column] = _record;
        _touched++;
        return true;
    }

    private void UpdateSkip() => _skip = _shard is { ByRow: true } s && _record % s.Count != s.Index;
}

/// <summary>
/// One of <see cref="Count"/> parts of a dataset (<c>--shard i/n</c>, 1-based on the command line).
/// With at least n files a shard takes whole files (each runner reads only its own); with fewer it
/// takes every n-th row.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    /// <summary>Whether rows, not files, are divided.</summary>
    public bool ByRow { get; init; }

    /// <summary>Parses "i/n" with 1 ≤ i ≤ n.</summary>
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && i >= 1 && i <= n)
        {
            return new Shard(i - 1, n);
        }

        throw Errors.Config("--shard", $"'{text}' is not a shard; write i/n with 1 ≤ i ≤ n, for example 2/4.");
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index + 1}/{Count}");
}
