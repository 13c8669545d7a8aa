namespace MlOps.Artifacts;

/// <summary>A confidence interval.</summary>
/// <param name="Low">The lower bound.</param>
/// <param name="High">The upper bound.</param>
public sealed record Interval(double Low, double High);
