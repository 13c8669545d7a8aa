namespace MlOps.Training;

/// <summary>
/// train.search: a small, seeded hyperparameter search of a built-in trainer, each trial scored on
/// the eval split; the best trial's hyperparameters make the model (refit as usual).
/// </summary>
public sealed record SearchSettings
{
    /// <summary>How many hyperparameter sets to try (1 to 500).</summary>
    public required int Trials { get; init; }

    /// <summary><c>random</c>: every trial on every train row; <c>halving</c>: successive halving, all trials on a third of the rows per rung, the best third going on to three times the rows.</summary>
    public string Method { get; init; } = "random";

    /// <summary>The eval-split metric that ranks trials (default: the task's primary metric).</summary>
    public string? Metric { get; init; }

    /// <summary>Where each hyperparameter is drawn from.</summary>
    public required IReadOnlyList<SearchDimension> Space { get; init; }
}

/// <summary>One hyperparameter's range (uniform, or log-uniform) or list of values; whole numbers for integer hyperparameters.</summary>
/// <param name="Name">The hyperparameter.</param>
/// <param name="Min">The range's low end.</param>
/// <param name="Max">The range's high end.</param>
/// <param name="Log">Draw uniformly on the log scale (ranges whose ends are both above 0).</param>
/// <param name="Integer">Draw whole numbers.</param>
/// <param name="Values">A list to pick from instead of a range.</param>
public sealed record SearchDimension(string Name, double Min, double Max, bool Log, bool Integer, IReadOnlyList<double>? Values = null)
{
    /// <summary>One draw.</summary>
    public double Draw(Random random)
    {
        if (Values is { Count: > 0 } values) return values[random.Next(values.Count)];
        var u = random.NextDouble();
        var x = Log ? Math.Exp(Math.Log(Min) + (u * (Math.Log(Max) - Math.Log(Min)))) : Min + (u * (Max - Min));
        return Integer ? Math.Clamp(Math.Floor(x + 0.5), Math.Ceiling(Min), Math.Floor(Max)) : x;
    }
}
