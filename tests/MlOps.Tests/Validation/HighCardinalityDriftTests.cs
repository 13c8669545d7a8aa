using System.Text;
using MlOps.Validation.Drift;
using MlOps.Validation.Statistics;

namespace MlOps.Tests.Validation;

/// <summary>
/// A text column with far more distinct values than the tracked top values: a column whose values
/// are all new but spread as evenly as before must drift, and the same values reshuffled must not.
/// </summary>
public class HighCardinalityDriftTests
{
    private static ColumnProfile Profile(Func<int, string> value, int rows = 60_000)
    {
        var profiler = new DatasetProfiler();
        profiler.BeginFile("memory");
        var column = profiler.Column("id");
        for (var i = 0; i < rows; i++)
        {
            profiler.Text(column, Encoding.UTF8.GetBytes(value(i)));
            profiler.EndRecord();
        }

        profiler.EndFile();
        return profiler.Build("memory").Columns[0];
    }

    [Fact]
    public void Entirely_new_evenly_spread_values_drift_and_the_same_values_reshuffled_do_not()
    {
        var baseline = Profile(i => $"a{i % 20_000}");
        Assert.False(baseline.CategoryCounts().Exact); // beyond the tracked top values: the case the "other" bucket hid

        var disjoint = DriftDetector.CompareColumn(baseline, Profile(i => $"b{i % 20_000}"), new DriftOptions());
        Assert.True(disjoint.Drifted, $"js {disjoint.Score}");
        Assert.True(disjoint.Score > 0.8, $"js {disjoint.Score}"); // a disjoint column scores like one

        var same = DriftDetector.CompareColumn(baseline, Profile(i => $"a{(i * 7) % 20_000}"), new DriftOptions());
        Assert.False(same.Drifted, $"js {same.Score}");
        Assert.True(same.Score < 0.02, $"js {same.Score}");

        // Half the values new: in between, and drifted at the default threshold.
        var half = DriftDetector.CompareColumn(baseline, Profile(i => i % 2 == 0 ? $"a{i % 20_000}" : $"c{i % 20_000}"), new DriftOptions());
        Assert.True(half.Score > same.Score && half.Score < disjoint.Score, $"js {half.Score}");
        Assert.True(half.Drifted);
    }

    [Fact]
    public void An_identifier_column_is_flagged_and_left_out_of_drift_unless_asked_for()
    {
        var ids = Profile(i => $"user-{i}", rows: 5_000);
        var next = Profile(i => $"user-{i + 1_000_000}", rows: 5_000); // all new ids: not drift
        Assert.True(ids.LooksLikeIdentifier);
        Assert.False(Profile(i => $"a{i % 20_000}").LooksLikeIdentifier); // 60,000 values, 20,000 distinct

        var skipped = DriftDetector.CompareColumn(ids, next, new DriftOptions());
        Assert.False(skipped.Drifted);
        Assert.Contains("looks like an identifier", skipped.Skipped);

        // Asked for (drift.identifiers: true, or a rule for the column), all-new ids drift.
        Assert.True(DriftDetector.CompareColumn(ids, next, new DriftOptions { Identifiers = true }).Drifted);
        var rule = new DriftOptions { Columns = new Dictionary<string, DriftRule> { ["id"] = new() { Method = "js", Threshold = 0.1 } } };
        Assert.True(DriftDetector.CompareColumn(ids, next, rule).Drifted);

        // schema infer says so.
        var profile = new DatasetProfile { Source = "memory", Files = [], Rows = ids.Count, Columns = [ids] };
        Assert.True(MlOps.Validation.Schema.SchemaInference.Infer(profile).Columns.Single().Identifier);
    }
}
