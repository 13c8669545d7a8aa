using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Tabular;

namespace MlOps.Scoring;

/// <summary>
/// What ML.NET's PredictionEngine does, without its compile-time row type (our models take the
/// raw columns of whatever data they were trained on): the model's row-to-row mapper is bound
/// once to a mutable input row, and each prediction moves that row to a table row and reads the
/// output getter. Not thread-safe: <see cref="MlNetScorer"/> pools one per concurrent caller.
/// </summary>
internal sealed class MlNetRowEngine : IDisposable
{
    private readonly InputRow _input;
    private readonly DataViewRow _output;
    private readonly ValueGetter<float>? _single;
    private readonly ValueGetter<VBuffer<float>>? _vector;
    private VBuffer<float> _scores;

    public MlNetRowEngine(ITransformer model, DataViewSchema inputSchema, string outputColumn, bool vector)
    {
        _input = new InputRow(inputSchema);
        var mapper = model.GetRowToRowMapper(inputSchema);
        var column = mapper.OutputSchema[outputColumn];
        _output = mapper.GetRow(_input, [column]);
        if (vector)
        {
            _vector = _output.GetGetter<VBuffer<float>>(column);
        }
        else
        {
            _single = _output.GetGetter<float>(column);
        }
    }

    /// <summary>Scores table rows: one float each, or <paramref name="width"/> per row into <paramref name="into"/>.</summary>
    public void Score(TableColumn[] columns, int[] rows, float[] into, int width)
    {
        _input.Columns = columns;
        for (var i = 0; i < rows.Length; i++)
        {
            _input.MoveTo(rows[i]);
            if (_single is not null)
            {
                var value = 0f;
                _single(ref value);
                into[i] = value;
            }
            else
            {
                _vector!(ref _scores);
                _scores.CopyTo(into, i * width);
            }
        }

        _input.Columns = [];
    }

    public void Dispose() => _output.Dispose();

    /// <summary>One row whose values are a table row's; every move is a new position, so mappers never serve a cached value.</summary>
    private sealed class InputRow(DataViewSchema schema) : DataViewRow
    {
        private long _position = -1;
        private int _row;

        public TableColumn[] Columns { get; set; } = [];

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => schema;

        public void MoveTo(int row)
        {
            _row = row;
            _position++;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var index = column.Index;
            if (column.Type is TextDataViewType)
            {
                ValueGetter<ReadOnlyMemory<char>> text = (ref ReadOnlyMemory<char> v) => v = (Columns[index].Texts![_row] ?? string.Empty).AsMemory();
                return (ValueGetter<TValue>)(Delegate)text;
            }

            ValueGetter<float> number = (ref float v) => v = Columns[index].Numbers![_row];
            return (ValueGetter<TValue>)(Delegate)number;
        }
    }
}
