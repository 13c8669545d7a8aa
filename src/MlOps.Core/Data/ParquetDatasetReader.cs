using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace MlOps.Data;

/// <summary>
/// Streams Apache Parquet files one row group at a time: memory is bounded by the largest row
/// group, not the file. Numeric and boolean columns stay typed; everything else is text.
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
            var fields = reader.Schema.GetDataFields();
            foreach (var f in fields.Where(f => f.IsArray || f.MaxRepetitionLevel > 0))
            {
                throw Errors.Data(path, $"column \"{f.Path}\" is a list; only flat columns are supported.");
            }

            sink.BeginFile(path);
            var columns = fields.Select(f => sink.Column(f.Name)).ToArray();
            long rows = 0;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var count = checked((int)group.RowCount);
                var data = new ColumnData[fields.Length];
                for (var c = 0; c < fields.Length; c++)
                {
                    try
                    {
                        data[c] = await ColumnData.ReadAsync(group, fields[c], count, cancellationToken);
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or MlOpsException))
                    {
                        throw Errors.Data(path, $"row group {g + 1}, column \"{fields[c].Name}\": cannot be read ({e.Message.TrimEnd('.')}).");
                    }
                }

                var utf8 = new byte[256];
                for (var r = 0; r < count; r++)
                {
                    for (var c = 0; c < data.Length; c++)
                    {
                        data[c].Push(sink, columns[c], r, ref utf8);
                    }

                    sink.EndRecord();
                }

                rows += count;
            }

            if (rows == 0)
            {
                throw Errors.Data(path, "the file has a schema but no data rows.");
            }

            sink.EndFile();
        }
    }

    /// <summary>One column of one row group, read typed.</summary>
    private abstract class ColumnData
    {
        public static async Task<ColumnData> ReadAsync(ParquetRowGroupReader group, DataField field, int count, CancellationToken ct)
        {
            var type = field.ClrType;
            if (type == typeof(double)) return await Numbers<double>(group, field, count, v => v, false, ct);
            if (type == typeof(float)) return await Numbers<float>(group, field, count, v => v, false, ct);
            if (type == typeof(int)) return await Numbers<int>(group, field, count, v => v, true, ct);
            if (type == typeof(long)) return await Numbers<long>(group, field, count, v => v, true, ct);
            if (type == typeof(short)) return await Numbers<short>(group, field, count, v => v, true, ct);
            if (type == typeof(sbyte)) return await Numbers<sbyte>(group, field, count, v => v, true, ct);
            if (type == typeof(byte)) return await Numbers<byte>(group, field, count, v => v, true, ct);
            if (type == typeof(ushort)) return await Numbers<ushort>(group, field, count, v => v, true, ct);
            if (type == typeof(uint)) return await Numbers<uint>(group, field, count, v => v, true, ct);
            if (type == typeof(ulong)) return await Numbers<ulong>(group, field, count, v => v, true, ct);
            if (type == typeof(decimal)) return await Numbers<decimal>(group, field, count, v => (double)v, false, ct);
            if (type == typeof(bool))
            {
                var values = new bool?[count];
                if (field.IsNullable)
                {
                    await group.ReadAsync<bool>(field, values.AsMemory(), null, ct);
                }
                else
                {
                    var plain = new bool[count];
                    await group.ReadAsync<bool>(field, plain.AsMemory(), null, ct);
                    for (var i = 0; i < count; i++) values[i] = plain[i];
                }

                return new BooleanColumn(values);
            }

            if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
            {
                var values = new string?[count];
                await group.ReadAsync(field, values.AsMemory(), null, ct);
                return new TextColumn(values);
            }

            if (type == typeof(DateTime))
            {
                var values = new DateTime?[count];
                if (field.IsNullable)
                {
                    await group.ReadAsync<DateTime>(field, values.AsMemory(), null, ct);
                }
                else
                {
                    var plain = new DateTime[count];
                    await group.ReadAsync<DateTime>(field, plain.AsMemory(), null, ct);
                    for (var i = 0; i < count; i++) values[i] = plain[i];
                }

                return new TextColumn(values.Select(v => v?.ToString("O", CultureInfo.InvariantCulture)).ToArray());
            }

            throw new DataException($"column \"{field.Name}\" has the Parquet type {type.Name}, which is not supported yet (numbers, booleans, strings and timestamps are).");
        }

        private static async Task<ColumnData> Numbers<T>(ParquetRowGroupReader group, DataField field, int count, Func<T, double> convert, bool integer, CancellationToken ct)
            where T : struct
        {
            var result = new double[count];
            var present = new bool[count];
            if (field.IsNullable)
            {
                var values = new T?[count];
                await group.ReadAsync<T>(field, values.AsMemory(), null, ct);
                for (var i = 0; i < count; i++)
                {
                    if (values[i] is { } v)
                    {
                        result[i] = convert(v);
                        present[i] = true;
                    }
                }
            }
            else
            {
                var values = new T[count];
                await group.ReadAsync<T>(field, values.AsMemory(), null, ct);
                for (var i = 0; i < count; i++)
                {
                    result[i] = convert(values[i]);
                    present[i] = true;
                }
            }

            return new NumberColumn(result, present, integer);
        }

        public abstract void Push(IRecordSink sink, int column, int row, ref byte[] utf8);
    }

    private sealed class NumberColumn(double[] values, bool[] present, bool integer) : ColumnData
    {
        public override void Push(IRecordSink sink, int column, int row, ref byte[] utf8)
        {
            if (present[row]) sink.Number(column, values[row], integer);
            else sink.Missing(column);
        }
    }

    private sealed class BooleanColumn(bool?[] values) : ColumnData
    {
        public override void Push(IRecordSink sink, int column, int row, ref byte[] utf8)
        {
            if (values[row] is { } v) sink.Boolean(column, v);
            else sink.Missing(column);
        }
    }

    private sealed class TextColumn(string?[] values) : ColumnData
    {
        public override void Push(IRecordSink sink, int column, int row, ref byte[] utf8)
        {
            var s = values[row];
            if (string.IsNullOrEmpty(s))
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
