using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>
/// LightGBM trained through its C API on the table's columns, instead of through ML.NET's trainer,
/// which reads every row three times through a chain of row cursors before LightGBM sees it. The
/// model is the same ML.NET transformer (the booster's text through ML.NET's public loader of
/// pre-trained LightGBM models) behind the same featurizer, so model.zip, scoring and serving are
/// unchanged. Used for numbers and one-hot categories, binary and regression; other plans and
/// multiclass go through ML.NET's trainer.
/// </summary>
internal static class LightGbmDirect
{
    /// <summary>Above this many rows, categories split as categories; at or below, their one-hot slots split as numbers (ML.NET's own rule, against overfitting small data).</summary>
    public const int CategoricalSplitRows = 50_000;

    /// <summary>True when this path trains <paramref name="plan"/> for <paramref name="task"/> with <paramref name="trainer"/>.</summary>
    public static bool Handles(TrainerSpec trainer, FeaturePlan plan, ModelTask task) =>
        trainer.Name == "lightgbm" && task is ModelTask.Binary or ModelTask.Regression && FeatureEncoding.Supports(plan);

    /// <summary>Fits the featurizer and the booster; the returned chain takes raw rows, as ML.NET's trainer's does.</summary>
    /// <remarks>
    /// <paramref name="binsFrom"/>: an earlier fit's binned dataset, boosted on as it is when it holds
    /// exactly <paramref name="trainRows"/> (a refit on train + eval), else its bins reused when the
    /// encodings allow; null, LightGBM finds bins from these rows. <paramref name="keepBins"/>: keep
    /// this fit's binned dataset (train + validation rows, where they were binned as one) in
    /// <see cref="TrainedModel.Bins"/> for a refit.
    /// </remarks>
    public static TrainedModel Train(MLContext ml, Table table, LabelSpec label, FeaturePlan plan, TrainerArgs args, int[] trainRows, int[] validRows, DataViewSchema inputSchema, LightGbmBins? binsFrom, bool keepBins)
    {
        var labelColumn = table.Find(label.Column)!;
        float[] Labels(int[] rows) => LightGbmDirect.Labels(label, labelColumn, rows);
        ITransformer? featurizer = null;
        FeatureEncoding encoding;
        LightGbmData data;
        string parameters;
        var (reused, whole) = (false, false);
        if (binsFrom is not null && validRows.Length == 0 && binsFrom.Encoding.CategoricalSplits && binsFrom.Rows.AsSpan().SequenceEqual(trainRows))
        {
            // The refit's rows are the rows the first fit binned: its featurizer, encoding and dataset as they are.
            (featurizer, encoding) = (binsFrom.Featurizer ?? throw new InvalidOperationException("the first fit kept its dataset without its featurizer."), binsFrom.Encoding);
            parameters = Parameters(label.Task, args, encoding);
            data = LightGbmData.Reuse(binsFrom);
            (reused, whole) = (true, true);
        }
        else
        {
            var categoricalSplits = trainRows.Length > CategoricalSplitRows;
            var like = binsFrom?.Encoding.CategoricalSplits == categoricalSplits ? binsFrom : null;
            // The encoding comes from statistics; the ML.NET featurizer that computes it is fitted
            // after boosting (below), beside the refit, rather than before both fits.
            encoding = FeatureEncoding.Of(plan, table, trainRows, categoricalSplits, like?.Encoding);
            if (like is not null && !encoding.BinsLike(like.Encoding)) like = null;
            reused = like is not null;
            parameters = Parameters(label.Task, args, encoding);
            // Only early stopping boosts with a validation dataset; otherwise the rows are predicted once boosted.
            var validDataset = args.EarlyStoppingRounds > 0;
            data = (encoding.CategoricalSplits && like is null ? LightGbmData.TryShared(encoding, trainRows, validRows, Labels, parameters, validDataset) : null)
                ?? LightGbmData.Separate(encoding, trainRows, validRows, Labels, parameters, like?.Dataset, validDataset);
        }

        Boosted? boosted = null;
        LightGbmBins? kept = null;
        var threads = args.Threads;
        using (data)
        {
            var iterations = args.Int("iterations");
            if (whole && binsFrom!.Refit is { } alongside)
            {
                // Boosted alongside the first fit. Asked for other rounds (not expected), it is
                // stopped first: nothing else boosts while it does.
                if (alongside.Iterations == iterations) boosted = alongside.Finish();
                else alongside.Dispose();
            }
            else if (keepBins && LightGbmRefit.CanRunAlongside(threads) && data.WholeRows.Length > trainRows.Length)
            {
                // The refit boosts on train + eval alongside this fit, each on half the threads,
                // and goes on while this fit's model is loaded and measured.
                threads /= 2;
                var half = Parameters(label.Task, args, encoding, threads);
                var wholeSet = data.Keep()!;
                var refit = LightGbmRefit.Start(wholeSet, data.WholeRows.Length, half, iterations, args.EarlyStoppingRounds > 0);
                kept = new LightGbmBins(wholeSet, featurizer, encoding, data.WholeRows) { Refit = refit };
                try
                {
                    boosted = Boost(data, encoding, trainRows.Length, validRows, half, threads, iterations, args.EarlyStoppingRounds);
                    refit.FirstFitEnded(boosted.Rounds);
                }
                catch
                {
                    kept.Dispose();
                    throw;
                }
            }

            if (boosted is null)
            {
                boosted = Boost(data, encoding, trainRows.Length, validRows, parameters, threads, iterations, args.EarlyStoppingRounds);
                if (keepBins && data.Keep() is { } dataset) kept = new LightGbmBins(dataset, featurizer, encoding, data.WholeRows);
            }
        }

        try
        {
            if (featurizer is null)
            {
                featurizer = encoding.FitFeaturizer(ml, plan);
                kept?.Featurizer = featurizer;
            }

            var text = FloatThresholds(boosted.Text);

            // ML.NET's loader checks the featurized schema only; one row carries it.
            var features = plan.Features.Select(f => table.Find(f.Column)!).ToList();
            var schemaRow = featurizer.Transform(new TableDataView(table, trainRows[..1], features));
            using var model = new MemoryStream(Encoding.UTF8.GetBytes(encoding.ForMlNet(text)));
            ITransformer predictor = label.Task == ModelTask.Binary
                ? ml.BinaryClassification.Trainers.LightGbm(model).Fit(schemaRow)
                : ml.Regression.Trainers.LightGbm(model).Fit(schemaRow);
            var chain = new TransformerChain<ITransformer>(featurizer, predictor);
            var known = new KnownScores(trainRows, boosted.TrainScores, validRows, boosted.ValidScores);
            return new TrainedModel(new MlNetScorer(ml, chain, inputSchema, "model"), inputSchema, plan, args.Values)
            {
                Rounds = boosted.Rounds,
                Bins = kept,
                BinsReused = reused,
                FeaturizerReused = whole,
                DirectScore = rows =>
                {
                    // Half the threads while a refit boosts alongside: LightGBM's thread count is one setting for the process.
                    var scores = known.Of(rows) ?? Predict(text, encoding, rows, threads);
                    return label.Task == ModelTask.Binary ? Predictions.Binary(scores) : Predictions.Regression(scores);
                },
            };
        }
        catch
        {
            kept?.Dispose();
            throw;
        }
    }

