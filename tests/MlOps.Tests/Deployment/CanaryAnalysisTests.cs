using MlOps.Deployment;

namespace MlOps.Tests.Deployment;

/// <summary>The canary's rules on figures whose verdicts are known by hand.</summary>
public sealed class CanaryAnalysisTests
{
    private static readonly CanaryOptions Options = new() { Percent = 10, Analyze = TimeSpan.FromMinutes(10), MinRequests = 100 };

    private static CanaryVersionAnswers A(string server, string version, long requests, long failed, double? p95) =>
        new(server, version, version == "2" ? "candidate" : "production", requests, failed, requests, p95 / 2, p95);

    private static Dictionary<string, CanaryRule> Judge(params CanaryVersionAnswers[] answers) =>
        CanaryAnalysis.Judge(answers, "1", "2", Options, null, "not compared here").ToDictionary(r => r.Rule);

    [Fact]
    public void Error_rates_are_summed_over_replicas_and_compared_with_the_limit()
    {
        // 2.0 % vs 0.5 %: 1.5 points over production, the limit is 1.
        var rules = Judge(A("a", "1", 1000, 5, 0.010), A("a", "2", 100, 2, 0.010), A("b", "1", 1000, 5, 0.010), A("b", "2", 100, 2, 0.010));
        Assert.False(rules["error rate"].Passed);
        Assert.Contains("candidate v2 2.0% (4 of 200), production v1 0.5% (10 of 2,000); limit +1 points", rules["error rate"].Detail);

        // 1.0 % vs 0.5 %: within.
        rules = Judge(A("a", "1", 2000, 10, 0.010), A("a", "2", 200, 2, 0.010));
        Assert.True(rules["error rate"].Passed);
    }

    [Fact]
    public void Latency_is_compared_replica_by_replica_with_a_millisecond_of_slack()
    {
        // Replica a: 10 ms vs 13 ms (limit 13.5 ms) passes; replica b: 10 ms vs 14 ms fails and is named.
        var rules = Judge(A("a", "1", 500, 0, 0.010), A("a", "2", 500, 0, 0.013), A("b", "1", 500, 0, 0.010), A("b", "2", 500, 0, 0.014));
        Assert.False(rules["p95 latency"].Passed);
        Assert.Equal("b: candidate 14 ms, production 10 ms (limit 13.5 ms)", rules["p95 latency"].Detail);
    }

    [Fact]
    public void What_cannot_be_checked_fails()
    {
        // Too little traffic: nothing else is judged.
        var few = CanaryAnalysis.Judge([A("a", "1", 99, 0, 0.01), A("a", "2", 500, 0, 0.01)], "1", "2", Options, null, null);
        Assert.Single(few);
        Assert.False(few[0].Passed);

        // No latency on any replica, and no predictions to compare.
        var rules = Judge(A("a", "1", 500, 0, null), A("a", "2", 500, 0, null));
        Assert.False(rules["p95 latency"].Passed);
        Assert.False(rules["prediction drift"].Passed);
        Assert.Equal("not compared here", rules["prediction drift"].Detail);
    }

    [Fact]
    public void An_error_rate_that_already_fails_stops_the_canary_early_but_only_with_enough_traffic()
    {
        Assert.Null(CanaryAnalysis.EarlyFailure([A("a", "1", 50, 0, 0.01), A("a", "2", 50, 50, 0.01)], "1", "2", Options));
        Assert.Equal("error rate", CanaryAnalysis.EarlyFailure([A("a", "1", 500, 0, 0.01), A("a", "2", 100, 20, 0.01)], "1", "2", Options)?.Rule);
        Assert.Null(CanaryAnalysis.EarlyFailure([A("a", "1", 500, 0, 0.01), A("a", "2", 100, 1, 0.01)], "1", "2", Options));
    }
}
