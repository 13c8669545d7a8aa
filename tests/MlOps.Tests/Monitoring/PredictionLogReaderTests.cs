using System.Text;
using MlOps.Monitoring;
using MlOps.Tests.Support;

namespace MlOps.Tests.Monitoring;

/// <summary>The log reader splits files into batches for the workers without losing, repeating or misplacing a line.</summary>
public class PredictionLogReaderTests
{
    // 20,000 entries (more than one batch of 4,096 lines), CRLF and LF endings, blank lines, two
    // malformed lines, another model, and a last line cut off mid-entry.
    private static string WriteLog(TempDir dir)
    {
        var s = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            s.Append(i % 7 == 0 ? "\r\n" : "\n");
            if (i == 9_000) s.Append("{not json\n");
            if (i == 15_000) s.Append("[1,2]\n");
            if (i % 1000 == 0) s.Append("   \n");
            var model = i % 10 == 3 ? "other" : "m";
            s.Append($$"""{"time":"2026-11-30T10:{{(i / 400) % 60:00}}:00Z","model":"{{model}}","version":"{{1 + (i % 2)}}","inputs":[{"i":{{i}},"name":"n{{i % 13}}"}],"outputs":[{"prediction":{{i * 0.5}}}]}""");
        }

        s.Append("\n{\"time\":\"2026-11-30T11:00:00Z\",\"model\":\"m\",\"inp");
        return dir.File("log.jsonl", s.ToString().TrimStart('\r', '\n'));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Every_line_is_read_once_with_any_number_of_workers(int workers)
    {
        using var dir = new TempDir();
        var log = WriteLog(dir);
        var (contents, states) = await PredictionLogReader.ReadAsync(
            [log],
            "m",
            null,
            () => new List<(string Version, int I)>(),
            (mine, _, version, _, inputs) => mine.Add((version, inputs[0].GetProperty("i").GetInt32())),
            workers);

        var seen = states.SelectMany(s => s).ToList();
        var expected = Enumerable.Range(0, 20_000).Where(i => i % 10 != 3).ToList();
        Assert.Equal(expected, seen.Select(x => x.I).Order());
        Assert.All(seen, x => Assert.Equal((1 + (x.I % 2)).ToString(System.Globalization.CultureInfo.InvariantCulture), x.Version));
        Assert.Equal(expected.Count, contents.Entries);
        Assert.Equal(2_000, contents.OtherModels);
        Assert.Equal(2, contents.Malformed);
        var lines = File.ReadAllLines(log);
        Assert.Equal("{not json", lines[int.Parse(contents.FirstMalformed!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture) - 1]);
        Assert.True(contents.PartialLast);
    }

    [Fact]
    public async Task Validate_reads_a_prediction_log_as_its_input_rows()
    {
        using var dir = new TempDir();
        var log = dir.File("predictions.jsonl", string.Join("\n",
            """{"time":"2026-11-30T10:00:00Z","id":"a","model":"m","version":"1","inputs":[{"x":1.5,"city":"Oslo"},{"x":2,"city":null}],"outputs":[{"prediction":3},{"prediction":4}]}""",
            """{"time":"2026-11-30T10:00:01Z","id":"b","model":"m","version":"2","inputs":[{"x":4,"city":"Rome"}],"outputs":[{"prediction":5}]}""") + "\n");
        var profile = await new MlOps.Validation.Validator().ProfileAsync(new MlOps.Data.DatasetSource { Path = log }, null, null);
        Assert.Equal(3, profile.Rows);
        Assert.Equal(["x", "city"], profile.Columns.Select(c => c.Name));
        Assert.Equal(2.5, profile.Find("x")!.Moments.Mean, 9);
        Assert.Equal(1, profile.Find("city")!.Missing);

        // Any other nested line is flattened, not taken for a log entry.
        var other = dir.File("nested.jsonl", """{"a":{"b":1}}""" + "\n");
        var nested = await new MlOps.Validation.Validator().ProfileAsync(new MlOps.Data.DatasetSource { Path = other }, null, null);
        Assert.Equal(["a.b"], nested.Columns.Select(c => c.Name));
    }
}
