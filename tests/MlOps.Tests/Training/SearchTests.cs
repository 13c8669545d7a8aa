using MlOps.Tests.Support;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// train.search: seeded trials drawn from the space, each scored on the eval split; the winner's
/// hyperparameters make the model, every trial is in run.json and the report, and the same seed
/// gives the same trials, scores and model.
/// </summary>
public sealed class SearchTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Data => Path.Combine(Support.Cli.RepoRoot, "examples", "penguins", "data", "current.csv");

    private string Config(string search, string task = "multiclass", string label = "species", string extra = "") =>
        _dir.File($"mlops-{Guid.NewGuid():N}.yaml", $"project: p\ntask: {task}\nlabel: {label}\ndata: {{ path: {Data} }}\nsplit: {{ key: penguin_id }}\ntrain:\n  seed: 11\n{extra}  search:\n{search}");

    private async Task<RunRecord> TrainAsync(string config, string name)
    {
        var (code, o, e) = await Support.Cli.RunAsync("train", "--config", config, "--output", _dir.Combine(name));
        Assert.True(code == ExitCodes.Success, o + e);
        return await RunRecord.ReadAsync(_dir.Combine($"{name}/run.json"));
    }

    [Fact]
    public async Task Random_search_keeps_the_best_trial_and_is_the_same_under_a_seed()
    {
        var config = Config("    trials: 6\n    space:\n      learning-rate: [0.02, 0.4, log]\n      leaves: [2, 16]\n      min-samples-per-leaf: { values: [2, 5, 20] }\n");
        var a = await TrainAsync(config, "a");
        var b = await TrainAsync(config, "b");

        var search = a.Search!;
        Assert.Equal("random", search.Method);
        Assert.Equal("accuracy", search.Metric); // the task's primary metric
        Assert.Equal(6, search.Results.Count);
        foreach (var t in search.Results)
        {
            Assert.InRange(t.Hyperparameters["learning-rate"], 0.02, 0.4);
            Assert.InRange(t.Hyperparameters["leaves"], 2, 16);
            Assert.Equal(Math.Floor(t.Hyperparameters["leaves"]), t.Hyperparameters["leaves"]);
            Assert.Contains(t.Hyperparameters["min-samples-per-leaf"], new[] { 2.0, 5, 20 });
            Assert.Equal(a.Refit!.Rows - a.Data.Rows["eval"], Assert.Single(t.Rungs).Rows); // every train row
        }

        // The winner: the highest eval accuracy, the earliest on a tie; the model is its fit.
        var scores = search.Results.Select(t => t.Rungs[0].Score).ToList();
        Assert.Equal(scores.IndexOf(scores.Max()) + 1, search.Best);
        Assert.Equal(scores.Max(), a.Metrics["eval"]["accuracy"], 12);
        var best = search.Results[search.Best - 1].Hyperparameters;
        foreach (var (k, v) in best) Assert.Equal(v, a.Trainer!.Hyperparameters[k]);

        // Same seed, same draws, scores and model bytes.
        Assert.Equal(search.Results.Select(t => t.Hyperparameters.OrderBy(p => p.Key).ToList()), b.Search!.Results.Select(t => t.Hyperparameters.OrderBy(p => p.Key).ToList()));
        Assert.Equal(scores, b.Search.Results.Select(t => t.Rungs[0].Score));
        Assert.Equal(a.Model.Sha256, b.Model.Sha256);
        Assert.Contains("Hyperparameter search (random, 6 trials, eval accuracy ↑)", File.ReadAllText(_dir.Combine("a/report.md")));
    }

    [Fact]
    public async Task Successive_halving_takes_the_best_third_to_three_times_the_rows()
    {
        var run = await TrainAsync(Config("    trials: 9\n    method: halving\n    metric: log-loss\n    space:\n      learning-rate: [0.01, 0.5, log]\n      leaves: [2, 31]\n"), "halving");
        var search = run.Search!;
        Assert.Equal("log-loss", search.Metric);
        var train = run.Refit!.Rows - run.Data.Rows["eval"];
        var byRung = Enumerable.Range(0, 3).Select(r => search.Results.Where(t => t.Rungs.Count > r).ToList()).ToList();
        Assert.Equal([9, 3, 1], byRung.Select(r => r.Count));
        // A rung fits on at least 50 rows (the penguins' train split is small).
        Assert.Equal(Math.Max(Math.Min(train, 50), train / 9), byRung[0][0].Rungs[0].Rows);
        Assert.Equal(Math.Max(Math.Min(train, 50), train / 3), byRung[1][0].Rungs[1].Rows);
        Assert.Equal(train, byRung[2][0].Rungs[2].Rows);
        for (var r = 0; r < 2; r++)
        {
            // Those that went on are the lowest log-losses of the rung (earliest first on a tie).
            var ranked = byRung[r].OrderBy(t => t.Rungs[r].Score).ThenBy(t => t.Number).Take(byRung[r + 1].Count).Select(t => t.Number).Order();
            Assert.Equal(ranked, byRung[r + 1].Select(t => t.Number).Order());
        }

        Assert.Equal(byRung[2][0].Number, search.Best);
        Assert.Equal(byRung[2][0].Rungs[2].Score, run.Metrics["eval"]["log-loss"], 12);
    }

    [Theory]
    [InlineData("    trials: 3\n    space: { depth: [1, 4] }\n", "train.search.space", "depth")]
    [InlineData("    trials: 3\n    space: { l2: [0, 1, log] }\n", "a log range needs both ends above 0.", "l2")]
    [InlineData("    trials: 3\n    space: { leaves: [40, 8] }\n", "is empty: the first number must be below the second.", "leaves")]
    [InlineData("    trials: 3\n    metric: roc-auc\n    space: { leaves: [4, 8] }\n", "'roc-auc' is not a multiclass metric", "accuracy")]
    [InlineData("    trials: 3\n    method: grid\n    space: { leaves: [4, 8] }\n", "'grid' is not random or halving.", "method")]
    [InlineData("    space: { leaves: [4, 8] }\n", "trials", "is required")]
    public async Task A_search_that_cannot_run_is_a_usage_error_naming_the_key(string search, string message, string also)
    {
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", Config(search), "--output", _dir.Combine("bad"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains(message, err);
        Assert.Contains(also, err);
        Assert.False(File.Exists(_dir.Combine("bad/run.json")));
    }

    [Fact]
    public async Task A_search_needs_eval_rows_to_score_its_trials()
    {
        var config = _dir.File("noeval.yaml", $"project: p\ntask: multiclass\nlabel: species\ndata: {{ path: {Data} }}\nsplit: {{ key: penguin_id, fractions: {{ train: 0.8, test: 0.2 }} }}\ntrain:\n  search:\n    trials: 2\n    space: {{ leaves: [4, 8] }}\n");
        var (code, _, err) = await Support.Cli.RunAsync("train", "--config", config, "--output", _dir.Combine("bad"));
        Assert.Equal(ExitCodes.UsageError, code);
        Assert.Contains("train.search: scores each trial on the eval split, and it has no labeled rows", err);
    }
}
