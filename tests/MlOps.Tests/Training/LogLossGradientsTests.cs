using System.Runtime.Intrinsics;
using MlOps.Training;

namespace MlOps.Tests.Training;

/// <summary>
/// The vector exponential behind binary log-loss gradients is within 1 ulp of the C library's;
/// the gradients and hessians are LightGBM's formula's, as floats, but for the rare last-bit case;
/// a row's values do not depend on how many rows come with it.
/// </summary>
public sealed class LogLossGradientsTests
{
    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    [Fact]
    public void The_exponential_is_within_one_ulp_of_the_C_librarys()
    {
        var random = new Random(11);
        var xs = Enumerable.Range(0, 400_000).Select(i => i % 2 == 0 ? (random.NextDouble() * 80) - 40 : (random.NextDouble() * 1400) - 700)
            .Concat([0, 1, -1, 0.5 * Math.Log(2), -0.5 * Math.Log(2), 1e-300, -1e-300, 700, -700, 708, -708]).ToArray();
        var worst = 0L;
        for (var i = 0; i + 4 <= xs.Length; i += 4)
        {
            var e = LogLossGradients.Exp(Vector256.Create(xs[i], xs[i + 1], xs[i + 2], xs[i + 3]));
            for (var k = 0; k < 4; k++)
            {
                var ulps = Ulps(e[k], Math.Exp(xs[i + k]));
                Assert.True(ulps <= 1, $"exp({xs[i + k]:R}) = {e[k]:R}, the C library's {Math.Exp(xs[i + k]):R}");
                worst = Math.Max(worst, ulps);
            }
        }

        Assert.Equal(1, Math.Exp(0));
        Assert.Equal(1, LogLossGradients.Exp(Vector256<double>.Zero)[0]);
        Assert.Equal(Math.Exp(-708), LogLossGradients.Exp(Vector256.Create(-1000.0))[0], tolerance: Math.Exp(-708) * 1e-15); // clamped, not 0 or a subnormal
    }

    [Fact]
    public void Gradients_and_hessians_are_LightGBMs_formula_as_floats()
    {
        const int Rows = 1_000_003; // not a multiple of four: the last rows take the padded path
        var random = new Random(5);
        var signs = Enumerable.Range(0, Rows).Select(_ => random.NextDouble() < 0.3 ? 1.0 : -1.0).ToArray();
        var scores = Enumerable.Range(0, Rows).Select(_ => (random.NextDouble() * 12) - 6).ToArray();
        var gradients = new float[Rows];
        var hessians = new float[Rows];
        LogLossGradients.Compute(signs, scores, gradients, hessians);

        var differ = 0;
        for (var i = 0; i < Rows; i++)
        {
            // LightGBM's BinaryLogloss::GetGradients, with the C library's exp.
            var response = -signs[i] * 0.5 / (1.0 + Math.Exp(signs[i] * 0.5 * scores[i]));
            var absolute = Math.Abs(response);
            var (g, h) = ((float)response, (float)(absolute * (0.5 - absolute)));
            if (g == gradients[i] && h == hessians[i]) continue;
            differ++;
            Assert.True(Math.Abs(g - gradients[i]) <= Math.Abs(MathF.BitIncrement(g) - g) && Math.Abs(h - hessians[i]) <= Math.Abs(MathF.BitIncrement(h) - h), $"row {i}: ({gradients[i]}, {hessians[i]}) against ({g}, {h})");
        }

        Assert.True(differ <= 5, $"{differ} of {Rows} rows differ in their last bit");
        Assert.All(gradients, g => Assert.InRange(g, -0.5f, 0.5f));
        Assert.All(hessians, h => Assert.InRange(h, 0f, 0.0625f));
    }

    [Fact]
    public void A_rows_values_do_not_depend_on_the_rows_around_it()
    {
        var random = new Random(9);
        var signs = Enumerable.Range(0, 11).Select(_ => random.NextDouble() < 0.5 ? 1.0 : -1.0).ToArray();
        var scores = Enumerable.Range(0, 11).Select(_ => (random.NextDouble() * 8) - 4).ToArray();
        var (all, allH) = (new float[11], new float[11]);
        LogLossGradients.Compute(signs, scores, all, allH);
        for (var start = 0; start < 11; start++)
        {
            for (var length = 1; start + length <= 11; length++)
            {
                var (g, h) = (new float[length], new float[length]);
                LogLossGradients.Compute(signs.AsSpan(start, length), scores.AsSpan(start, length), g, h);
                Assert.Equal(all.AsSpan(start, length).ToArray(), g);
                Assert.Equal(allH.AsSpan(start, length).ToArray(), h);
            }
        }
    }
}
