using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Metrics;
using MlOps.Scoring;

namespace MlOps.Tests.Metrics;

/// <summary>
/// Metrics against values published independently: the examples in scikit-learn's documentation
/// (roc_auc_score, average_precision_score, log_loss, f1_score, regression metrics), hand counts,
/// and ML.NET's own evaluator.
/// </summary>
public class MetricTests
{
    private const double Tol = 1e-9;

    private static IReadOnlyDictionary<string, double> Binary(bool[] y, float[] p, int[]? weights = null) =>
        MetricCalculator.Compute(LabeledPredictions.Binary(y, Predictions.Binary(p)), 0.5, weights);

    [Fact]
    public void Binary_ranking_metrics_match_scikit_learn_documentation()
    {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75; average_precision_score(...) == 0.8333...
        var m = Binary([false, false, true, true], [0.1f, 0.4f, 0.35f, 0.8f]);
        Assert.Equal(0.75, m[MetricNames.RocAuc], Tol);
        Assert.Equal(0.8333333333333333, m[MetricNames.PrAuc], Tol);
    }

    [Fact]
    public void Binary_log_loss_matches_scikit_learn_documentation()
    {
        // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) == 0.21616...
        var m = Binary([true, false, false, true], [0.9f, 0.1f, 0.2f, 0.65f]);
        Assert.Equal(0.21616187468057912, m[MetricNames.LogLoss], 1e-6);
    }

    [Fact]
    public void Ties_count_one_half_in_roc_auc()
    {
        // Positives {0.5, 0.9} versus negatives {0.5, 0.2}: 1 + 1 + 0.5 + 1 of 4 pairs.
        var m = Binary([false, true, false, true], [0.5f, 0.5f, 0.2f, 0.9f]);
        Assert.Equal(0.875, m[MetricNames.RocAuc], Tol);
    }

    [Fact]
    public void Threshold_metrics_match_hand_counts()
    {
        // Predicted [1, 0, 1, 0, 1] at 0.5: TP 2, FP 1, FN 1, TN 1.
        bool[] y = [true, true, false, false, true];
        float[] p = [0.9f, 0.4f, 0.6f, 0.2f, 0.7f];
        var m = Binary(y, p);
        Assert.Equal(0.6, m[MetricNames.Accuracy], Tol);
        Assert.Equal(2.0 / 3, m[MetricNames.Precision], Tol);
        Assert.Equal(2.0 / 3, m[MetricNames.Recall], Tol);
        Assert.Equal(2.0 / 3, m[MetricNames.F1], Tol);
        Assert.Equal((2L, 1L, 1L, 1L), MetricCalculator.Confusion(LabeledPredictions.Binary(y, Predictions.Binary(p)), 0.5));
        var strict = MetricCalculator.Compute(LabeledPredictions.Binary(y, Predictions.Binary(p)), threshold: 0.8);
        Assert.Equal(1.0, strict[MetricNames.Precision], Tol);
        Assert.Equal(1.0 / 3, strict[MetricNames.Recall], Tol);
    }

    [Fact]
    public void Multiclass_f1_matches_scikit_learn_documentation()
    {
        // f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average='macro') == 0.2666..., 'micro' == 0.3333...
        int[] predicted = [0, 2, 1, 0, 0, 1];
        var probabilities = predicted.SelectMany(c => Enumerable.Range(0, 3).Select(k => k == c ? 0.8f : 0.1f)).ToArray();
        var data = LabeledPredictions.Multiclass(["a", "b", "c", "a", "b", "c"], Predictions.Multiclass(["a", "b", "c"], probabilities));
        var m = MetricCalculator.Compute(data);
        Assert.Equal(0.26666666666666666, m[MetricNames.MacroF1], Tol);
        Assert.Equal(1.0 / 3, m[MetricNames.MicroF1], Tol);
        Assert.Equal(1.0 / 3, m[MetricNames.Accuracy], Tol);
        var confusion = MetricCalculator.ConfusionMatrix(data);
        Assert.Equal(2, confusion[0, 0]);
        Assert.Equal(1, confusion[1, 0]);
        Assert.Equal(1, confusion[1, 2]);
        Assert.Equal(2, confusion[2, 1]);
    }

