using MlOps.Scoring;

namespace MlOps.Metrics;

/// <summary>
/// Computes a task's metrics from labeled predictions, optionally with a multiplicity per row
/// (how many times a bootstrap resample drew it), so resamples never copy the data.
/// </summary>
public static class MetricCalculator
{
    private const double Eps = 1e-15;

    // numpy.finfo(float64).eps, the floor scikit-learn uses for MAPE denominators.
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>All metrics of the task.</summary>
    /// <param name="data">Truth and predictions.</param>
    /// <param name="threshold">Binary: the probability at or above which a row is predicted positive.</param>
    /// <param name="weights">Per-row multiplicity; null counts every row once.</param>
    public static IReadOnlyDictionary<string, double> Compute(LabeledPredictions data, double threshold = 0.5, int[]? weights = null) =>
        data.Predictions.Task switch
        {
            ModelTask.Binary => Binary(data, threshold, weights),
            ModelTask.Multiclass => Multiclass(data, weights),
            _ => Regression(data, weights),
        };

    /// <summary>Why a metric of <paramref name="data"/> is undefined (NaN), in a user's words; null when it is defined.</summary>
    public static string? WhyUndefined(LabeledPredictions data, string metric, double value)
    {
        if (double.IsFinite(value)) return null;
        if (data.Count == 0) return "there are no evaluation rows";
        var task = data.Predictions.Task;
        if (task == ModelTask.Binary && metric is MetricNames.RocAuc or MetricNames.PrAuc)
        {
            var positives = data.Positive!.Count(x => x);
            if (positives == 0) return "the evaluation rows have one class (no positive rows)";
            if (positives == data.Count) return "the evaluation rows have one class (no negative rows)";
        }

        return "the model's predictions are not finite numbers";
    }

    /// <summary>How many predictions are NaN or infinite, and the first few rows (0-based positions) where they are.</summary>
    public static (int Count, IReadOnlyList<int> First) NonFinite(Predictions predictions, int show = 5)
    {
        var values = predictions.Probability ?? predictions.ClassProbabilities ?? predictions.Values!;
        var width = predictions.ClassProbabilities is null ? 1 : predictions.Classes!.Count;
        var count = 0;
        var first = new List<int>();
        for (var row = 0; row < predictions.Count; row++)
        {
            var span = values.AsSpan(row * width, width);
            foreach (var v in span)
            {
                if (float.IsFinite(v)) continue;
                count++;
                if (first.Count < show) first.Add(row);
                break;
            }
        }

        return (count, first);
    }

    /// <summary>Binary confusion counts at the threshold: (TP, FP, TN, FN).</summary>
    public static (long Tp, long Fp, long Tn, long Fn) Confusion(LabeledPredictions data, double threshold, int[]? weights = null)
    {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        var p = data.Predictions.Probability!;
        var y = data.Positive!;
        for (var i = 0; i < p.Length; i++)
        {
            long w = weights?[i] ?? 1;
            if (w == 0) continue;
            var predicted = p[i] >= threshold;
            if (predicted && y[i]) tp += w;
            else if (predicted) fp += w;
            else if (y[i]) fn += w;
            else tn += w;
        }

        return (tp, fp, tn, fn);
    }

    /// <summary>Multiclass confusion matrix: [actual, predicted] counts over the model's classes (rows of unknown classes are left out).</summary>
    public static long[,] ConfusionMatrix(LabeledPredictions data, int[]? weights = null)
    {
        var k = data.Predictions.Classes!.Count;
        var m = new long[k, k];
        for (var i = 0; i < data.Count; i++)
        {
            var a = data.ClassIndex![i];
            if (a >= 0) m[a, data.Predictions.PredictedClass(i)] += weights?[i] ?? 1;
        }

        return m;
    }

