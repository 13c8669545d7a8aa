using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace MlOps.Data;

/// <summary>
/// Streams Apache Parquet files one row group at a time: memory is bounded by the largest row
/// group, not the file. Numbers, booleans, dates and timestamps stay typed. Nested data is named
/// by its full path: a STRUCT's fields are <c>s.a</c>, <c>s.b.c</c>; a LIST or MAP column holds its
/// length, and its elements go to <c>tags[]</c> (or <c>m[].key</c>, <c>m[].value</c>, <c>l[].field</c>)
/// for sinks that take elements. UUIDs are text and BLOBs their length in bytes. A column of a
/// type that cannot be read (TIME, INTERVAL) is skipped with a warning naming it, never the file.
/// </summary>
public sealed class ParquetDatasetReader : IDatasetReader
{
    /// <inheritdoc />
    public string Format => "parquet";

    /// <inheritdoc />
    public async Task ReadAsync(string path, IRecordSink sink, CancellationToken cancellationToken = default)
    {
        await using var stream = DataFiles.OpenRead(path);
        if (stream.Length == 0)
        {
            throw Errors.Data(path, "the file is empty; expected a Parquet file.");
        }

        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Errors.Data(path, $"not a readable Parquet file ({e.Message.TrimEnd('.')}).");
        }

        await using (reader)
        {
            sink.BeginFile(path);
            var leaves = new List<Leaf>();
            var columns = new Columns(sink, path);
            foreach (var field in reader.Schema.Fields)
            {
                Walk(field, field.Name, null, leaves, columns);
            }

            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = checked((int)group.RowCount);
                var data = new List<(Leaf Leaf, LeafData Data)>(leaves.Count);
                foreach (var leaf in leaves)
                {
                    try
                    {
                        data.Add((leaf, await LeafData.ReadAsync(group, leaf, cancellationToken)));
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or MlOpsException))
                    {
                        throw Errors.Data(path, $"row group {g + 1}, column \"{leaf.Name}\": cannot be read ({e.Message.TrimEnd('.')}).");
                    }
                }

                var utf8 = new byte[256];
                for (var r = 0; r < count; r++)
                {
                    foreach (var (leaf, column) in data)
                    {
                        column.PushRow(sink, leaf, ref utf8);
                    }

                    sink.EndRecord();
                }

