namespace MlOps.Scoring;

/// <summary>What a model predicts.</summary>
public enum ModelTask
{
    /// <summary>Two classes; the model gives the probability of the positive one.</summary>
    Binary,

    /// <summary>Several classes; the model gives a probability per class.</summary>
    Multiclass,

    /// <summary>A real number.</summary>
    Regression,
}

/// <summary>Names of <see cref="ModelTask"/> as written in mlops.yaml.</summary>
public static class ModelTasks
{
    /// <summary>binary, multiclass, regression.</summary>
    public static string Name(this ModelTask task) => task switch
    {
        ModelTask.Binary => "binary",
        ModelTask.Multiclass => "multiclass",
        _ => "regression",
    };

    /// <summary>Parses a task name; null when unknown.</summary>
    public static ModelTask? Parse(string? name) => name switch
    {
        "binary" => ModelTask.Binary,
        "multiclass" => ModelTask.Multiclass,
        "regression" => ModelTask.Regression,
        _ => null,
    };
}
