using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Scoring;
using MlOps.Tabular;

namespace MlOps.Training;

/// <summary>A model trained in this process, ready to score and to save.</summary>
/// <param name="Scorer">Scores with the in-memory transformer chain.</param>
/// <param name="InputSchema">The raw input columns the model reads (what serving must send).</param>
/// <param name="Plan">The featurization.</param>
/// <param name="Hyperparameters">Every hyperparameter as used, defaults included.</param>
public sealed record TrainedModel(MlNetScorer Scorer, DataViewSchema InputSchema, FeaturePlan Plan, IReadOnlyDictionary<string, double> Hyperparameters)
{
    /// <summary>The boosting rounds the model holds (fewer than asked when early stopping stopped it); null for non-tree trainers.</summary>
    public int? Rounds { get; init; }

    /// <summary>
    /// Scores rows of the training table without ML.NET's cursors, where the trainer can (LightGBM
    /// predicting with its own booster, whose decisions the saved model repeats exactly); null:
    /// <see cref="Scorer"/> does.
    /// </summary>
    internal Func<int[], Predictions>? DirectScore { get; init; }

    /// <summary>The binned dataset (train + eval where they were binned as one, else train), when the fit was asked to keep it for a refit (LightGBM only); the caller disposes it.</summary>
    internal LightGbmBins? Bins { get; init; }

    /// <summary>True when this fit binned its rows with an earlier fit's bins.</summary>
    internal bool BinsReused { get; init; }

    /// <summary>True when this fit boosted on an earlier fit's dataset as it was, behind that fit's featurizer (which this model then shares).</summary>
    internal bool FeaturizerReused { get; init; }

    /// <summary>Predictions for <paramref name="rows"/> of the table the model was trained on.</summary>
    public Predictions Score(Table table, int[] rows) => DirectScore?.Invoke(rows) ?? Scorer.Score(table, rows);
}

/// <summary>
/// Trains a built-in ML.NET trainer: featurization and trainer fitted in one chain whose every
/// transform (missing-value means, one-hot dictionaries, normalizer, label names) is saved in the
/// model, so the model takes raw rows.
/// </summary>
public static class MlNetTrainer
{
    /// <summary>Trains on <paramref name="trainRows"/>, watching <paramref name="validRows"/> for early stopping.</summary>
    public static TrainedModel Train(Table table, LabelSpec label, TrainSettings settings, string? splitKey, int[] trainRows, int[] validRows) =>
        Train(table, label, settings, splitKey, trainRows, validRows, null, keepBins: false);

    /// <summary>As the public overload; LightGBM's direct path may reuse <paramref name="binsFrom"/> and keep its own bins.</summary>
    internal static TrainedModel Train(Table table, LabelSpec label, TrainSettings settings, string? splitKey, int[] trainRows, int[] validRows, LightGbmBins? binsFrom, bool keepBins)
    {
        var spec = TrainerCatalog.Find(settings.Trainer) ?? throw Errors.Config("train.trainer", $"'{settings.Trainer}' is not a built-in trainer.");
        if (!spec.Tasks.Contains(label.Task))
        {
            throw Errors.Config("train.trainer", $"{spec.Name} cannot learn a {label.Task.Name()} task; it handles {string.Join(", ", spec.Tasks.Select(x => x.Name()))}.");
        }

        if (trainRows.Length == 0) throw Errors.Data("train", "the train split has no labeled rows.");
        var values = spec.Parameters.ToDictionary(p => p.Name, p => settings.Hyperparameters.TryGetValue(p.Name, out var v) ? v : p.Default, StringComparer.Ordinal);
        var ml = new MLContext(settings.Seed);
        var plan = FeaturePlan.Create(table, label.Column, splitKey, settings, trainRows);
        var features = plan.Features.Select(f => table.Find(f.Column)!).ToList();
        var labelColumn = table.Find(label.Column)!;
        var labelKind = label.Task switch
        {
            ModelTask.Binary => LabelKind.Boolean,
            ModelTask.Multiclass => LabelKind.Text,
            _ => LabelKind.Numeric,
        };
        IDataView train = new TableDataView(table, trainRows, features, labelColumn, labelKind, label.PositiveClass);
        IDataView? valid = validRows.Length > 0 ? new TableDataView(table, validRows, features, labelColumn, labelKind, label.PositiveClass) : null;
        var inputSchema = new TableDataView(table, [], features).Schema;
        var args = new TrainerArgs(values, settings.Seed, spec.Threads(settings.Threads), settings.EarlyStopping);
        if (LightGbmDirect.Handles(spec, plan, label.Task)) return LightGbmDirect.Train(ml, table, label, plan, args, trainRows, validRows, inputSchema, binsFrom, keepBins);

        if (label.Task == ModelTask.Multiclass)
        {
            // Class names sorted, so the class order (and the model) does not depend on row order.
            var toKey = ml.Transforms.Conversion.MapValueToKey(TableDataView.LabelColumn, keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(train);
            train = toKey.Transform(train);
            valid = valid is null ? null : toKey.Transform(valid);
        }

        var featurizer = plan.BuildEstimator(ml, spec.Linear).Fit(train);
        var trainFeatures = featurizer.Transform(train);
        var validFeatures = valid is null ? null : featurizer.Transform(valid);
        var fit = spec.Create(ml, label.Task, args);
        var predictor = fit(trainFeatures, settings.EarlyStopping > 0 ? validFeatures : null);
        var parts = new List<ITransformer> { featurizer, predictor };
        if (label.Task == ModelTask.Multiclass)
        {
            parts.Add(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(predictor.Transform(trainFeatures)));
        }

        var chain = new TransformerChain<ITransformer>(parts.ToArray());

        return new TrainedModel(new MlNetScorer(ml, chain, inputSchema, "model"), inputSchema, plan, values)
        {
            Rounds = Rounds(predictor, label.Task == ModelTask.Multiclass ? plan.Features.Count > 0 ? ClassCount(trainFeatures) : 1 : 1),
        };
    }

    // Trees in a boosted ensemble, per class for multiclass (LightGBM grows one tree per class per
    // round). ML.NET wraps the ensemble (a calibrated binary model's SubModel) behind properties its
    // generic types redeclare, hence lookups by name. Its one-versus-all multiclass model keeps
    // its ensembles internal: null there, and the trainer does not refit after early stopping.
    private static int? Rounds(ITransformer predictor, int classes)
    {
        var model = Property(predictor, "Model");
        if (Property(model, "SubModel") is { } sub) model = sub;
        return model is Microsoft.ML.Trainers.FastTree.TreeEnsembleModelParametersBasedOnRegressionTree trees
            ? trees.TrainedTreeEnsemble.Trees.Count / Math.Max(1, classes)
            : null;
    }

    private static object? Property(object? target, string name) =>
        target?.GetType().GetProperties().FirstOrDefault(p => p.Name == name && p.GetIndexParameters().Length == 0)?.GetValue(target);

    private static int ClassCount(IDataView data)
    {
        var type = data.Schema[TableDataView.LabelColumn].Type;
        return type is KeyDataViewType key ? (int)key.Count : 1;
    }
}
