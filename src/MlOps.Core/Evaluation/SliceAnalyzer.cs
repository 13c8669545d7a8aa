using System.Globalization;
using MlOps.Metrics;
using MlOps.Tabular;

namespace MlOps.Evaluation;

/// <summary>
/// Metrics per value of a column (numbers with many values go in quartile bins), and the gap
/// between the best and worst slice that has at least the minimum size.
/// </summary>
public static class SliceAnalyzer
{
    private const int MaxDistinctNumbers = 20;

    /// <summary>Analyzes one slice column.</summary>
    public static SliceColumnResult Analyze(TableColumn column, int[] rows, LabeledPredictions candidate, LabeledPredictions? baseline, string metric, int minSize, double threshold)
    {
        var keys = Keys(column, rows);
        var slices = new List<SliceResult>();
        foreach (var group in keys.Select((k, i) => (k, i)).GroupBy(x => x.k, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var weights = new int[rows.Length];
            foreach (var (_, i) in group) weights[i] = 1;
            var count = group.Count();
            var c = MetricCalculator.Compute(candidate, threshold, weights)[metric];
            double? b = baseline is null ? null : MetricCalculator.Compute(baseline, threshold, weights)[metric];
            slices.Add(new SliceResult(group.Key, count, c, b, count >= minSize && !double.IsNaN(c)));
        }

        var gated = slices.Where(s => s.Gated).ToList();
        double? gap = gated.Count >= 2 ? gated.Max(s => s.Candidate) - gated.Min(s => s.Candidate) : null;
        var withBaseline = gated.Where(s => s.Baseline is { } v && !double.IsNaN(v)).ToList();
        double? baselineGap = baseline is not null && withBaseline.Count >= 2 ? withBaseline.Max(s => s.Baseline!.Value) - withBaseline.Min(s => s.Baseline!.Value) : null;
        return new SliceColumnResult(column.Name, metric, gap, baselineGap, slices);
    }

    private static string[] Keys(TableColumn column, int[] rows)
    {
        if (column.Kind == ColumnKind.Text) return rows.Select(r => column.Texts![r] ?? "(missing)").ToArray();
        var values = rows.Select(r => column.Numbers![r]).ToArray();
        var distinct = values.Where(v => !float.IsNaN(v)).Distinct().Count();
        if (distinct <= MaxDistinctNumbers) return values.Select(v => float.IsNaN(v) ? "(missing)" : v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var sorted = values.Where(v => !float.IsNaN(v)).Order().ToArray();
        var cuts = new[] { 0.25, 0.5, 0.75 }.Select(q => sorted[(int)(q * (sorted.Length - 1))]).Distinct().ToArray();
        string Bin(float v)
        {
            if (float.IsNaN(v)) return "(missing)";
            var i = 0;
            while (i < cuts.Length && v >= cuts[i]) i++;
            var lo = i == 0 ? sorted[0] : cuts[i - 1];
            var hi = i == cuts.Length ? sorted[^1] : cuts[i];
            return string.Create(CultureInfo.InvariantCulture, $"Q{i + 1} [{lo:0.###}, {hi:0.###}{(i == cuts.Length ? "]" : ")")}");
        }

        return values.Select(Bin).ToArray();
    }
}