                foreach (var (_, column) in data) column.Release();
                rows += count;
            }

            if (rows == 0)
            {
                throw Errors.Data(path, "the file has a schema but no data rows.");
            }

            sink.EndFile();
        }
    }

    // Collects the readable leaves under a field with their dataset names. `list` is the innermost
    // list or map the field sits in (null at the top level or inside structs only).
    private static void Walk(Field field, string name, Field? list, List<Leaf> leaves, Columns columns)
    {
        switch (field)
        {
            case StructField s:
                foreach (var child in s.Fields) Walk(child, $"{name}.{child.Name}", list, leaves, columns);
                break;
            case ListField l:
                Nested(l, name, list, [(l.Item, name + "[]")], leaves, columns);
                break;
            case MapField m:
                Nested(m, name, list, [(m.Key, name + "[].key"), (m.Value, name + "[].value")], leaves, columns);
                break;
            case DataField d:
                if (Unsupported(d) is { } why)
                {
                    columns.Warning($"column \"{name}\" is {why}; it is skipped.");
                    return;
                }

                var column = list is null ? columns.Column(name) : columns.Element(name);
                if (column >= 0) leaves.Add(new Leaf(d, name, column, list?.MaxDefinitionLevel ?? 0));
                break;
        }
    }

    private static void Nested(Field nested, string name, Field? outer, (Field Field, string Name)[] items, List<Leaf> leaves, Columns columns)
    {
        var first = leaves.Count;
        var lengthColumn = outer is null ? columns.Column(name) : -1;
        foreach (var (item, itemName) in items)
        {
            // Elements of a struct inside a list are named l[].field, not l[].element.field.
            if (item is StructField s && nested is ListField)
            {
                foreach (var child in s.Fields) Walk(child, $"{itemName}.{child.Name}", nested, leaves, columns);
            }
            else
            {
                Walk(item, itemName, nested, leaves, columns);
            }
        }

        // A list or map not inside another one also has a length: one value per row, counted
        // from its first leaf's levels (read even if the sink takes no elements).
        if (lengthColumn >= 0)
        {
            var column = lengthColumn;
            var leaf = leaves.Count > first ? leaves[first] : FirstLeaf(nested) is { } d ? new Leaf(d, name, -1, nested.MaxDefinitionLevel) : null;
            if (leaf is not null)
            {
                var withLength = leaf with { LengthColumn = column, LengthSlot = nested.MaxDefinitionLevel, LengthRepetition = nested.MaxRepetitionLevel };
                if (leaves.Count > first) leaves[first] = withLength;
                else leaves.Add(withLength);
            }
        }
    }

    private static DataField? FirstLeaf(Field field) => field switch
    {
        DataField d => Unsupported(d) is null ? d : null,
        StructField s => s.Fields.Select(FirstLeaf).FirstOrDefault(f => f is not null),
        ListField l => FirstLeaf(l.Item),
        MapField m => FirstLeaf(m.Key),
        _ => null,
    };

    private static string? Unsupported(DataField d)
    {
        if (d is TimeDataField) return "a time of day (Parquet TIME), which is not supported";
        var t = d.ClrType;
        if (t == typeof(Parquet.File.Values.Primitives.Interval)) return "an INTERVAL, which is not supported";
        return LeafData.CanRead(t) ? null : $"of the Parquet type {t.Name}, which is not supported";
    }

    // Registers each dataset name once: a second column that maps to a name already taken (a
    // top-level "s.a" beside struct s's field a) is skipped with a warning, never merged into it.
    private sealed class Columns(IRecordSink sink, string path)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public int Column(string name) => Claim(name) ? sink.Column(name) : -1;

        public int Element(string name) => Claim(name) ? sink.ElementColumn(name) : -1;

        public void Warning(string message) => sink.Warning($"{path}: {message}");

        private bool Claim(string name)
        {
            if (_names.Add(name)) return true;
            Warning($"two columns are both named \"{name}\" once nested fields are named by their path; the second is skipped.");
            return false;
        }
    }

    /// <summary>A leaf column and where its cells go.</summary>
    /// <param name="Field">The Parquet leaf.</param>
    /// <param name="Name">The dataset column name (full path).</param>
    /// <param name="Column">The sink's column for the leaf's values; -1 when only its length is wanted.</param>
    /// <param name="Slot">For elements: the definition level at which a list entry exists (below it, the list is empty or null).</param>
    private sealed record Leaf(DataField Field, string Name, int Column, int Slot)
    {
        public int LengthColumn { get; init; } = -1;

        public int LengthSlot { get; init; }

        public int LengthRepetition { get; init; }

        public bool Repeated => Field.MaxRepetitionLevel > 0;
    }

    /// <summary>One leaf of one row group: dense present values plus the levels that place them in rows.</summary>
    private abstract class LeafData
    {
        private int[]? _definitions;
        private int[]? _repetitions;
        private int _entries;

        /// <summary>Level entries in this row group (present values are at most this many; the pooled array may be longer).</summary>
        public int Entries => _entries;
        private int _entry;
        private int _value;

        public static bool CanRead(Type t) =>
            t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte)
            || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) || t == typeof(decimal) || t == typeof(bool)
            || t == typeof(ReadOnlyMemory<char>) || t == typeof(string) || t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[])
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Guid);

        public static async Task<LeafData> ReadAsync(ParquetRowGroupReader group, Leaf leaf, CancellationToken ct)
        {
            var f = leaf.Field;
            var t = f.ClrType;
            if (t == typeof(double)) return await Numbers<double>(group, f, v => v, false, ct);
            if (t == typeof(float)) return await Numbers<float>(group, f, v => v, false, ct);
            if (t == typeof(int)) return await Numbers<int>(group, f, v => v, true, ct);
            if (t == typeof(long)) return await Numbers<long>(group, f, v => v, true, ct);
            if (t == typeof(short)) return await Numbers<short>(group, f, v => v, true, ct);
            if (t == typeof(sbyte)) return await Numbers<sbyte>(group, f, v => v, true, ct);
            if (t == typeof(byte)) return await Numbers<byte>(group, f, v => v, true, ct);
            if (t == typeof(ushort)) return await Numbers<ushort>(group, f, v => v, true, ct);
            if (t == typeof(uint)) return await Numbers<uint>(group, f, v => v, true, ct);
            if (t == typeof(ulong)) return await Numbers<ulong>(group, f, v => v, true, ct);
            if (t == typeof(decimal)) return await Numbers<decimal>(group, f, v => (double)v, false, ct);
            if (t == typeof(bool))
            {
                var (values, column) = await Raw<bool, BooleanLeaf>(group, f, ct);
                column.Values = values;
                return column;
            }

            if (t == typeof(ReadOnlyMemory<char>) || t == typeof(string))
            {
                var (values, column) = await Raw<ReadOnlyMemory<char>, TextLeaf>(group, f, ct);
                column.Values = values;
                column.Pooled = true;
                return column;
            }

            if (t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[]))
            {
                // A BLOB is described by its length in bytes.
                var (values, column) = await Raw<ReadOnlyMemory<byte>, NumberLeaf>(group, f, ct);
                column.Values = values.Take(column.Entries).Select(v => (double)v.Length).ToArray();
                column.Integer = true;
                return column;
            }

            if (t == typeof(Guid))
            {
                var (values, column) = await Raw<Guid, TextLeaf>(group, f, ct);
                column.Values = values.Take(column.Entries).Select(g => g.ToString("D", CultureInfo.InvariantCulture).AsMemory()).ToArray();
                return column;
            }

            if (t == typeof(DateTimeOffset))
            {
                var (values, column) = await Raw<DateTimeOffset, TimeLeaf>(group, f, ct);
                column.Values = values.Take(column.Entries).Select(v => TimeValue.Seconds(v.UtcDateTime)).ToArray();
                column.Kind = TimeKind.Zoned;
                return column;
            }

            if (t == typeof(DateTime))
            {
                // The clock value as stored: naive stays naive, adjusted-to-UTC is an instant.
                var (values, column) = await Raw<DateTime, TimeLeaf>(group, f, ct);
                column.Values = values.Take(column.Entries).Select(TimeValue.Seconds).ToArray();
                column.Kind = f is DateTimeDataField dt
                    ? dt.DateTimeFormat == DateTimeFormat.Date ? TimeKind.Date : dt.DateTimeFormat == DateTimeFormat.Timestamp && !dt.IsAdjustedToUTC ? TimeKind.Naive : TimeKind.Zoned
                    : TimeKind.Naive;
                return column;
            }

            throw new DataException($"column \"{leaf.Name}\" has the Parquet type {t.Name}, which is not supported.");
        }

        private static async Task<NumberLeaf> Numbers<T>(ParquetRowGroupReader group, DataField field, Func<T, double> convert, bool integer, CancellationToken ct)
            where T : struct
        {
            var (values, column) = await Raw<T, NumberLeaf>(group, field, ct);
            if (values is double[] doubles)
            {
                column.Values = doubles;
            }
            else
            {
                var converted = System.Buffers.ArrayPool<double>.Shared.Rent(values.Length);
                for (var i = 0; i < values.Length; i++) converted[i] = convert(values[i]);
                System.Buffers.ArrayPool<T>.Shared.Return(values);
                column.Values = converted;
            }

            column.Pooled = true;

            column.Integer = integer;
            return column;
        }

        // Present values are dense; definition and repetition levels (when the leaf has them) say
        // which entries are missing and where each row starts.
        private static async Task<(T[] Values, TLeaf Column)> Raw<T, TLeaf>(ParquetRowGroupReader group, DataField field, CancellationToken ct)
            where T : struct
            where TLeaf : LeafData, new()
        {
            var entries = checked((int)(group.GetMetadata(field)?.MetaData?.NumValues ?? group.RowCount));
            // Pooled: a row group's arrays go back (Release) once its rows are pushed, so memory
            // stays at about one row group instead of growing with every group read.
            var values = System.Buffers.ArrayPool<T>.Shared.Rent(Math.Max(entries, 1));
            var definitions = field.MaxDefinitionLevel > 0 ? System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(entries, 1)) : null;
            var repetitions = field.MaxRepetitionLevel > 0 ? System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(entries, 1)) : null;

            // The reader wants a repetition buffer even for flat leaves, whose levels are all 0: lend one.
            var scratch = repetitions is null ? System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(entries, 1)) : null;
            try
            {
                await group.ReadRawAsync<T>(field, values.AsMemory(0, entries), definitions?.AsMemory(0, entries), (repetitions ?? scratch!).AsMemory(0, entries), ct);
            }
            finally
            {
                if (scratch is not null) System.Buffers.ArrayPool<int>.Shared.Return(scratch);
            }

            // The first `present` values are the column's; the rest of the array is unused.
            return (values, new TLeaf { _definitions = definitions, _repetitions = repetitions, _entries = entries });
        }

        /// <summary>Pushes this leaf's cells of the next row (and the list length, where it carries one).</summary>
        public void PushRow(IRecordSink sink, Leaf leaf, ref byte[] utf8)
        {
            var max = leaf.Field.MaxDefinitionLevel;
            if (!leaf.Repeated)
            {
                var present = _definitions is null || _definitions[_entry] == max;
                _entry++;
                if (present) Push(sink, leaf.Column, _value++, ref utf8);
                else sink.Missing(leaf.Column);
                return;
            }

            var start = _entry;
            var length = 0;
            do
            {
                var d = _definitions![_entry];
                if (d == max)
                {
                    if (leaf.Column >= 0) Push(sink, leaf.Column, _value, ref utf8);
                    _value++;
                }
                else if (d >= leaf.Slot && leaf.Column >= 0)
                {
                    sink.Missing(leaf.Column); // a null element
                }

                if (d >= leaf.LengthSlot && _repetitions![_entry] <= leaf.LengthRepetition) length++;
                _entry++;
            }
            while (_entry < _entries && _repetitions![_entry] != 0);

            if (leaf.LengthColumn >= 0)
            {
                // Below the list's own level the list itself is null: a missing length, not 0.
                if (_definitions[start] < leaf.LengthSlot - 1) sink.Missing(leaf.LengthColumn);
                else sink.Number(leaf.LengthColumn, _definitions[start] < leaf.LengthSlot ? 0 : length, true);
            }
        }

        protected abstract void Push(IRecordSink sink, int column, int value, ref byte[] utf8);

        /// <summary>Returns the pooled arrays once the row group's rows are pushed.</summary>
        public virtual void Release()
        {
            if (_definitions is not null) System.Buffers.ArrayPool<int>.Shared.Return(_definitions);
            if (_repetitions is not null) System.Buffers.ArrayPool<int>.Shared.Return(_repetitions);
            _definitions = _repetitions = null;
        }
    }

    private sealed class NumberLeaf : LeafData
    {
        public double[] Values { get; set; } = [];

        public bool Integer { get; set; }

        public bool Pooled { get; set; }

        public override void Release()
        {
            base.Release();
            if (Pooled) System.Buffers.ArrayPool<double>.Shared.Return(Values);
            Values = [];
        }

        protected override void Push(IRecordSink sink, int column, int value, ref byte[] utf8) => sink.Number(column, Values[value], Integer);
    }

    private sealed class BooleanLeaf : LeafData
    {
        public bool[] Values { get; set; } = [];

        protected override void Push(IRecordSink sink, int column, int value, ref byte[] utf8) => sink.Boolean(column, Values[value]);
    }

    private sealed class TimeLeaf : LeafData
    {
        public double[] Values { get; set; } = [];

        public TimeKind Kind { get; set; }

        protected override void Push(IRecordSink sink, int column, int value, ref byte[] utf8) => sink.Time(column, Values[value], Kind);
    }

    private sealed class TextLeaf : LeafData
    {
        public ReadOnlyMemory<char>[] Values { get; set; } = [];

        public bool Pooled { get; set; }

        public override void Release()
        {
            base.Release();
            if (Pooled) System.Buffers.ArrayPool<ReadOnlyMemory<char>>.Shared.Return(Values, clearArray: true);
            Values = [];
        }

        protected override void Push(IRecordSink sink, int column, int value, ref byte[] utf8)
        {
            var s = Values[value].Span;
            if (s.IsEmpty)
            {
                sink.Missing(column);
                return;
            }

            var max = Encoding.UTF8.GetMaxByteCount(s.Length);
            if (utf8.Length < max) utf8 = new byte[max];
            var n = Encoding.UTF8.GetBytes(s, utf8);
            sink.Text(column, utf8.AsSpan(0, n));
        }
    }
}
