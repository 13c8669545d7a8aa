namespace MlOps.Validation.Sketches;

/// <summary>
/// Count, mean, variance (Welford), minimum and maximum of a stream, mergeable with Chan et al.'s
/// parallel formula, so sharded statistics merge to the same figures as one pass.
/// </summary>
public struct Moments
{
    /// <summary>Number of values.</summary>
    public long Count;

    /// <summary>Running mean.</summary>
    public double Mean;

    /// <summary>Sum of squared deviations from the mean.</summary>
    public double M2;

    /// <summary>Smallest value (+∞ when empty).</summary>
    public double Min;

    /// <summary>Largest value (−∞ when empty).</summary>
    public double Max;

    /// <summary>An empty accumulator.</summary>
    public static Moments Empty => new() { Min = double.PositiveInfinity, Max = double.NegativeInfinity };

    /// <summary>Adds one value.</summary>
    public void Add(double x)
    {
        Count++;
        var delta = x - Mean;
        Mean += delta / Count;
        M2 += delta * (x - Mean);
        if (x < Min) Min = x;
        if (x > Max) Max = x;
    }

    /// <summary>Folds another accumulator into this one.</summary>
    public void Merge(in Moments other)
    {
        if (other.Count == 0) return;
        if (Count == 0)
        {
            this = other;
            return;
        }

        var n = Count + other.Count;
        var delta = other.Mean - Mean;
        M2 += other.M2 + (delta * delta * Count * other.Count / n);
        Mean += delta * other.Count / n;
        Count = n;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values.</summary>
    public readonly double SampleStdDev => Count > 1 ? Math.Sqrt(M2 / (Count - 1)) : 0;
}