    /// <summary>LightGBM's own predictions (probabilities for binary) of <paramref name="rows"/>.</summary>
    internal static float[] Predict(string modelText, FeatureEncoding encoding, int[] rows, int threads)
    {
        LightGbmApi.Check(LightGbmApi.LGBM_BoosterLoadModelFromString(modelText, out _, out var booster));
        using (booster)
        {
            return Predict(booster, encoding, rows, threads);
        }
    }

    /// <summary>A booster's predictions (probabilities for binary) of <paramref name="rows"/>, encoded as it was trained on, on <paramref name="threads"/> threads.</summary>
    internal static float[] Predict(LightGbmApi.BoosterHandle booster, FeatureEncoding encoding, int[] rows, int threads)
    {
        var results = new double[rows.Length];
        var parameters = Invariant($"num_threads={threads}");
        if (encoding.CategoricalSplits)
        {
            var values = encoding.Dense(rows);
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterPredictForMat(booster, values, LightGbmApi.Float32, rows.Length, encoding.Columns, 1, LightGbmApi.PredictNormal, 0, -1, parameters, out _, results));
        }
        else
        {
            var (starts, indices, values) = encoding.Sparse(rows);
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterPredictForCSR(booster, starts, LightGbmApi.Int32, indices, values, LightGbmApi.Float32, starts.Length, values.Length, encoding.Columns, LightGbmApi.PredictNormal, 0, -1, parameters, out _, results));
        }

        return Array.ConvertAll(results, r => (float)r);
    }

    /// <summary>
    /// The booster's text with every split threshold t written as the largest float not above it.
    /// Inputs are floats, and for a float v, v ≤ t exactly when v ≤ that float, so LightGBM decides
    /// as before; ML.NET's loader rounds thresholds to the nearest float, which for a value
    /// between t and its rounding up would send it the other way. Floored, both agree on every row.
    /// The tree_sizes line (byte counts, for parallel loading) no longer holds and goes; LightGBM
    /// then reads the trees one after another.
    /// </summary>
    internal static string FloatThresholds(string modelText)
    {
        var lines = modelText.Split('\n').Where(l => !l.StartsWith("tree_sizes=", StringComparison.Ordinal)).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("threshold=", StringComparison.Ordinal)) continue;
            var values = lines[i]["threshold=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var k = 0; k < values.Length; k++)
            {
                if (!double.TryParse(values[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || !double.IsFinite(t)) continue;
                var f = (float)t;
                if (f > t) f = MathF.BitDecrement(f);
                values[k] = ((double)f).ToString("R", CultureInfo.InvariantCulture);
            }

            lines[i] = "threshold=" + string.Join(' ', values);
        }

        return string.Join('\n', lines);
    }

    /// <summary>What boosting made: the model text, its rounds, and its predictions of the train and validation rows.</summary>
    internal sealed record Boosted(string Text, int Rounds, float[] TrainScores, float[]? ValidScores);

    /// <summary>
    /// Boosts up to <paramref name="iterations"/> rounds; with <paramref name="earlyStopping"/>,
    /// ends at the best round on the validation rows, whose predictions LightGBM then keeps round
    /// by round. Without it, the validation rows are predicted once from the finished booster
    /// instead (about the same work as updating their predictions every round, but no validation
    /// dataset is built and, beside a refit, it overlaps the refit's last rounds). The train rows' predictions
    /// are the ones LightGBM keeps for boosting, so their metrics cost no second pass.
    /// </summary>
    internal static Boosted Boost(LightGbmData data, FeatureEncoding encoding, int trainRows, int[] validRows, string parameters, int threads, int iterations, int earlyStopping)
    {
        var watch = data.Valid is not null && earlyStopping > 0;
        using var booster = LightGbmBooster.Create(data.Train, parameters, ownGradients: !watch);
        if (watch) LightGbmApi.Check(LightGbmApi.LGBM_BoosterAddValidData(booster.Handle, data.Valid!));
        var (best, bestLoss, done, stopped) = (0, double.MaxValue, 0, false);
        var eval = new double[8];
        while (done < iterations)
        {
            if (!booster.Update()) break; // no split gains anything: this round added no tree
            done++;
            if (!watch) continue;

            // The objective's own loss (log-loss, RMSE): smaller is better.
            LightGbmApi.Check(LightGbmApi.LGBM_BoosterGetEval(booster.Handle, 1, out _, eval));
            if (eval[0] < bestLoss) (best, bestLoss) = (done, eval[0]);
            else if (done - best >= earlyStopping)
            {
                stopped = true;
                break;
            }
        }

        // As ML.NET's trainer: stopped early, the model ends at its best round (the rounds
        // after it are rolled back, predictions included); otherwise it keeps every round.
        var rounds = stopped ? best : done;
        booster.RollBack(done - rounds);
        var text = booster.ModelText(rounds);
        var validScores = watch ? RunningScores(booster.Handle, 1, validRows.Length)
            : validRows.Length == 0 ? null
            : booster.OwnGradients ? Predict(text, encoding, validRows, threads) // the text holds the starting score the booster's trees do not
            : Predict(booster.Handle, encoding, validRows, threads);
        return new Boosted(text, rounds, booster.TrainScores(trainRows), validScores);
    }

    internal static float[] RunningScores(LightGbmApi.BoosterHandle booster, int dataIndex, int rows) =>
        Array.ConvertAll(RunningScores(booster, dataIndex, new double[rows]), r => (float)r);

    /// <summary>Fills <paramref name="into"/> (one value per row) with a booster's running predictions of its training (0) or i-th validation dataset, as its objective converts them (raw without one).</summary>
    internal static double[] RunningScores(LightGbmApi.BoosterHandle booster, int dataIndex, double[] into)
    {
        LightGbmApi.Check(LightGbmApi.LGBM_BoosterGetPredict(booster, dataIndex, out var length, into));
        if (length != into.Length) throw new InvalidOperationException($"LightGBM returned {length} predictions for {into.Length} rows.");
        return into;
    }

    internal static string ModelText(LightGbmApi.BoosterHandle booster, int rounds)
    {
        LightGbmApi.Check(LightGbmApi.LGBM_BoosterSaveModelToString(booster, 0, rounds, 0, 0, out var length, null));
        var buffer = new byte[length];
        LightGbmApi.Check(LightGbmApi.LGBM_BoosterSaveModelToString(booster, 0, rounds, 0, length, out length, buffer));
        return Encoding.UTF8.GetString(buffer, 0, (int)length - 1); // without the C string's terminator
    }

    // Binary: 1 for the positive class; regression: the value (the rows are labeled).
    private static float[] Labels(LabelSpec label, TableColumn column, int[] rows) => label.Task == ModelTask.Binary
        ? Array.ConvertAll(label.Positives(column, rows), p => p ? 1f : 0f)
        : Array.ConvertAll(rows, r => column.Numbers![r]);

    /// <summary>
    /// LightGBM's parameters: mlops.yaml's hyperparameters, and for the rest the values ML.NET's
    /// LightGBM trainer passes (so models mean what they meant before), plus what makes a run
    /// reproducible: a fixed seed, deterministic mode, and histogram layout chosen by shape, not
    /// by LightGBM's timing test (which could pick differently from run to run).
    /// </summary>
    internal static string Parameters(ModelTask task, TrainerArgs a, FeatureEncoding encoding, int? threads = null)
    {
        var p = new List<string>
        {
            task == ModelTask.Binary ? LightGbmBooster.BinaryObjective : "objective=regression metric=rmse",
            "boosting_type=gbdt",
            Invariant($"num_iterations={a.Int("iterations")} learning_rate={a.Real("learning-rate"):R} num_leaves={a.Int("leaves")}"),
            Invariant($"min_data_in_leaf={a.Int("min-samples-per-leaf")} lambda_l2={a.Real("l2"):R}"),
            "lambda_l1=0 min_gain_to_split=0 max_depth=-1 min_sum_hessian_in_leaf=0.1 bagging_freq=0 bagging_fraction=1 feature_fraction=1",
            "max_bin=255 use_missing=true zero_as_missing=false min_data_per_group=100 max_cat_threshold=32 cat_smooth=10 cat_l2=10",
            Invariant($"seed={a.Seed} num_threads={threads ?? a.Threads} deterministic=true"),
            encoding.Columns > 1_000 ? "force_col_wise=true" : "force_row_wise=true",
            "verbose=-1",
        };
        if (encoding.CategoricalColumns.Length > 0) p.Add($"categorical_feature={encoding.CategoricalColumns}");
        return string.Join(' ', p);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
