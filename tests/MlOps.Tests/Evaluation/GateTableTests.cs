using System.Globalization;
using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Tests.Support;

namespace MlOps.Tests.Evaluation;

/// <summary>The gate table in docs/evaluation.md, row by row: the docs cannot say one thing while the code does another.</summary>
public sealed class GateTableTests
{
    public static TheoryData<string> Rows()
    {
        var data = new TheoryData<string>();
        foreach (var row in TableRows()) data.Add(row);
        return data;
    }

    [Fact]
    public void The_table_covers_every_key_test_and_direction()
    {
        var rows = TableRows();
        Assert.True(rows.Count >= 40, $"only {rows.Count} rows");
        foreach (var key in new[] { "threshold", "min-change", "min-relative-change", "test: no-regression", "test: non-inferiority", "test: improvement" })
        {
            foreach (var metric in new[] { "accuracy", "log-loss" })
            {
                Assert.Contains(rows, r => r.Contains(key, StringComparison.Ordinal) && Cells(r)[1] == metric);
            }
        }

        Assert.Contains(rows, r => Cells(r)[5] == "pass");
        Assert.Contains(rows, r => Cells(r)[5] == "fail");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_row_of_the_documented_gate_table_holds(string row)
    {
        var cells = Cells(row);
        var gate = ParseGate(cells[1], cells[0].Trim('`'));
        var candidate = Number(cells[2])!.Value;
        var baseline = Number(cells[3]);
        var interval = cells[4] == "–" ? null : ParseInterval(cells[4]);
        var m = new MetricComparison(candidate, null, baseline, baseline is { } b ? candidate - b : null, interval, MetricNames.HigherIsBetter(cells[1]));
        var result = GateEvaluator.Check(gate, m, 0.95);
        Assert.True(result.Passed == (cells[5] == "pass"), $"{row} → {(result.Passed ? "pass" : "fail")}: {result.Detail}");
    }

    private static List<string> TableRows()
    {
        var doc = File.ReadAllLines(Path.Combine(Support.Cli.RepoRoot, "docs", "evaluation.md"));
        var start = Array.IndexOf(doc, "<!-- gate-table:start -->");
        var end = Array.IndexOf(doc, "<!-- gate-table:end -->");
        Assert.True(start >= 0 && end > start, "docs/evaluation.md has no gate table markers");
        return doc[(start + 3)..end].ToList();
    }

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static MetricGate ParseGate(string metric, string text)
    {
        var gate = new MetricGate { Metric = metric };
        foreach (var part in text.Split(", "))
        {
            var (key, value) = (part[..part.IndexOf(':', StringComparison.Ordinal)].Trim(), part[(part.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
            gate = key switch
            {
                "threshold" => gate with { Threshold = Number(value) },
                "min-change" => gate with { MinChange = Number(value) },
                "min-relative-change" => gate with { MinRelativeChange = Number(value) },
                "test" => gate with
                {
                    Test = value switch
                    {
                        "no-regression" => SignificanceTest.NoRegression,
                        "non-inferiority" => SignificanceTest.NonInferiority,
                        "improvement" => SignificanceTest.Improvement,
                        _ => throw new InvalidDataException(value),
                    },
                },
                _ => throw new InvalidDataException(key),
            };
        }

        return gate;
    }

    private static Interval ParseInterval(string text)
    {
        var parts = text.Trim('[', ']').Split(',');
        return new Interval(Number(parts[0])!.Value, Number(parts[1])!.Value);
    }

    private static double? Number(string text) => text.Trim() switch
    {
        "–" => null,
        "NaN" => double.NaN,
        var t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
