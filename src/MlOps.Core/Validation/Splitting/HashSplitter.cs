using System.Globalization;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using MlOps.Data;

namespace MlOps.Validation.Splitting;

/// <summary>
/// Splits a dataset into train/eval/test (or any named parts) by hashing a key column:
/// XxHash64(salt + 0x00 + key as UTF-8) mapped to [0, 1) picks the part. The same key always lands
/// in the same part, on any machine, in any row order, and as the data grows — so evaluation rows
/// never leak into training. Output is CSV, one file per part, written atomically.
/// </summary>
public sealed class HashSplitter
{
    /// <summary>Where a key lands: the index of the part in <paramref name="fractions"/>.</summary>
    public static int PartOf(ReadOnlySpan<byte> key, string salt, IReadOnlyList<double> fractions) =>
        PartOf(new XxHash64(), Encoding.UTF8.GetBytes(salt), key, fractions);

    /// <summary>
    /// <see cref="PartOf(ReadOnlySpan{byte}, string, IReadOnlyList{double})"/> with the salt already
    /// encoded and a reusable hasher, so splitting a row allocates nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // per row: optimized from the first call, not after tiering
    internal static int PartOf(XxHash64 hasher, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> key, IReadOnlyList<double> fractions)
    {
        hasher.Reset();
        hasher.Append(salt);
        hasher.Append([0]);
        hasher.Append(key);
        var u = (hasher.GetCurrentHashAsUInt64() >> 11) * (1.0 / (1UL << 53));
        double cumulative = 0;
        for (var i = 0; i < fractions.Count; i++)
        {
            cumulative += fractions[i];
            if (u < cumulative) return i;
        }

        return fractions.Count - 1;
    }

    /// <summary>Splits <paramref name="source"/> into <c>{name}.csv</c> files in <paramref name="outputDirectory"/>; returns rows per part.</summary>
    public static async Task<IReadOnlyList<(string Name, string Path, long Rows)>> SplitAsync(
        DatasetSource source, string? key, IReadOnlyList<(string Name, double Fraction)> parts, string salt, string outputDirectory, CancellationToken cancellationToken = default)
    {
        var sum = parts.Sum(p => p.Fraction);
        if (Math.Abs(sum - 1) > 1e-9)
        {
            throw Errors.Config("split.fractions", string.Format(CultureInfo.InvariantCulture, "the fractions add up to {0}; they must add up to 1.", sum));
        }

        Directory.CreateDirectory(outputDirectory);
        var temps = parts.Select(p => Path.Combine(outputDirectory, $".{p.Name}.csv.{Guid.NewGuid():N}.tmp")).ToArray();
        var streams = temps.Select(t => new BufferedStream(File.Create(t), 1 << 16)).ToArray();
        var sink = new SplitSink(key, salt, parts.Select(p => p.Fraction).ToArray(), streams);
        try
        {
            await source.ReadAsync(sink, source.ResolveFiles(), null, cancellationToken);
            sink.Complete();
            foreach (var s in streams) await s.DisposeAsync();
            var result = new List<(string, string, long)>();
            for (var i = 0; i < parts.Count; i++)
            {
                var target = Path.Combine(outputDirectory, parts[i].Name + ".csv");
                File.Move(temps[i], target, overwrite: true);
                result.Add((parts[i].Name, target, sink.Rows[i]));
            }

            return result;
        }
        finally
        {
            foreach (var s in streams) await s.DisposeAsync();
            foreach (var t in temps.Where(File.Exists)) File.Delete(t);
        }
    }

    private static readonly System.Buffers.SearchValues<byte> Special = System.Buffers.SearchValues.Create(",\"\n\r"u8);

    private sealed class SplitSink(string? key, string salt, double[] fractions, Stream[] outputs) : IRecordSink
    {
        private readonly byte[] _salt = Encoding.UTF8.GetBytes(salt);
        private readonly XxHash64 _hasher = new();
        private readonly List<string> _names = [];
        private readonly List<byte[]> _cells = [];
        private readonly List<int> _lengths = [];
        private readonly List<bool> _present = [];
        private int _keyColumn = -1;
        private bool _headerWritten;

        public long[] Rows { get; } = new long[fractions.Length];

        public int Column(string name)
        {
            var i = _names.IndexOf(name);
            if (i >= 0) return i;
            if (_headerWritten) throw Errors.Data(name, "a file of the dataset has a column the first file lacks; split needs the same columns in every file.");
            _names.Add(name);
            _cells.Add(new byte[64]);
            _lengths.Add(0);
            _present.Add(false);
            if (name == key) _keyColumn = _names.Count - 1;
            return _names.Count - 1;
        }

        public void BeginFile(string path)
        {
        }

        public void Text(int column, ReadOnlySpan<byte> utf8) => Set(column, utf8);

        public void Number(int column, double value, bool isInteger)
        {
            Span<byte> buffer = stackalloc byte[32];
            value.TryFormat(buffer, out var n, "R", CultureInfo.InvariantCulture);
            Set(column, buffer[..n]);
        }

        public void Boolean(int column, bool value) => Set(column, value ? "true"u8 : "false"u8);

        public void Missing(int column) => _present[column] = false;

        public void EndRecord()
        {
            if (!_headerWritten)
            {
                if (key is not null && _keyColumn < 0) throw Errors.Config("split.key", $"the column '{key}' is not in the data; columns: {string.Join(", ", _names)}.");
                var header = Encoding.UTF8.GetBytes(string.Join(',', _names.Select(Quote)) + "\n");
                foreach (var o in outputs) o.Write(header);
                _headerWritten = true;
            }

            ReadOnlySpan<byte> hashed = _keyColumn < 0 ? WholeRow() : _present[_keyColumn] ? _cells[_keyColumn].AsSpan(0, _lengths[_keyColumn]) : [];
            var part = PartOf(_hasher, _salt, hashed, fractions);
            var output = outputs[part];
            for (var i = 0; i < _names.Count; i++)
            {
                if (i > 0) output.WriteByte((byte)',');
                if (_present[i]) WriteCell(output, _cells[i].AsSpan(0, _lengths[i]));
                _present[i] = false;
            }

            output.WriteByte((byte)'\n');
            Rows[part]++;
        }

        public void EndFile()
        {
        }

        public void Complete()
        {
            if (!_headerWritten) throw Errors.Data("split", "the dataset has no rows.");
        }

        private byte[] WholeRow()
        {
            var ms = new MemoryStream();
            for (var i = 0; i < _names.Count; i++)
            {
                if (_present[i]) ms.Write(_cells[i], 0, _lengths[i]);
                ms.WriteByte(0x1F);
            }

            return ms.ToArray();
        }

        private void Set(int column, ReadOnlySpan<byte> value)
        {
            if (_cells[column].Length < value.Length) _cells[column] = new byte[value.Length * 2];
            value.CopyTo(_cells[column]);
            _lengths[column] = value.Length;
            _present[column] = true;
        }

        private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

        private static void WriteCell(Stream output, ReadOnlySpan<byte> cell)
        {
            if (cell.IndexOfAny(Special) < 0)
            {
                output.Write(cell);
                return;
            }

            output.WriteByte((byte)'"');
            foreach (var b in cell)
            {
                if (b == (byte)'"') output.WriteByte(b);
                output.WriteByte(b);
            }

            output.WriteByte((byte)'"');
        }
    }
}
