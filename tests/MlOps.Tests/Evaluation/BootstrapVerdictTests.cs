using MlOps.Artifacts;
using MlOps.Evaluation;
using MlOps.Metrics;
using MlOps.Scoring;
using MlOps.Tests.Support;

namespace MlOps.Tests.Evaluation;

/// <summary>
/// The verdict on synthetic cases where the truth is known: a candidate as good as the baseline
/// (independent noise, same signal) should rarely be rejected by the no-regression gate; a truly
/// worse one should be rejected in most trials. The bench prints the rates with more trials.
/// </summary>
public class BootstrapVerdictTests
{
    [Fact]
    public void Equal_candidates_are_rarely_rejected_and_worse_ones_mostly()
    {
        var equal = BootstrapTrials.RejectionRate(trials: 60, rows: 400, candidateSignal: 1.0, resamples: 200, seed: 1);
        var worse = BootstrapTrials.RejectionRate(trials: 60, rows: 400, candidateSignal: 0.4, resamples: 200, seed: 2);
        Assert.InRange(equal, 0, 0.12);
        Assert.InRange(worse, 0.8, 1);
    }

    [Fact]
    public void Identical_predictions_have_a_zero_width_interval_and_pass()
    {
        var (y, p) = BootstrapTrials.Scores(new Random(4), 300, 1.0);
        var data = LabeledPredictions.Binary(y, Predictions.Binary(p));
        var result = PairedBootstrap.Run(data, data, 0.5, 100, 0.95, 7);
        Assert.Equal(new Interval(0, 0), result.Delta[MetricNames.RocAuc]);
    }

    [Fact]
    public void The_interval_is_the_same_whatever_the_thread_schedule()
    {
        var (y, p) = BootstrapTrials.Scores(new Random(5), 500, 1.0);
        var (_, q) = BootstrapTrials.Scores(new Random(6), 500, 0.7, y);
        var c = LabeledPredictions.Binary(y, Predictions.Binary(p));
        var b = LabeledPredictions.Binary(y, Predictions.Binary(q));
        var first = PairedBootstrap.Run(c, b, 0.5, 300, 0.95, 9);
        var second = PairedBootstrap.Run(c, b, 0.5, 300, 0.95, 9);
        Assert.Equal(first.Delta[MetricNames.RocAuc], second.Delta[MetricNames.RocAuc]);
        Assert.Equal(first.Candidate[MetricNames.Accuracy], second.Candidate[MetricNames.Accuracy]);
    }

    [Theory]
    [InlineData(SignificanceTest.NoRegression, -0.05, -0.01, true)]
    [InlineData(SignificanceTest.NoRegression, -0.05, -0.02, false)]
    [InlineData(SignificanceTest.Improvement, 0.001, 0.02, true)]
    [InlineData(SignificanceTest.Improvement, -0.001, 0.02, false)]
    [InlineData(SignificanceTest.NonInferiority, -0.005, 0.01, true)]
    [InlineData(SignificanceTest.NonInferiority, -0.02, 0.01, false)]
    public void Significance_tests_read_the_interval_of_the_change(SignificanceTest test, double low, double high, bool passes)
    {
        var gate = new MetricGate { Metric = "accuracy", Test = test, MinChange = test == SignificanceTest.Improvement ? null : -0.01 };
        var m = new MetricComparison(0.9, null, 0.9, 0, new Interval(low, high), HigherIsBetter: true);
        Assert.Equal(passes, GateEvaluator.Check(gate, m, 0.95).Passed);
    }

    [Fact]
    public void Lower_is_better_metrics_improve_when_they_fall()
    {
        var gate = new MetricGate { Metric = "log-loss", MinChange = 0.05, Test = SignificanceTest.Improvement };
        var better = new MetricComparison(0.30, null, 0.40, -0.10, new Interval(-0.15, -0.06), HigherIsBetter: false);
        Assert.True(GateEvaluator.Check(gate, better, 0.95).Passed);
        var worse = better with { Candidate = 0.45, Delta = 0.05, DeltaInterval = new Interval(0.01, 0.09) };
        var result = GateEvaluator.Check(gate, worse, 0.95);
        Assert.False(result.Passed);
        Assert.Contains("improvement not significant: the 95% interval of the change [-0.09, -0.01] reaches +0.05 or below", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Thresholds_and_relative_change_follow_the_metric_direction()
    {
        var rmse = new MetricComparison(10, null, 12, -2, null, HigherIsBetter: false);
        Assert.True(GateEvaluator.Check(new MetricGate { Metric = "rmse", Threshold = 11, MinRelativeChange = 0.1 }, rmse, 0.95).Passed);
        Assert.False(GateEvaluator.Check(new MetricGate { Metric = "rmse", Threshold = 9 }, rmse, 0.95).Passed);
        Assert.False(GateEvaluator.Check(new MetricGate { Metric = "rmse", MinRelativeChange = 0.2 }, rmse, 0.95).Passed);
    }
}
