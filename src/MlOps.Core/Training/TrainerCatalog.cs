using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MlOps.Scoring;

namespace MlOps.Training;

/// <summary>A built-in ML.NET trainer as users pick it in mlops.yaml.</summary>
public sealed class TrainerSpec
{
    internal TrainerSpec(string name, string description, IReadOnlyList<ModelTask> tasks, IReadOnlyList<Hyperparameter> parameters, bool linear, bool earlyStopping, Func<MLContext, ModelTask, TrainerArgs, TrainerFit> create, bool deterministicInParallel = true)
    {
        DeterministicInParallel = deterministicInParallel;
        Name = name;
        Description = description;
        Tasks = tasks;
        Parameters = parameters;
        Linear = linear;
        SupportsEarlyStopping = earlyStopping;
        Create = create;
    }

    /// <summary>The name in mlops.yaml (train.trainer).</summary>
    public string Name { get; }

    /// <summary>One line for docs.</summary>
    public string Description { get; }

    /// <summary>The tasks it can learn.</summary>
    public IReadOnlyList<ModelTask> Tasks { get; }

    /// <summary>Its hyperparameters.</summary>
    public IReadOnlyList<Hyperparameter> Parameters { get; }

    /// <summary>Linear models want normalized features; the normalizer is saved inside the model.</summary>
    public bool Linear { get; }

    /// <summary>True when train.early-stopping applies (it watches the eval split).</summary>
    public bool SupportsEarlyStopping { get; }

    /// <summary>
    /// Whether runs with the same thread count give the same model bytes (LightGBM, FastTree and
    /// L-BFGS split the work the same way every run); SDCA's parallel updates are lock-free
    /// (Hogwild), so it uses one thread unless told otherwise.
    /// </summary>
    public bool DeterministicInParallel { get; }

    /// <summary>The thread count for a run: the one set, else every core where that stays reproducible, else 1.</summary>
    public int Threads(int? requested) => requested ?? (DeterministicInParallel ? Environment.ProcessorCount : 1);

    internal Func<MLContext, ModelTask, TrainerArgs, TrainerFit> Create { get; }
}

/// <summary>What a trainer is built from.</summary>
internal sealed record TrainerArgs(IReadOnlyDictionary<string, double> Values, int Seed, int Threads, int EarlyStoppingRounds)
{
    public int Int(string name) => (int)Values[name];

    public double Real(string name) => Values[name];
}

/// <summary>Fits the trainer on featurized data, with validation data when it has any use for it.</summary>
internal delegate ITransformer TrainerFit(IDataView train, IDataView? validation);

/// <summary>The built-in trainers: LightGBM, FastTree, SDCA, L-BFGS logistic regression, Poisson regression.</summary>
public static class TrainerCatalog
{
    private const string Label = "Label";
    private const string Features = "Features";

    private static readonly Hyperparameter Iterations = new("iterations", 1, 100_000, 100, true, "boosting rounds (trees)");
    private static readonly Hyperparameter LearningRate = new("learning-rate", 1e-6, 1, 0.1, false, "shrinkage per boosting round");
    private static readonly Hyperparameter Leaves = new("leaves", 2, 131_072, 31, true, "maximum leaves per tree");
    private static readonly Hyperparameter MinLeaf = new("min-samples-per-leaf", 1, 1_000_000, 20, true, "minimum training rows in a leaf");
    private static readonly Hyperparameter L1 = new("l1", 0, 1e6, 0, false, "L1 regularization weight");
    private static readonly Hyperparameter L2 = new("l2", 0, 1e6, 0.01, false, "L2 regularization weight");
    private static readonly Hyperparameter MaxIterations = new("iterations", 1, 1_000_000, 100, true, "maximum passes over the data");

    /// <summary>Every built-in trainer.</summary>
    public static IReadOnlyList<TrainerSpec> All { get; } =
    [
        new("lightgbm", "gradient-boosted trees (LightGBM)", [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression],
            [Iterations, LearningRate, Leaves, MinLeaf, L2 with { Default = 0 }], linear: false, earlyStopping: true, LightGbm),
        new("fasttree", "gradient-boosted trees (FastTree; one-versus-all for multiclass)", [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression],
            [Iterations, LearningRate with { Default = 0.2 }, Leaves with { Default = 20 }, MinLeaf with { Default = 10 }], linear: false, earlyStopping: false, FastTree),
        new("sdca", "linear model by stochastic dual coordinate ascent (logistic, maximum entropy, or least squares)", [ModelTask.Binary, ModelTask.Multiclass, ModelTask.Regression],
            [MaxIterations, L1, L2], linear: true, earlyStopping: false, Sdca, deterministicInParallel: false),
        new("lbfgs", "logistic regression (binary) or maximum entropy (multiclass) by L-BFGS", [ModelTask.Binary, ModelTask.Multiclass],
            [MaxIterations, L1 with { Default = 1 }, L2 with { Default = 1 }], linear: true, earlyStopping: false, Lbfgs),
        new("poisson", "Poisson regression by L-BFGS, for counts", [ModelTask.Regression],
            [MaxIterations, L1 with { Default = 1 }, L2 with { Default = 1 }], linear: true, earlyStopping: false, Poisson),
    ];

    /// <summary>The names, for errors and docs.</summary>
    public static IReadOnlyList<string> Names => All.Select(t => t.Name).ToList();