    private static Dictionary<string, double> Binary(LabeledPredictions data, double threshold, int[]? weights)
    {
        var (tp, fp, tn, fn) = Confusion(data, threshold, weights);
        var n = tp + fp + tn + fn;
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var (auc, ap) = RankingAreas(data, weights);
        double logLoss = 0;
        var p = data.Predictions.Probability!;
        var y = data.Positive!;
        for (var i = 0; i < p.Length; i++)
        {
            var w = weights?[i] ?? 1;
            if (w == 0) continue;
            var q = Math.Clamp((double)p[i], Eps, 1 - Eps);
            logLoss -= w * (y[i] ? Math.Log(q) : Math.Log(1 - q));
        }

        return new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = n == 0 ? double.NaN : (double)(tp + tn) / n,
            [MetricNames.Precision] = precision,
            [MetricNames.Recall] = recall,
            [MetricNames.F1] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            [MetricNames.RocAuc] = auc,
            [MetricNames.PrAuc] = ap,
            [MetricNames.LogLoss] = n == 0 ? double.NaN : logLoss / n,
        };
    }

    // One walk over rows by descending score, grouping tied scores: ROC AUC counts ties one half
    // (Mann–Whitney); average precision adds precision × recall step at each distinct score.
    private static (double Auc, double AveragePrecision) RankingAreas(LabeledPredictions data, int[]? weights)
    {
        var order = data.Descending();
        var p = data.Predictions.Probability!;
        var y = data.Positive!;
        double positives = 0, negatives = 0;
        foreach (var i in order)
        {
            var w = weights?[i] ?? 1;
            if (y[i]) positives += w;
            else negatives += w;
        }

        if (positives == 0 || negatives == 0) return (double.NaN, positives == 0 ? double.NaN : 1);
        double tp = 0, fp = 0, aucSum = 0, ap = 0, previousRecall = 0;
        var g = 0;
        while (g < order.Length)
        {
            double groupPos = 0, groupNeg = 0;
            // Equals, not ==, so that a NaN score groups with itself and the walk always advances.
            var score = p[order[g]];
            while (g < order.Length && p[order[g]].Equals(score))
            {
                var i = order[g++];
                var w = weights?[i] ?? 1;
                if (y[i]) groupPos += w;
                else groupNeg += w;
            }

            // Positives in this group beat every negative seen later (lower scores) and tie with this group's.
            aucSum += groupPos * ((negatives - fp - groupNeg) + (0.5 * groupNeg));
            tp += groupPos;
            fp += groupNeg;
            if (tp + fp > 0)
            {
                var recall = tp / positives;
                ap += (recall - previousRecall) * (tp / (tp + fp));
                previousRecall = recall;
            }
        }

        return (aucSum / (positives * negatives), ap);
    }

    private static Dictionary<string, double> Multiclass(LabeledPredictions data, int[]? weights)
    {
        var k = data.Predictions.Classes!.Count;
        var truePositive = new double[k];
        var predictedCount = new double[k];
        var actualCount = new double[k];
        double n = 0, correct = 0, logLoss = 0, unknownActual = 0;
        var probs = data.Predictions.ClassProbabilities!;
        for (var i = 0; i < data.Count; i++)
        {
            var w = weights?[i] ?? 1;
            if (w == 0) continue;
            var actual = data.ClassIndex![i];
            var predicted = data.Predictions.PredictedClass(i);
            n += w;
            predictedCount[predicted] += w;
            if (actual >= 0) actualCount[actual] += w;
            else unknownActual += w;
            if (actual == predicted)
            {
                correct += w;
                truePositive[actual] += w;
            }

            var q = actual >= 0 ? Math.Clamp((double)probs[(i * k) + actual], Eps, 1 - Eps) : Eps;
            logLoss -= w * Math.Log(q);
        }

        // Like scikit-learn, macro F1 averages over classes that occur in the truth or the predictions.
        double f1Sum = 0;
        var classes = 0;
        for (var c = 0; c < k; c++)
        {
            if (actualCount[c] == 0 && predictedCount[c] == 0) continue;
            classes++;
            var denominator = predictedCount[c] + actualCount[c];
            f1Sum += denominator == 0 ? 0 : 2 * truePositive[c] / denominator;
        }

        // An actual class the model does not know is its own class with F1 = 0.
        if (unknownActual > 0) classes++;
        var accuracy = n == 0 ? double.NaN : correct / n;
        return new Dictionary<string, double>
        {
            [MetricNames.Accuracy] = accuracy,
            [MetricNames.MacroF1] = classes == 0 ? double.NaN : f1Sum / classes,
            [MetricNames.MicroF1] = accuracy,
            [MetricNames.LogLoss] = n == 0 ? double.NaN : logLoss / n,
        };
    }

    private static Dictionary<string, double> Regression(LabeledPredictions data, int[]? weights)
    {
        var y = data.Values!;
        var yhat = data.Predictions.Values!;
        double n = 0, sum = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var w = weights?[i] ?? 1;
            n += w;
            sum += w * (double)y[i];
        }

        var mean = sum / n;
        double abs = 0, pct = 0, sq = 0, total = 0;
        for (var i = 0; i < y.Length; i++)
        {
            var w = weights?[i] ?? 1;
            if (w == 0) continue;
            var e = (double)y[i] - yhat[i];
            abs += w * Math.Abs(e);
            pct += w * Math.Abs(e) / Math.Max(Math.Abs((double)y[i]), MachineEpsilon);
            sq += w * e * e;
            total += w * ((double)y[i] - mean) * ((double)y[i] - mean);
        }

        // scikit-learn's convention for constant truth: R² is 1 for a perfect fit, else 0.
        var r2 = total == 0 ? (sq == 0 ? 1 : 0) : 1 - (sq / total);
        return new Dictionary<string, double>
        {
            [MetricNames.Mae] = abs / n,
            [MetricNames.Mape] = pct / n,
            [MetricNames.Mse] = sq / n,
            [MetricNames.Rmse] = Math.Sqrt(sq / n),
            [MetricNames.R2] = r2,
        };
    }
}
