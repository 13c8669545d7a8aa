namespace MlOps.Training;

/// <summary>A hyperparameter a built-in trainer accepts: its name in mlops.yaml, range and default.</summary>
/// <param name="Name">The key under train.hyperparameters.</param>
/// <param name="Min">The smallest valid value.</param>
/// <param name="Max">The largest valid value.</param>
/// <param name="Default">The value used when the key is absent.</param>
/// <param name="Integer">True when only whole numbers are valid.</param>
/// <param name="Description">What it does, for docs and errors.</param>
public sealed record Hyperparameter(string Name, double Min, double Max, double Default, bool Integer, string Description);