    /// <summary>The trainer called <paramref name="name"/>, or null.</summary>
    public static TrainerSpec? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    private static TrainerFit LightGbm(MLContext ml, ModelTask task, TrainerArgs a)
    {
        var booster = new GradientBooster.Options { L2Regularization = a.Real("l2") };
        int? early = a.EarlyStoppingRounds > 0 ? a.EarlyStoppingRounds : null;
        switch (task)
        {
            case ModelTask.Binary:
                var b = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    LabelColumnName = Label,
                    FeatureColumnName = Features,
                    NumberOfIterations = a.Int("iterations"),
                    LearningRate = a.Real("learning-rate"),
                    NumberOfLeaves = a.Int("leaves"),
                    MinimumExampleCountPerLeaf = a.Int("min-samples-per-leaf"),
                    Seed = a.Seed,
                    NumberOfThreads = a.Threads,
                    EarlyStoppingRound = early ?? 0,
                    Booster = booster,
                    Silent = true,
                });
                return (t, v) => v is null ? b.Fit(t) : b.Fit(t, v);
            case ModelTask.Multiclass:
                var m = ml.MulticlassClassification.Trainers.LightGbm(new LightGbmMulticlassTrainer.Options
                {
                    LabelColumnName = Label,
                    FeatureColumnName = Features,
                    NumberOfIterations = a.Int("iterations"),
                    LearningRate = a.Real("learning-rate"),
                    NumberOfLeaves = a.Int("leaves"),
                    MinimumExampleCountPerLeaf = a.Int("min-samples-per-leaf"),
                    Seed = a.Seed,
                    NumberOfThreads = a.Threads,
                    EarlyStoppingRound = early ?? 0,
                    Booster = booster,
                    Silent = true,
                });
                return (t, v) => v is null ? m.Fit(t) : m.Fit(t, v);
            default:
                var r = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
                {
                    LabelColumnName = Label,
                    FeatureColumnName = Features,
                    NumberOfIterations = a.Int("iterations"),
                    LearningRate = a.Real("learning-rate"),
                    NumberOfLeaves = a.Int("leaves"),
                    MinimumExampleCountPerLeaf = a.Int("min-samples-per-leaf"),
                    Seed = a.Seed,
                    NumberOfThreads = a.Threads,
                    EarlyStoppingRound = early ?? 0,
                    Booster = booster,
                    Silent = true,
                });
                return (t, v) => v is null ? r.Fit(t) : r.Fit(t, v);
        }
    }

    private static TrainerFit FastTree(MLContext ml, ModelTask task, TrainerArgs a)
    {
        FastTreeBinaryTrainer.Options BinaryOptions() => new()
        {
            LabelColumnName = Label,
            FeatureColumnName = Features,
            NumberOfTrees = a.Int("iterations"),
            LearningRate = a.Real("learning-rate"),
            NumberOfLeaves = a.Int("leaves"),
            MinimumExampleCountPerLeaf = a.Int("min-samples-per-leaf"),
            NumberOfThreads = a.Threads,
            Seed = a.Seed,
        };
        IEstimator<ITransformer> estimator = task switch
        {
            ModelTask.Binary => ml.BinaryClassification.Trainers.FastTree(BinaryOptions()),
            ModelTask.Multiclass => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(BinaryOptions()), Label),
            _ => ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
            {
                LabelColumnName = Label,
                FeatureColumnName = Features,
                NumberOfTrees = a.Int("iterations"),
                LearningRate = a.Real("learning-rate"),
                NumberOfLeaves = a.Int("leaves"),
                MinimumExampleCountPerLeaf = a.Int("min-samples-per-leaf"),
                NumberOfThreads = a.Threads,
                Seed = a.Seed,
            }),
        };
        return (t, _) => estimator.Fit(t);
    }

    private static TrainerFit Sdca(MLContext ml, ModelTask task, TrainerArgs a)
    {
        float? l1 = (float)a.Real("l1");
        float? l2 = (float)a.Real("l2");
        IEstimator<ITransformer> estimator = task switch
        {
            ModelTask.Binary => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = l1, L2Regularization = l2, NumberOfThreads = a.Threads, Shuffle = false }),
            ModelTask.Multiclass => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = l1, L2Regularization = l2, NumberOfThreads = a.Threads, Shuffle = false }),
            _ => ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = l1, L2Regularization = l2, NumberOfThreads = a.Threads, Shuffle = false }),
        };
        return (t, _) => estimator.Fit(t);
    }

    private static TrainerFit Lbfgs(MLContext ml, ModelTask task, TrainerArgs a)
    {
        IEstimator<ITransformer> estimator = task == ModelTask.Binary
            ? ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = (float)a.Real("l1"), L2Regularization = (float)a.Real("l2"), NumberOfThreads = a.Threads })
            : ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = (float)a.Real("l1"), L2Regularization = (float)a.Real("l2"), NumberOfThreads = a.Threads });
        return (t, _) => estimator.Fit(t);
    }

    private static TrainerFit Poisson(MLContext ml, ModelTask task, TrainerArgs a)
    {
        var estimator = ml.Regression.Trainers.LbfgsPoissonRegression(new LbfgsPoissonRegressionTrainer.Options
        { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = a.Int("iterations"), L1Regularization = (float)a.Real("l1"), L2Regularization = (float)a.Real("l2"), NumberOfThreads = a.Threads });
        return (t, _) => estimator.Fit(t);
    }
}
