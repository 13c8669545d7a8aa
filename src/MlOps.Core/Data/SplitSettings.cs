namespace MlOps.Data;

/// <summary>split: in mlops.yaml.</summary>
public sealed record SplitSettings
{
    /// <summary>60/20/20.</summary>
    public static readonly IReadOnlyList<(string Name, double Fraction)> DefaultFractions = [("train", 0.6), ("eval", 0.2), ("test", 0.2)];

    /// <summary>The column whose value decides a row's split; null hashes the whole row.</summary>
    public string? Key { get; init; }

    /// <summary>Split names and fractions, summing to 1.</summary>
    public IReadOnlyList<(string Name, double Fraction)> Fractions { get; init; } = DefaultFractions;

    /// <summary>Mixed into the hash so different projects get independent splits.</summary>
    public string Salt { get; init; } = "mlops";

    /// <summary>The output folder.</summary>
    public string? Output { get; init; }
}
