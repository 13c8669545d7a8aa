using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>
/// k-fold cross-validation of a built-in trainer (<c>train.cv: k</c>) over the train and eval
/// rows (never test): the rows are shuffled under the run's seed and dealt into k folds; each
/// fold is scored by a model fit on the other k−1 with the run's hyperparameters (early stopping
/// off, so no fold sees its own rows). Same data, seed and k give the same folds and figures.
/// </summary>
internal static class CrossValidation
{
    public static CrossValidationRecord Run(Table table, LabelSpec spec, TableColumn label, TrainSettings settings, string? splitKey, int[] rows, int folds, Action<string> log)
    {
        var shuffled = rows.ToArray();
        new Random(settings.Seed).Shuffle(shuffled);
        var perFold = new List<IReadOnlyDictionary<string, double>>();
        for (var k = 0; k < folds; k++)
        {
            var held = shuffled.Where((_, i) => i % folds == k).Order().ToArray();
            var fit = shuffled.Where((_, i) => i % folds != k).Order().ToArray();
            log($"cross-validation fold {k + 1}/{folds}: fit on {fit.Length} rows, score {held.Length}");
            var trained = MlNetTrainer.Train(table, spec, settings with { EarlyStopping = 0 }, splitKey, fit, held); // held only predicted: early stopping is off
            using (trained.Scorer)
            {
                perFold.Add(Trainer.Measure(trained, spec, table, label, held));
            }
        }

        var metrics = perFold.SelectMany(m => m.Keys).Distinct(StringComparer.Ordinal).ToDictionary(
            name => name,
            name =>
            {
                var values = perFold.Select(m => m.TryGetValue(name, out var v) ? v : double.NaN).ToList();
                var mean = values.Average();
                var sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
                return new CrossValidationMetric(mean, sd, values);
            },
            StringComparer.Ordinal);
        return new CrossValidationRecord(folds, rows.Length, metrics);
    }
}
