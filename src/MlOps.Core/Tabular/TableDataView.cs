using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlOps.Tabular;

/// <summary>How the label column is presented to ML.NET.</summary>
public enum LabelKind
{
    /// <summary>No label (scoring).</summary>
    None,

    /// <summary>Boolean: true for the positive class (binary classification).</summary>
    Boolean,

    /// <summary>Text class names (multiclass; mapped to keys before training).</summary>
    Text,

    /// <summary>A real number (regression).</summary>
    Numeric,
}

/// <summary>
/// An ML.NET <see cref="IDataView"/> over selected rows and columns of a <see cref="Table"/>,
/// without copying: numeric columns are <see cref="float"/>, text columns
/// <see cref="ReadOnlyMemory{T}"/> of char, and the label (named "Label") as <see cref="LabelKind"/>.
/// </summary>
public sealed class TableDataView : IDataView
{
    /// <summary>The name ML.NET trainers expect for the label.</summary>
    public const string LabelColumn = "Label";

    private readonly int[] _rows;
    private readonly TableColumn[] _features;
    private readonly TableColumn? _label;
    private readonly LabelKind _labelKind;
    private readonly string? _positiveClass;

    /// <summary>Creates the view.</summary>
    /// <param name="table">The data.</param>
    /// <param name="rows">The row indices to expose, in order.</param>
    /// <param name="features">The feature columns, exposed under their own names.</param>
    /// <param name="label">The label column, or null.</param>
    /// <param name="labelKind">How to expose the label.</param>
    /// <param name="positiveClass">For <see cref="LabelKind.Boolean"/>: the label value that means true.</param>
    public TableDataView(Table table, int[] rows, IReadOnlyList<TableColumn> features, TableColumn? label = null, LabelKind labelKind = LabelKind.None, string? positiveClass = null)
    {
        foreach (var r in rows)
        {
            if ((uint)r >= (uint)table.RowCount) throw new ArgumentOutOfRangeException(nameof(rows), $"row {r} is outside the table's {table.RowCount} rows.");
        }

        _rows = rows;
        _features = features.ToArray();
        _label = label;
        _labelKind = label is null ? LabelKind.None : labelKind;
        _positiveClass = positiveClass;
        var builder = new DataViewSchema.Builder();
        foreach (var f in _features)
        {
            builder.AddColumn(f.Name, f.Kind == ColumnKind.Numeric ? NumberDataViewType.Single : TextDataViewType.Instance);
        }

        switch (_labelKind)
        {
            case LabelKind.Boolean: builder.AddColumn(LabelColumn, BooleanDataViewType.Instance); break;
            case LabelKind.Text: builder.AddColumn(LabelColumn, TextDataViewType.Instance); break;
            case LabelKind.Numeric: builder.AddColumn(LabelColumn, NumberDataViewType.Single); break;
        }

        Schema = builder.ToSchema();
    }

    /// <summary>The rows exposed.</summary>
    public IReadOnlyList<int> Rows => _rows;

    /// <inheritdoc/>
    public bool CanShuffle => false;

    /// <inheritdoc/>
    public DataViewSchema Schema { get; }

    /// <inheritdoc/>
    public long? GetRowCount() => _rows.Length;

    /// <inheritdoc/>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, 0, _rows.Length);

    /// <inheritdoc/>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        // One cursor keeps row order, which keeps training deterministic for a given seed.
        return [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor(TableDataView view, int start, int end) : DataViewRowCursor
    {
        private int _position = start - 1;

        public override long Position => _position - start;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override bool MoveNext() => ++_position < end;

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)view._rows[_position], 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < view._features.Length)
            {
                var f = view._features[column.Index];
                if (f.Kind == ColumnKind.Numeric)
                {
                    var numbers = f.Numbers!;
                    ValueGetter<float> g = (ref float v) => v = numbers[view._rows[_position]];
                    return (ValueGetter<TValue>)(Delegate)g;
                }

                var texts = f.Texts!;
                ValueGetter<ReadOnlyMemory<char>> t = (ref ReadOnlyMemory<char> v) => v = (texts[view._rows[_position]] ?? string.Empty).AsMemory();
                return (ValueGetter<TValue>)(Delegate)t;
            }

            var label = view._label!;
            switch (view._labelKind)
            {
                case LabelKind.Boolean:
                    ValueGetter<bool> b = (ref bool v) => v = string.Equals(label.Format(view._rows[_position]), view._positiveClass, StringComparison.Ordinal);
                    return (ValueGetter<TValue>)(Delegate)b;
                case LabelKind.Text:
                    ValueGetter<ReadOnlyMemory<char>> s = (ref ReadOnlyMemory<char> v) => v = (label.Format(view._rows[_position]) ?? string.Empty).AsMemory();
                    return (ValueGetter<TValue>)(Delegate)s;
                default:
                    ValueGetter<float> n = (ref float v) => v = label.Kind == ColumnKind.Numeric ? label.Numbers![view._rows[_position]] : float.NaN;
                    return (ValueGetter<TValue>)(Delegate)n;
            }
        }
    }
}