    [Fact]
    public void Multiclass_log_loss_is_the_mean_negative_log_probability_of_the_true_class()
    {
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.25f, 0.5f, 0.25f, 0.4f, 0.4f, 0.2f];
        var data = LabeledPredictions.Multiclass(["a", "b", "c"], Predictions.Multiclass(["a", "b", "c"], probabilities));
        Assert.Equal(0.8864200123109262, MetricCalculator.Compute(data)[MetricNames.LogLoss], 1e-6);
    }

    [Fact]
    public void Regression_metrics_match_scikit_learn_documentation()
    {
        // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8]
        var m = MetricCalculator.Compute(LabeledPredictions.Regression([3f, -0.5f, 2f, 7f], Predictions.Regression([2.5f, 0f, 2f, 8f])));
        Assert.Equal(0.5, m[MetricNames.Mae], Tol);
        Assert.Equal(0.375, m[MetricNames.Mse], Tol);
        Assert.Equal(Math.Sqrt(0.375), m[MetricNames.Rmse], Tol);
        Assert.Equal(0.9486081370449679, m[MetricNames.R2], Tol);
        Assert.Equal(0.3273809523809524, m[MetricNames.Mape], Tol);
    }

    [Fact]
    public void Row_weights_equal_repeating_rows()
    {
        var random = new Random(3);
        var y = Enumerable.Range(0, 200).Select(_ => random.NextDouble() < 0.4).ToArray();
        var p = y.Select(b => (float)Math.Round(Math.Clamp((b ? 0.6 : 0.4) + ((random.NextDouble() - 0.5) * 0.8), 0, 1), 1)).ToArray();
        var w = y.Select(_ => random.Next(0, 4)).ToArray();
        var repeatedY = y.SelectMany((v, i) => Enumerable.Repeat(v, w[i])).ToArray();
        var repeatedP = p.SelectMany((v, i) => Enumerable.Repeat(v, w[i])).ToArray();
        var weighted = Binary(y, p, w);
        var repeated = Binary(repeatedY, repeatedP);
        foreach (var name in MetricNames.For(ModelTask.Binary))
        {
            Assert.Equal(repeated[name], weighted[name], 1e-12);
        }
    }

    [Fact]
    public void Binary_metrics_agree_with_ml_net_evaluator()
    {
        var random = new Random(11);
        var rows = Enumerable.Range(0, 500).Select(_ =>
        {
            var label = random.NextDouble() < 0.3;
            var p = (float)Math.Clamp((label ? 0.65 : 0.35) + ((random.NextDouble() - 0.5) * 0.9), 0.001, 0.999);
            // ML.NET thresholds the raw score at 0, so the score is the logit of the probability.
            return new ScoredRow { Label = label, Probability = p, Score = (float)Math.Log(p / (1 - p)), PredictedLabel = p >= 0.5 };
        }).ToArray();
        var ml = new MLContext(1);
        var theirs = ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
        var ours = Binary(rows.Select(r => r.Label).ToArray(), rows.Select(r => r.Probability).ToArray());
        Assert.Equal(theirs.AreaUnderRocCurve, ours[MetricNames.RocAuc], 1e-6);
        Assert.Equal(theirs.Accuracy, ours[MetricNames.Accuracy], 1e-9);
        Assert.Equal(theirs.F1Score, ours[MetricNames.F1], 1e-9);
        Assert.Equal(theirs.PositivePrecision, ours[MetricNames.Precision], 1e-9);
        Assert.Equal(theirs.PositiveRecall, ours[MetricNames.Recall], 1e-9);
    }

    private sealed class ScoredRow
    {
        public bool Label { get; set; }

        public float Probability { get; set; }

        public float Score { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
