using System.Diagnostics;
using System.Globalization;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>
/// <c>train.search</c>: trials of a built-in trainer with hyperparameters drawn from the space under
/// the run's seed, each fit on train rows and scored on the eval split by one metric. <c>random</c>
/// fits every trial on every train row; <c>halving</c> (successive halving) fits all trials on a
/// nested, seeded subset of the train rows, keeps the best third for three times the rows, and so
/// on up to all of them. Same data, seed and settings give the same trials and the same winner;
/// ties go to the earlier trial. The winner's fit on every train row is the run's first fit.
/// </summary>
internal static class HyperparameterSearch
{
    private const int Eta = 3;

    // No rung fits on fewer rows than this (or than the split has): scores on a handful of rows rank nothing.
    private const int MinRungRows = 50;

    public static (SearchRecord Record, TrainedModel Best) Run(Table table, LabelSpec spec, TableColumn label, TrainSettings settings, string? splitKey, int[] trainRows, int[] evalRows, ModelTaskMetric metric, Action<string> log)
    {
        var search = settings.Search!;
        var random = new Random(settings.Seed);
        var candidates = new List<Dictionary<string, double>>();
        for (var t = 0; t < search.Trials; t++)
        {
            var drawn = new Dictionary<string, double>(settings.Hyperparameters, StringComparer.Ordinal);
            foreach (var d in search.Space) drawn[d.Name] = d.Draw(random);
            candidates.Add(drawn);
        }

        // Nested subsets of the train rows for the rungs: the first n of one seeded shuffle.
        var shuffled = trainRows.ToArray();
        new Random(settings.Seed ^ 0x5EA7C4).Shuffle(shuffled);
        var rungs = search.Method == "halving" ? Math.Max(1, (int)Math.Floor(Math.Log(search.Trials) / Math.Log(Eta)) + 1) : 1;
        var alive = Enumerable.Range(0, candidates.Count).ToList();
        var trials = new Dictionary<int, List<SearchRung>>();
        TrainedModel? best = null;
        var bestTrial = -1;
        var bestScore = double.NaN;
        for (var rung = 0; rung < rungs; rung++)
        {
            var last = rung == rungs - 1;
            var size = last ? trainRows.Length : Math.Max(Math.Min(trainRows.Length, MinRungRows), (int)(trainRows.Length / Math.Pow(Eta, rungs - 1 - rung)));
            var rows = last ? trainRows : shuffled[..size].Order().ToArray();
            var scores = new List<(int Trial, double Score)>();
            foreach (var t in alive)
            {
                var clock = Stopwatch.StartNew();
                var trained = MlNetTrainer.Train(table, spec, settings with { Hyperparameters = candidates[t], Search = null }, splitKey, rows, evalRows);
                var measured = Trainer.Measure(trained, spec, table, label, evalRows);
                var score = measured.TryGetValue(metric.Name, out var v) ? v : double.NaN;
                (trials.TryGetValue(t, out var list) ? list : trials[t] = []).Add(new SearchRung(rung, rows.Length, score, trained.Rounds, clock.Elapsed.TotalSeconds));
                log(string.Create(CultureInfo.InvariantCulture, $"search trial {t + 1}/{candidates.Count}{(rungs > 1 ? $" rung {rung + 1}/{rungs}" : string.Empty)} on {rows.Length:N0} rows: eval {metric.Name} {score:0.#####} ({Describe(search, candidates[t])})"));
                scores.Add((t, score));
                if (last && Better(score, bestScore, metric.HigherIsBetter))
                {
                    best?.Scorer.Dispose();
                    (best, bestTrial, bestScore) = (trained, t, score);
                }
                else
                {
                    trained.Scorer.Dispose();
                }
            }

            // The best third (at least one) goes on; a NaN score never does.
            var keep = Math.Max(1, alive.Count / Eta);
            alive = scores.Where(s => !double.IsNaN(s.Score)).OrderBy(s => metric.HigherIsBetter ? -s.Score : s.Score).ThenBy(s => s.Trial).Take(keep).Select(s => s.Trial).Order().ToList();
            if (alive.Count == 0) throw Errors.Config("train.search", $"no trial gave an eval {metric.Name}; check the metric and the eval split.");
        }

        if (best is null) throw Errors.Config("train.search", $"no trial gave an eval {metric.Name}; check the metric and the eval split.");
        var record = new SearchRecord(
            search.Method,
            metric.Name,
            search.Trials,
            bestTrial + 1,
            candidates.Select((h, t) => new SearchTrial(t + 1, search.Space.ToDictionary(d => d.Name, d => h[d.Name], StringComparer.Ordinal), trials.TryGetValue(t, out var r) ? r : [])).ToList());
        return (record, best);
    }

    private static bool Better(double score, double best, bool higher) =>
        !double.IsNaN(score) && (double.IsNaN(best) || (higher ? score > best : score < best));

    private static string Describe(SearchSettings search, IReadOnlyDictionary<string, double> h) =>
        string.Join(", ", search.Space.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Name} {h[d.Name]:0.####}")));
}

/// <summary>The metric that ranks trials, and its direction.</summary>
internal sealed record ModelTaskMetric(string Name, bool HigherIsBetter)
{
    public static ModelTaskMetric For(ModelTask task, string? name)
    {
        var metric = name ?? MetricNames.Primary(task);
        if (!MetricNames.For(task).Contains(metric)) throw Errors.Config("train.search.metric", $"'{metric}' is not a {task.Name()} metric; expected one of {string.Join(", ", MetricNames.For(task))}.");
        return new ModelTaskMetric(metric, MetricNames.HigherIsBetter(metric));
    }
}
