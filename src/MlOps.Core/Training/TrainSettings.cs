namespace MlOps.Training;

/// <summary>train: in mlops.yaml.</summary>
public sealed record TrainSettings
{
    /// <summary>The default trainer.</summary>
    public const string DefaultTrainer = "lightgbm";

    /// <summary>A built-in trainer (see <see cref="TrainerCatalog"/>); ignored when <see cref="Command"/> is set.</summary>
    public string Trainer { get; init; } = DefaultTrainer;

    /// <summary>Hyperparameters as given; validated against the trainer when bound.</summary>
    public IReadOnlyDictionary<string, double> Hyperparameters { get; init; } = new Dictionary<string, double>();

    /// <summary>The random seed for the trainer and anything it samples.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Worker threads for built-in trainers; null (<c>threads: auto</c>, the default) is every core
    /// for trainers whose runs stay bit-identical at a given thread count, 1 for SDCA. 1 gives the
    /// same bytes on every machine whatever its core count.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>
    /// After the first fit (which early stopping, when on, ends on the eval split), fit again on
    /// train + eval with the rounds it chose, so the held-out test split is the only data not
    /// trained on (<c>train.refit</c>, default true). The eval metrics recorded are the first fit's.
    /// </summary>
    public bool Refit { get; init; } = true;

    /// <summary>k-fold cross-validation over train + eval (<c>train.cv</c>, 2 to 20); 0 = off.</summary>
    public int CrossValidationFolds { get; init; }

    /// <summary>A seeded hyperparameter search before the fit (<c>train.search</c>); null = off.</summary>
    public SearchSettings? Search { get; init; }

    /// <summary>Stop when the eval-split metric has not improved for this many rounds; 0 = off.</summary>
    public int EarlyStopping { get; init; }

    /// <summary>Columns that are not features (identifiers, leaks). The label and split key never are.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>Text columns to featurize as free text (n-grams) instead of categories.</summary>
    public IReadOnlyList<string> Text { get; init; } = [];

    /// <summary>Categorical columns with more distinct values than this are hashed instead of one-hot encoded.</summary>
    public int MaxCategories { get; init; } = 1000;

    /// <summary>A training command to run instead of a built-in trainer.</summary>
    public string? Command { get; init; }

    /// <summary>The longest the command may run.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The output folder.</summary>
    public string? Output { get; init; }
}
