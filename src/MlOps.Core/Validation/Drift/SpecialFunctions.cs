namespace MlOps.Validation.Drift;

/// <summary>The special functions the tests of significance need (Numerical Recipes, §6.1–6.2).</summary>
public static class SpecialFunctions
{
    private static readonly double[] Lanczos =
    [
        57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
        0.339946499848118887e-4, 0.465236289270485756e-4, -0.983744753048795646e-4, 0.158088703224912494e-3,
        -0.210264441724104883e-3, 0.217439618115212643e-3, -0.164318106536763890e-3, 0.844182239838527433e-4,
        -0.261908384015814087e-4, 0.368991826595316234e-5,
    ];

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos approximation, relative error below 1e-15).</summary>
    public static double LogGamma(double x)
    {
        double y = x, tmp = x + 5.24218750000000000;
        tmp = ((x + 0.5) * Math.Log(tmp)) - tmp;
        var ser = 0.999999999999997092;
        foreach (var c in Lanczos)
        {
            ser += c / ++y;
        }

        return tmp + Math.Log(2.5066282746310005 * ser / x);
    }

    /// <summary>The regularized upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a).</summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        if (x <= 0) return 1;
        if (x < a + 1)
        {
            // Series for P(a, x), then Q = 1 − P.
            double ap = a, sum = 1 / a, del = sum;
            for (var n = 0; n < 10000; n++)
            {
                del *= x / ++ap;
                sum += del;
                if (Math.Abs(del) < Math.Abs(sum) * 1e-16) break;
            }

            return Math.Max(0, 1 - (sum * Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a))));
        }

        // Continued fraction (modified Lentz) for Q(a, x).
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (var i = 1; i < 10000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + (an / c);
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-16) break;
        }

        return Math.Exp(-x + (a * Math.Log(x)) - LogGamma(a)) * h;
    }

    /// <summary>P(X ≥ x) for a chi-square variable with <paramref name="df"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double x, int df) => UpperRegularizedGamma(df / 2.0, x / 2.0);
}
