using System.Text;
using MlOps.Data;
using MlOps.Tests.Support;
using MlOps.Validation.Statistics;

namespace MlOps.Tests.Data;

/// <summary>The two-core read gives the same stats.json, byte for byte, as one profiler, and never hides an error.</summary>
public class PipelinedSinkTests
{
    private static async Task<string> StatsAsync(DatasetProfile profile, TempDir dir, string name)
    {
        var path = dir.Combine(name);
        await StatsFile.WriteAsync(path, profile);
        return File.ReadAllText(path);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Profilers_sharing_the_columns_write_the_same_stats_as_one(int consumers)
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        var sb = new StringBuilder("id,x,city,when,flag,code\n");
        for (var i = 0; i < 30_000; i++)
        {
            sb.Append(i).Append(',')
                .Append(i % 17 == 0 ? string.Empty : (rng.NextDouble() * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append("city").Append(rng.Next(0, 2_000)).Append(',')
                .Append(new DateTime(2024, 1, 1).AddMinutes(i).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(i % 3 == 0 ? "true" : "false").Append(',')
                .Append(rng.Next(0, 300)).Append('\n');
        }

        var source = new DatasetSource { Path = dir.File("data.csv", sb.ToString()) };
        var single = new DatasetProfiler();
        await source.ReadAsync(single, source.ResolveFiles());

        var parts = Enumerable.Range(0, consumers).Select(_ => new DatasetProfiler()).ToArray();
        using (var pipeline = new PipelinedSink(parts))
        {
            await source.ReadAsync(pipeline, source.ResolveFiles());
            pipeline.Complete();
        }

        var expected = await StatsAsync(single.Build("data"), dir, "single.json");
        Assert.Equal(expected, await StatsAsync(DatasetProfiler.Build(parts, "data"), dir, "parts.json"));
        Assert.Contains("\"timestamp\"", expected);
    }

    [Fact]
    public async Task A_failing_profiler_fails_the_read_and_the_first_non_finite_column_in_order_is_named()
    {
        using var dir = new TempDir();
        var source = new DatasetSource { Path = dir.File("data.csv", "a,b,c\n1,2,3\n4,Infinity,NaN\n") };
        var parts = new[] { new DatasetProfiler(), new DatasetProfiler() };
        using (var pipeline = new PipelinedSink(parts))
        {
            await source.ReadAsync(pipeline, source.ResolveFiles());
            pipeline.Complete();
        }

        // b (owned by the second profiler) comes before c (the first): b is named, as one profiler would.
        var e = Assert.Throws<DataException>(() => DatasetProfiler.Build(parts, "data"));
        Assert.Contains("\"b\"", e.Message);

        var throwing = new PipelinedSink(new Throwing());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await source.ReadAsync(throwing, source.ResolveFiles());
            throwing.Complete();
        });
        Assert.Equal("profile failed", error.Message);
        throwing.Dispose();
    }

    private sealed class Throwing : IRecordSink
    {
        public int Column(string name) => 0;

        public void BeginFile(string path)
        {
        }

        public void Text(int column, ReadOnlySpan<byte> utf8) => throw new InvalidOperationException("profile failed");

        public void Number(int column, double value, bool isInteger)
        {
        }

        public void Boolean(int column, bool value)
        {
        }

        public void Missing(int column)
        {
        }

        public void EndRecord()
        {
        }

        public void EndFile()
        {
        }
    }
}
