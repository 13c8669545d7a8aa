using System.Runtime.Intrinsics;
using MlOps.Metrics;
using MlOps.Scoring;

namespace MlOps.Evaluation;

/// <summary>
/// A task's metrics for <see cref="Lanes"/> bootstrap resamples at once, in one sequential pass
/// over precomputed per-row terms: what makes 1,000 resamples of a million rows take seconds.
/// Everything that does not depend on the draw counts (the score order, tie groups, per-row
/// log-loss, errors) is computed once; the counts come from <see cref="PoissonWeights"/> as the
/// pass goes. The metrics are exactly <see cref="MetricCalculator"/>'s for the same counts (a
/// test holds them together), in the order of <see cref="MetricNames.For"/>.
/// </summary>
internal abstract class ResampleKernel
{
    /// <summary>Resamples per pass (one 256-bit vector of doubles in the binary kernel).</summary>
    public const int Lanes = 4;

    private const double Eps = 1e-15;
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The metrics of the resamples <paramref name="keys"/> (<see cref="Lanes"/> of them): lane l's metric j goes to metrics[l × count + j].</summary>
    public abstract void Compute(ReadOnlySpan<uint> keys, Span<double> metrics);

    /// <summary>The kernel for the data's task.</summary>
    public static ResampleKernel For(LabeledPredictions data, double threshold) => data.Predictions.Task switch
    {
        ModelTask.Binary => new Binary(data, threshold),
        ModelTask.Multiclass => new Multiclass(data),
        _ => new Regression(data),
    };

    private sealed class Binary : ResampleKernel
    {
        private readonly int[] _row;
        private readonly double[] _positive;
        private readonly double[] _predicted;
        private readonly bool[] _groupEnd;
        private readonly double[] _loss;

        public Binary(LabeledPredictions data, double threshold)
        {
            var order = data.Descending();
            var p = data.Predictions.Probability!;
            var y = data.Positive!;
            _row = order;
            _positive = new double[order.Length];
            _predicted = new double[order.Length];
            _groupEnd = new bool[order.Length];
            _loss = new double[order.Length];
            for (var k = 0; k < order.Length; k++)
            {
                var i = order[k];
                var q = Math.Clamp((double)p[i], Eps, 1 - Eps);
                _loss[k] = y[i] ? -Math.Log(q) : -Math.Log(1 - q);
                _positive[k] = y[i] ? 1 : 0;
                _predicted[k] = p[i] >= threshold ? 1 : 0;
                _groupEnd[k] = k == order.Length - 1 || !p[order[k + 1]].Equals(p[i]);
            }
        }

        public override void Compute(ReadOnlySpan<uint> keys, Span<double> metrics)
        {
            // One walk by descending score, four resamples per vector: confusion counts, log-loss and
            // the ranking sums. ROC AUC = (P·N − Σ groupPos·negativesAbove − ½ Σ groupPos·groupNeg) / (P·N);
            // average precision = Σ groupPos · precision after the group / P (scikit-learn's steps).
            uint k0 = keys[0], k1 = keys[1], k2 = keys[2], k3 = keys[3];
            var zero = Vector256<double>.Zero;
            var one = Vector256<double>.One;
            Vector256<double> tp = zero, fp = zero, loss = zero, pos = zero, neg = zero, groupPos = zero, groupNeg = zero, above = zero, ties = zero, ap = zero;
            var row = _row;
            for (var k = 0; k < row.Length; k++)
            {
                var i = row[k];
                var w = Vector256.Create((double)PoissonWeights.Weight(k0, i), PoissonWeights.Weight(k1, i), PoissonWeights.Weight(k2, i), PoissonWeights.Weight(k3, i));
                var wp = w * _positive[k];
                var wn = w - wp;
                loss += w * _loss[k];
                tp += wp * _predicted[k];
                fp += wn * _predicted[k];
                groupPos += wp;
                groupNeg += wn;
                if (_groupEnd[k])
                {
                    above += groupPos * neg;
                    ties += groupPos * groupNeg;
                    pos += groupPos;
                    neg += groupNeg;
                    ap += groupPos * pos / Vector256.Max(pos + neg, one);
                    groupPos = zero;
                    groupNeg = zero;
                }
            }

            for (var l = 0; l < Lanes; l++)
            {
                double p = pos[l], n = neg[l], t = tp[l], f = fp[l];
                var all = p + n;
                var precision = t + f == 0 ? 0 : t / (t + f);
                var recall = p == 0 ? 0 : t / p;
                var m = metrics.Slice(l * 7, 7);
                m[0] = all == 0 ? double.NaN : (t + (n - f)) / all;
                m[1] = precision;
                m[2] = recall;
                m[3] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
                m[4] = p == 0 || n == 0 ? double.NaN : ((p * n) - above[l] - (0.5 * ties[l])) / (p * n);
                m[5] = p == 0 ? double.NaN : n == 0 ? 1 : ap[l] / p;
                m[6] = all == 0 ? double.NaN : loss[l] / all;
            }
        }
    }

