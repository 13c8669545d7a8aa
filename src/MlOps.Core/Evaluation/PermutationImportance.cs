using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Training;

namespace MlOps.Evaluation;

/// <summary>
/// Model-agnostic permutation importance: shuffle one input's values among the evaluated rows,
/// score again, and measure how much the metric worsens; repeated with different seeds for the
/// spread. Works the same for ML.NET and ONNX models because it only changes the input table.
/// </summary>
public static class PermutationImportance
{
    /// <summary>Computes the importance of every input of <paramref name="scorer"/>, most important first.</summary>
    public static IReadOnlyList<FeatureImportance> Compute(IModelScorer scorer, Table table, int[] rows, LabelSpec label, TableColumn labelColumn, string metric, double threshold, int repeats, int maxRows, int seed)
    {
        if (repeats <= 0 || rows.Length == 0) return [];
        var rng = new Random(seed);
        var sample = rows.Length <= maxRows ? rows : rows.OrderBy(_ => rng.Next()).Take(maxRows).Order().ToArray();
        var sign = MetricNames.HigherIsBetter(metric) ? 1 : -1;
        double Metric(Table t) => MetricCalculator.Compute(label.Attach(labelColumn, sample, scorer.Score(t, sample)), threshold)[metric];
        var reference = Metric(table);
        var result = new List<FeatureImportance>();
        foreach (var input in scorer.Inputs)
        {
            var column = table.Find(input.Name);
            if (column is null) continue;
            var drops = new double[repeats];
            for (var r = 0; r < repeats; r++)
            {
                var shuffled = sample.ToArray();
                new Random(unchecked((seed * 31) + (r * 7919) + input.Name.Length)).Shuffle(shuffled);
                drops[r] = sign * (reference - Metric(table.With(column.Moved(sample, shuffled))));
            }

            var mean = drops.Average();
            var sd = repeats > 1 ? Math.Sqrt(drops.Sum(d => (d - mean) * (d - mean)) / (repeats - 1)) : 0;
            result.Add(new FeatureImportance(input.Name, metric, mean, sd));
        }

        return result.OrderByDescending(f => f.Mean).ToList();
    }
}
