using System.Globalization;
using MlOps.Scoring;
using MlOps.Tabular;
using MlOps.Tests.Support;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// LightGBM trained through its C API: the saved model.zip (ML.NET, loaded back from disk) scores
/// every row as LightGBM's own booster does, with missing numbers, missing and unseen categories,
/// in both categorical modes and for binary and regression; early stopping keeps the best round;
/// and the same inputs give the same bytes.
/// </summary>
public sealed class LightGbmDirectTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // x0..x2 numbers (5 % missing), city (12 values, some missing), code (300 values); the last
    // fifth of the rows is held out and holds cities and codes training never saw.
    private static (Table Table, int[] Train, int[] Held) Data(int rows, ModelTask task, int seed = 3, bool numbersOnly = false)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, 3).Select(_ => new float[rows]).ToArray();
        var city = new string?[rows];
        var code = new string?[rows];
        var label = new float[rows];
        var train = rows * 4 / 5;
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < 3; j++) x[j][r] = random.NextDouble() < 0.05 ? float.NaN : (float)((random.NextDouble() * 4) - 2);
            var c = random.Next(12);
            city[r] = random.NextDouble() < 0.03 ? null : r >= train && random.NextDouble() < 0.1 ? "Atlantis" : $"city{c}";
            var k = random.Next(300);
            code[r] = r >= train && random.NextDouble() < 0.1 ? "never-seen" : $"k{k}";
            var z = (float.IsNaN(x[0][r]) ? 0.3 : x[0][r]) - (0.5 * (float.IsNaN(x[1][r]) ? 0 : x[1][r])) + (c == 3 ? 1.2 : c == 7 ? -0.8 : 0) + ((k % 5) * 0.2) + (random.NextDouble() - 0.5);
            label[r] = task == ModelTask.Binary ? z > 0.4 ? 1 : 0 : (float)z;
        }

        var columns = new List<TableColumn>
        {
            TableColumn.Numeric("x0", x[0]), TableColumn.Numeric("x1", x[1]), TableColumn.Numeric("x2", x[2]),
            TableColumn.Text("city", city), TableColumn.Text("code", code),
            task == ModelTask.Binary ? TableColumn.Text("label", label.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray()) : TableColumn.Numeric("label", label),
        };
        if (numbersOnly) columns.RemoveAll(c => c.Kind == ColumnKind.Text && c.Name != "label");
        return (Table.Of(columns), Enumerable.Range(0, train).ToArray(), Enumerable.Range(train, rows - train).ToArray());
    }

    private static TrainedModel Train(Table table, int[] train, int[] valid, ModelTask task, TrainSettings settings)
    {
        var label = table.Find("label")!;
        var spec = LabelSpec.Resolve("label", task, task == ModelTask.Binary ? "1" : null, label, train, "test data");
        return MlNetTrainer.Train(table, spec, settings, null, train, valid);
    }

    // As the train stage writes it: ML.NET's zip with its timestamps normalized.
    private string Save(TrainedModel trained, string name)
    {
        var path = _dir.Combine(name);
        using var saved = new MemoryStream();
        trained.Scorer.Save(saved, trained.InputSchema);
        saved.Position = 0;
        using (var file = File.Create(path)) MlOps.Artifacts.ReproducibleZip.Normalize(saved, file);
        return path;
    }

    [Theory]
    [InlineData(ModelTask.Binary, 70_000)] // 56,000 train rows, above 50,000: categories split as categories
    [InlineData(ModelTask.Binary, 5_000)] // at most 50,000 train rows: their one-hot slots split as numbers
    [InlineData(ModelTask.Regression, 70_000)]
    public void The_saved_model_scores_every_row_as_LightGBMs_own_booster(ModelTask task, int rows)
    {
        var (table, train, held) = Data(rows, task);
        Assert.Equal(rows > 60_000, train.Length > LightGbmDirect.CategoricalSplitRows);
        var trained = Train(table, train, [], task, new TrainSettings { Hyperparameters = new Dictionary<string, double> { ["iterations"] = 60 } });
        Assert.NotNull(trained.DirectScore); // this plan takes the direct path
        Assert.Equal(60, trained.Rounds);

        using var saved = MlNetScorer.Load(Save(trained, "model.zip"));
        var all = train.Concat(held).ToArray();
        var ours = saved.Score(table, all);
        var booster = trained.Score(table, all);
        var a = task == ModelTask.Binary ? ours.Probability! : ours.Values!;
        var b = task == ModelTask.Binary ? booster.Probability! : booster.Values!;
        Assert.Equal(all.Length, a.Length);
        var worst = Enumerable.Range(0, a.Length).MaxBy(i => Math.Abs(a[i] - b[i]));
        Assert.True(Math.Abs(a[worst] - b[worst]) <= 1e-5 * Math.Max(1, Math.Abs(b[worst])), $"row {all[worst]}: model.zip {a[worst]}, LightGBM {b[worst]}");

        // The model learned the categories (a mapping off by one slot would not), and unseen ones score as missing ones do.
        var spread = held.Select(r => a[Array.IndexOf(all, r)]).Distinct().Count();
        Assert.True(spread > 100, $"only {spread} distinct predictions");
        var city = table.Find("city")!.Texts!;
        var unseen = held.Where(r => city[r] == "Atlantis").ToArray();
        Assert.NotEmpty(unseen);
        var asMissing = Table.Of(table.Columns.Select(c => c.Name == "city" ? TableColumn.Text("city", city.Select(s => s == "Atlantis" ? null : s).ToArray()) : c).ToList());
        Assert.Equal(saved.Score(table, unseen).Probability ?? saved.Score(table, unseen).Values, saved.Score(asMissing, unseen).Probability ?? saved.Score(asMissing, unseen).Values);
    }

    // Metrics on train and eval rows come from the booster's running predictions, not a second
    // scoring pass; after early stopping those are rolled back to the best round. Both must be what
    // the saved model computes.
    [Theory]
    [InlineData(ModelTask.Binary, 70_000, 0)] // without early stopping the eval rows are predicted once, from the finished booster
    [InlineData(ModelTask.Binary, 70_000, 3)]
    [InlineData(ModelTask.Binary, 5_000, 0)] // the same from sparse one-hot rows
    [InlineData(ModelTask.Binary, 5_000, 3)]
    [InlineData(ModelTask.Regression, 70_000, 0)]
    [InlineData(ModelTask.Regression, 70_000, 3)]
    public void The_predictions_behind_train_and_eval_metrics_are_the_saved_models(ModelTask task, int rows, int earlyStopping)
    {
        var (table, train, held) = Data(rows, task);
        var settings = new TrainSettings { EarlyStopping = earlyStopping, Hyperparameters = new Dictionary<string, double> { ["iterations"] = 300, ["learning-rate"] = 0.4 } };
        var trained = Train(table, train, held, task, settings);
        if (earlyStopping > 0) Assert.InRange(trained.Rounds!.Value, 1, 300 - earlyStopping); // it stopped, so rounds were rolled back
        using var saved = MlNetScorer.Load(Save(trained, "model.zip"));
        foreach (var rowsScored in new[] { train, held, train[..1000].Concat(held[..1000]).ToArray() })
        {
            var running = trained.Score(table, rowsScored);
            var ours = saved.Score(table, rowsScored);
            var a = task == ModelTask.Binary ? ours.Probability! : ours.Values!;
            var b = task == ModelTask.Binary ? running.Probability! : running.Values!;
            var worst = Enumerable.Range(0, a.Length).MaxBy(i => Math.Abs(a[i] - b[i]));
            Assert.True(Math.Abs(a[worst] - b[worst]) <= 1e-5 * Math.Max(1, Math.Abs(b[worst])), $"row {rowsScored[worst]}: model.zip {a[worst]}, running {b[worst]}");
        }
    }

    // The first fit bins train + eval as one dataset; a refit on exactly those rows (as the trainer
    // asks) boosts on it as it is, behind the first fit's featurizer; on other rows it
    // bins them by the first fit's bins. Eval brings categories the first fit never saw (binned as
    // missing). Either way the refit must score as its saved model does, and be as good as a refit
    // that found its own bins.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_refit_on_the_first_fits_bins_scores_as_its_saved_model_and_as_well_as_a_fresh_refit(bool sameRows)
    {
        var (table, train, held) = Data(70_000, ModelTask.Binary);
        var (more, test) = (held[..7_000], held[7_000..]);
        var refitRows = train.Concat(sameRows ? more : more[..5_000]).ToArray();
        var label = table.Find("label")!;
        var spec = LabelSpec.Resolve("label", ModelTask.Binary, "1", label, train, "test data");
        var settings = new TrainSettings();
        var first = MlNetTrainer.Train(table, spec, settings, null, train, more, null, keepBins: true);
        Assert.NotNull(first.Bins);
        using var bins = first.Bins;
        var reused = MlNetTrainer.Train(table, spec, settings, null, refitRows, [], bins, keepBins: false);
        Assert.True(reused.BinsReused);
        Assert.Equal(sameRows, reused.FeaturizerReused);
        Assert.Null(reused.Bins);
        var fresh = MlNetTrainer.Train(table, spec, settings, null, refitRows, []);
        Assert.False(fresh.BinsReused);
        Assert.Contains(more, r => table.Find("city")!.Texts![r] == "Atlantis");

        using var saved = MlNetScorer.Load(Save(reused, "model.zip"));
        var ours = saved.Score(table, refitRows).Probability!;
        var running = reused.Score(table, refitRows).Probability!;
        var worst = Enumerable.Range(0, ours.Length).MaxBy(i => Math.Abs(ours[i] - running[i]));
        Assert.True(Math.Abs(ours[worst] - running[worst]) <= 1e-5, $"row {refitRows[worst]}: model.zip {ours[worst]}, running {running[worst]}");

        double Auc(TrainedModel m) => MlOps.Metrics.MetricCalculator.Compute(spec.Attach(label, test, m.Score(table, test)))["roc-auc"];
        Assert.InRange(Auc(reused) - Auc(fresh), -0.01, 0.01);
        Assert.True(Auc(reused) > 0.75, $"roc-auc {Auc(reused)}");
    }

    [Fact]
    public void Categorical_splits_find_the_categories_that_matter()
    {
        var (table, train, held) = Data(70_000, ModelTask.Binary);
        Assert.True(train.Length > LightGbmDirect.CategoricalSplitRows);
        var trained = Train(table, train, [], ModelTask.Binary, new TrainSettings());
        using var saved = MlNetScorer.Load(Save(trained, "model.zip"));

        // city3 raises z by 1.2 and city7 lowers it by 0.8: the mean prediction over held rows follows.
        double Mean(string c)
        {
            var rows = held.Where(r => table.Find("city")!.Texts![r] == c).ToArray();
            return saved.Score(table, rows).Probability!.Average();
        }

        Assert.True(Mean("city3") > Mean("city0") + 0.2, $"city3 {Mean("city3")}, city0 {Mean("city0")}");
        Assert.True(Mean("city7") < Mean("city0") - 0.1, $"city7 {Mean("city7")}, city0 {Mean("city0")}");
    }

    [Fact]
    public void Early_stopping_keeps_the_best_round_and_equals_a_fit_of_that_many_rounds()
    {
        var (table, train, held) = Data(8_000, ModelTask.Binary, seed: 5);
        var settings = new TrainSettings { EarlyStopping = 5, Hyperparameters = new Dictionary<string, double> { ["iterations"] = 500, ["learning-rate"] = 0.5 } };
        var stopped = Train(table, train, held, ModelTask.Binary, settings);
        Assert.InRange(stopped.Rounds!.Value, 1, 494); // stopped early, five rounds after the best
        var exact = Train(table, train, [], ModelTask.Binary, settings with { EarlyStopping = 0, Hyperparameters = new Dictionary<string, double> { ["iterations"] = stopped.Rounds.Value, ["learning-rate"] = 0.5 } });
        Assert.Equal(stopped.Rounds, exact.Rounds);
        Assert.Equal(stopped.Scorer.Score(table, held).Probability, exact.Scorer.Score(table, held).Probability);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_same_inputs_and_thread_count_give_the_same_model_bytes(int threads)
    {
        var (table, train, _) = Data(70_000, ModelTask.Binary);
        var settings = new TrainSettings { Threads = threads, Hyperparameters = new Dictionary<string, double> { ["iterations"] = 30 } };
        var a = File.ReadAllBytes(Save(Train(table, train, [], ModelTask.Binary, settings), $"a{threads}.zip"));
        var b = File.ReadAllBytes(Save(Train(table, train, [], ModelTask.Binary, settings), $"b{threads}.zip"));
        Assert.Equal(a, b);
    }

    // On 2 threads the refit boosts alongside the first fit, one thread each, and stops at the
    // first fit's rounds (rolling back what it ran past). Its model must be the refit that follows
    // a first fit on one thread: the same bytes as threads: 1, for the first fit and the refit,
    // with early stopping (the refit stops at the first fit's best round) and without.
    [Theory]
    [InlineData(0, false)]
    [InlineData(3, false)]
    [InlineData(3, true)] // numbers only: LightGBM reads them as the same dense matrix
    public void A_refit_boosted_alongside_the_first_fit_is_the_refit_that_follows_it(int earlyStopping, bool numbersOnly)
    {
        var (table, train, held) = Data(70_000, ModelTask.Binary, numbersOnly: numbersOnly);
        var (eval, test) = (held[..7_000], held[7_000..]);
        var refitRows = train.Concat(eval).ToArray();
        var label = table.Find("label")!;
        var spec = LabelSpec.Resolve("label", ModelTask.Binary, "1", label, train, "test data");
        (TrainedModel First, TrainedModel Refit) Fit(int threads)
        {
            var settings = new TrainSettings { Threads = threads, EarlyStopping = earlyStopping, Hyperparameters = new Dictionary<string, double> { ["iterations"] = 200, ["learning-rate"] = 0.5 } };
            var first = MlNetTrainer.Train(table, spec, settings, null, train, eval, null, keepBins: true);
            Assert.Equal(threads == 2, first.Bins!.Refit is not null);
            using var bins = first.Bins;
            var iterations = earlyStopping > 0 ? first.Rounds!.Value : 200;
            var refit = MlNetTrainer.Train(table, spec, settings with { EarlyStopping = 0, Hyperparameters = new Dictionary<string, double> { ["iterations"] = iterations, ["learning-rate"] = 0.5 } }, null, refitRows, [], bins, keepBins: false);
            return (first, refit);
        }

        var (alone, after) = Fit(1);
        var (first, alongside) = Fit(2);
        if (earlyStopping > 0) Assert.InRange(first.Rounds!.Value, 1, 200 - earlyStopping); // stopped: the refit ran past its rounds and was rolled back
        Assert.Equal(alone.Rounds, first.Rounds);
        Assert.Equal(after.Rounds, alongside.Rounds);
        Assert.Equal(File.ReadAllBytes(Save(alone, "first1.zip")), File.ReadAllBytes(Save(first, "first2.zip")));
        Assert.Equal(File.ReadAllBytes(Save(after, "refit1.zip")), File.ReadAllBytes(Save(alongside, "refit2.zip")));

        // Its running predictions (behind any metric of the refit rows) are its saved model's.
        using var saved = MlNetScorer.Load(Save(alongside, "refit.zip"));
        var ours = saved.Score(table, refitRows).Probability!;
        var running = alongside.Score(table, refitRows).Probability!;
        Assert.All(Enumerable.Range(0, ours.Length), i => Assert.True(Math.Abs(ours[i] - running[i]) <= 1e-5, $"row {refitRows[i]}: model.zip {ours[i]}, running {running[i]}"));
        Assert.True(MlOps.Metrics.MetricCalculator.Compute(spec.Attach(label, test, alongside.Score(table, test)))["roc-auc"] > 0.75);
    }

    // When the first fit ends after the refit has run past the rounds it is then asked for (here
    // the first fit takes seconds, the refit's 40 rounds a fraction of one), the extra rounds are
    // rolled back: the trees, and the running predictions, are a 15-round refit's.
    [Fact]
    public void A_refit_that_ran_past_the_first_fits_rounds_is_rolled_back_to_them()
    {
        var (table, train, held) = Data(70_000, ModelTask.Binary);
        var eval = held[..7_000];
        var label = table.Find("label")!;
        var spec = LabelSpec.Resolve("label", ModelTask.Binary, "1", label, train, "test data");
        var plan = FeaturePlan.Create(table, "label", null, new TrainSettings(), train);
        var encoding = FeatureEncoding.Of(plan, table, train, categoricalSplits: true);
        var values = TrainerCatalog.Find("lightgbm")!.Parameters.ToDictionary(p => p.Name, p => p.Default);
        values["iterations"] = 40;
        var parameters = LightGbmDirect.Parameters(ModelTask.Binary, new TrainerArgs(values, 42, 1, 0), encoding);
        float[] Labels(int[] rows) => Array.ConvertAll(spec.Positives(label, rows), p => p ? 1f : 0f);
        using var data = LightGbmData.TryShared(encoding, train, eval, Labels, parameters, validDataset: true)!;
        Assert.NotNull(data.Valid);
        var whole = data.Keep()!;
        using var bins = new LightGbmBins(whole, null!, encoding, data.WholeRows);

        LightGbmDirect.Boosted done;
        int? asked;
        using (var refit = LightGbmRefit.Start(whole, data.WholeRows.Length, parameters, 40, earlyStopping: true))
        {
            Thread.Sleep(3_000); // the first fit
            refit.FirstFitEnded(15);
            done = refit.Finish();
            asked = refit.Iterations;
        }

        using var alone = LightGbmData.Reuse(bins);
        var expected = LightGbmDirect.Boost(alone, encoding, data.WholeRows.Length, [], parameters, 1, 15, 0);

        Assert.Equal(15, asked);
        Assert.Equal(15, done.Rounds);
        static string Trees(string text) => text[..text.IndexOf("end of trees", StringComparison.Ordinal)];
        Assert.Equal(Trees(expected.Text), Trees(done.Text));
        Assert.All(Enumerable.Range(0, expected.TrainScores.Length), i => Assert.True(Math.Abs(expected.TrainScores[i] - done.TrainScores[i]) <= 1e-5, $"row {i}: {done.TrainScores[i]}, expected {expected.TrainScores[i]}"));
    }

    // A failure between the first fit and the refit (a metric, cross-validation's configuration)
    // disposes the refit boosting alongside: it stops where it is, long before its rounds, and its
    // dataset can then be freed; what it would have made is gone.
    [Fact]
    public void A_refit_boosting_alongside_stops_where_it_is_when_disposed()
    {
        var (table, train, held) = Data(70_000, ModelTask.Binary);
        var label = table.Find("label")!;
        var spec = LabelSpec.Resolve("label", ModelTask.Binary, "1", label, train, "test data");
        var plan = FeaturePlan.Create(table, "label", null, new TrainSettings(), train);
        var encoding = FeatureEncoding.Of(plan, table, train, categoricalSplits: true);
        var values = TrainerCatalog.Find("lightgbm")!.Parameters.ToDictionary(p => p.Name, p => p.Default);
        var parameters = LightGbmDirect.Parameters(ModelTask.Binary, new TrainerArgs(values, 42, 1, 0), encoding);
        float[] Labels(int[] rows) => Array.ConvertAll(spec.Positives(label, rows), p => p ? 1f : 0f);
        using var data = LightGbmData.TryShared(encoding, train, held[..7_000], Labels, parameters, validDataset: false)!;
        Assert.Null(data.Valid); // only early stopping boosts with a validation dataset
        var bins = new LightGbmBins(data.Keep()!, null!, encoding, data.WholeRows) { Refit = LightGbmRefit.Start(data.Keep()!, data.WholeRows.Length, parameters, 1_000_000, earlyStopping: false) };
        var refit = bins.Refit!;
        SpinWait.SpinUntil(() => refit.RoundsBoosted > 0, TimeSpan.FromSeconds(60));

        bins.Dispose(); // the refit first, then its dataset
        var boosted = refit.RoundsBoosted;
        Assert.InRange(boosted, 1, 999_999);
        Thread.Sleep(100);
        Assert.Equal(boosted, refit.RoundsBoosted); // stopped, not boosting on a freed dataset
        refit.FirstFitEnded(10);
        Assert.Throws<ObjectDisposedException>(() => refit.Finish());
    }

    // The train stage measures the first fit while the refit still boosts alongside, and runs
    // cross-validation between the two (its folds wait for the refit: LightGBM's thread count is one
    // setting for the process). Neither changes the saved model: the same bytes with or without
    // train.cv, and as on one thread; the eval metrics are the same too.
    [Fact]
    public async Task Measuring_and_cross_validating_beside_a_refit_boosting_alongside_leave_the_model_as_it_is()
    {
        var (table, _, _) = Data(90_000, ModelTask.Binary);
        var csv = _dir.Combine("data.csv");
        await using (var w = new StreamWriter(csv))
        {
            await w.WriteLineAsync("id,x0,x1,x2,city,code,label");
            string Cell(string name, int r) => table.Find(name)!.Kind == ColumnKind.Numeric
                ? float.IsNaN(table.Find(name)!.Numbers![r]) ? string.Empty : table.Find(name)!.Numbers![r].ToString("R", CultureInfo.InvariantCulture)
                : table.Find(name)!.Texts![r] ?? string.Empty;
            for (var r = 0; r < table.RowCount; r++) await w.WriteLineAsync(string.Join(',', new[] { r.ToString(CultureInfo.InvariantCulture) }.Concat(new[] { "x0", "x1", "x2", "city", "code", "label" }.Select(c => Cell(c, r)))));
        }

        async Task<(byte[] Model, RunRecord Run)> TrainAsync(string name, int threads, int cv)
        {
            var result = await new Trainer(_ => { }).RunAsync(new TrainOptions
            {
                Data = new MlOps.Data.DatasetSource { Path = csv },
                Task = ModelTask.Binary,
                Label = "label",
                PositiveClass = "1",
                Split = new MlOps.Data.SplitSettings { Key = "id" },
                Settings = new TrainSettings { Threads = threads, CrossValidationFolds = cv, Hyperparameters = new Dictionary<string, double> { ["iterations"] = 25 } },
                OutputDirectory = _dir.Combine(name),
            });
            return (File.ReadAllBytes(result.ModelPath), result.Record);
        }

        var plain = await TrainAsync("plain", 2, 0);
        var withCv = await TrainAsync("cv", 2, 3);
        var oneThread = await TrainAsync("one", 1, 0);
        Assert.True(plain.Run.Data.Rows["train"] > LightGbmDirect.CategoricalSplitRows); // the refit boosts alongside
        Assert.Equal(plain.Run.Data.Rows["train"] + plain.Run.Data.Rows["eval"], plain.Run.Refit!.Rows);
        Assert.Equal(plain.Model, withCv.Model);
        Assert.Equal(plain.Model, oneThread.Model);
        Assert.Equal(plain.Run.Metrics["eval"]["roc-auc"], withCv.Run.Metrics["eval"]["roc-auc"]);
        Assert.Equal(3, withCv.Run.CrossValidation!.Folds);
        Assert.InRange(withCv.Run.CrossValidation.Metrics["roc-auc"].Mean, 0.7, 1);
    }

    [Fact]
    public void Floored_thresholds_decide_every_float_as_the_exact_ones_do()
    {
        var random = new Random(9);
        var thresholds = Enumerable.Range(0, 2_000).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 8))).Append(1.0000000180025095e-35).Append(3).Append(0.30000000000000004).ToArray();
        var text = "tree\nTree=0\nthreshold=" + string.Join(' ', thresholds.Select(t => t.ToString("R", CultureInfo.InvariantCulture))) + "\ntree_sizes=1 2\n";
        var floored = LightGbmDirect.FloatThresholds(text);
        Assert.DoesNotContain("tree_sizes=", floored);
        var values = floored.Split('\n').Single(l => l.StartsWith("threshold=", StringComparison.Ordinal))["threshold=".Length..].Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(thresholds.Length, values.Length);
        for (var i = 0; i < thresholds.Length; i++)
        {
            var t = thresholds[i];
            Assert.Equal(values[i], (double)(float)values[i]); // exactly a float
            var f = (float)t;
            foreach (var v in new[] { MathF.BitDecrement(f), f, MathF.BitIncrement(f) })
            {
                Assert.Equal(v <= t, v <= values[i]); // as LightGBM decides, in doubles
                Assert.Equal(v <= t, v <= (float)values[i]); // as ML.NET decides, in floats
            }
        }
    }
}