    private sealed class Multiclass : ResampleKernel
    {
        private readonly int _k;
        private readonly int[] _actual;
        private readonly int[] _predicted;
        private readonly double[] _loss;

        public Multiclass(LabeledPredictions data)
        {
            _k = data.Predictions.Classes!.Count;
            _actual = data.ClassIndex!;
            _predicted = new int[data.Count];
            _loss = new double[data.Count];
            var probs = data.Predictions.ClassProbabilities!;
            for (var i = 0; i < data.Count; i++)
            {
                _predicted[i] = data.Predictions.PredictedClass(i);
                var a = _actual[i];
                _loss[i] = -Math.Log(a >= 0 ? Math.Clamp((double)probs[(i * _k) + a], Eps, 1 - Eps) : Eps);
            }
        }

        public override void Compute(ReadOnlySpan<uint> keys, Span<double> metrics)
        {
            for (var l = 0; l < Lanes; l++) Lane(keys[l], metrics.Slice(l * 4, 4));
        }

        private void Lane(uint key, Span<double> metrics)
        {
            Span<double> counts = _k <= 256 ? stackalloc double[3 * _k] : new double[3 * _k];
            counts.Clear();
            var truePositive = counts[.._k];
            var predictedCount = counts.Slice(_k, _k);
            var actualCount = counts.Slice(2 * _k, _k);
            double n = 0, correct = 0, loss = 0, unknown = 0;
            for (var i = 0; i < _actual.Length; i++)
            {
                var w = PoissonWeights.Weight(key, i);
                if (w == 0) continue;
                var a = _actual[i];
                var p = _predicted[i];
                n += w;
                loss += w * _loss[i];
                predictedCount[p] += w;
                if (a < 0)
                {
                    unknown += w;
                    continue;
                }

                actualCount[a] += w;
                if (a == p)
                {
                    correct += w;
                    truePositive[a] += w;
                }
            }

            double f1Sum = 0;
            var classes = unknown > 0 ? 1 : 0;
            for (var c = 0; c < _k; c++)
            {
                if (actualCount[c] == 0 && predictedCount[c] == 0) continue;
                classes++;
                f1Sum += 2 * truePositive[c] / (predictedCount[c] + actualCount[c]);
            }

            var accuracy = n == 0 ? double.NaN : correct / n;
            metrics[0] = accuracy;
            metrics[1] = classes == 0 ? double.NaN : f1Sum / classes;
            metrics[2] = accuracy;
            metrics[3] = n == 0 ? double.NaN : loss / n;
        }
    }

    private sealed class Regression : ResampleKernel
    {
        private readonly double[] _centered;
        private readonly double[] _abs;
        private readonly double[] _pct;
        private readonly double[] _sq;

        public Regression(LabeledPredictions data)
        {
            var y = data.Values!;
            var yhat = data.Predictions.Values!;
            double mean = 0;
            for (var i = 0; i < y.Length; i++) mean += y[i];
            mean = y.Length == 0 ? 0 : mean / y.Length;
            _centered = new double[y.Length];
            _abs = new double[y.Length];
            _pct = new double[y.Length];
            _sq = new double[y.Length];
            for (var i = 0; i < y.Length; i++)
            {
                // Centered on the whole data's mean, so Σw·y² − (Σw·y)²/Σw does not cancel catastrophically.
                _centered[i] = y[i] - mean;
                var e = (double)y[i] - yhat[i];
                _abs[i] = Math.Abs(e);
                _pct[i] = Math.Abs(e) / Math.Max(Math.Abs((double)y[i]), MachineEpsilon);
                _sq[i] = e * e;
            }
        }

        public override void Compute(ReadOnlySpan<uint> keys, Span<double> metrics)
        {
            for (var l = 0; l < Lanes; l++) Lane(keys[l], metrics.Slice(l * 5, 5));
        }

        private void Lane(uint key, Span<double> metrics)
        {
            double n = 0, sy = 0, syy = 0, abs = 0, pct = 0, sq = 0;
            for (var i = 0; i < _centered.Length; i++)
            {
                var w = PoissonWeights.Weight(key, i);
                if (w == 0) continue;
                var c = _centered[i];
                n += w;
                sy += w * c;
                syy += w * c * c;
                abs += w * _abs[i];
                pct += w * _pct[i];
                sq += w * _sq[i];
            }

            var total = n == 0 ? 0 : Math.Max(0, syy - (sy * sy / n));
            metrics[0] = abs / n;
            metrics[1] = pct / n;
            metrics[2] = sq / n;
            metrics[3] = Math.Sqrt(sq / n);
            metrics[4] = total == 0 ? (sq == 0 ? 1 : 0) : 1 - (sq / total);
        }
    }
}
