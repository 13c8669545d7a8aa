using MlOps.Platforms;

namespace MlOps.Tests.Platforms;

/// <summary>The one status map every outbound client uses.</summary>
public sealed class HttpFailuresTests
{
    [Theory]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    public void Only_throttling_and_server_errors_are_retried(int status, bool retried)
    {
        var decision = HttpFailures.Classify(status, TimeSpan.FromSeconds(3));
        Assert.Equal(retried, decision.Retry);
        if (retried) Assert.Equal(TimeSpan.FromSeconds(3), decision.Wait);
    }

    [Fact]
    public void Failures_read_alike_and_map_to_the_typed_tree()
    {
        var e = HttpFailures.For("Azure DevOps", "posting the comment", 401, "the token was rejected.");
        Assert.IsType<ExternalServiceException>(e);
        Assert.Equal(ExitCodes.ExternalServiceError, e.ExitCode);
        Assert.Equal("Azure DevOps: posting the comment failed with HTTP 401: the token was rejected.", e.Message);
        Assert.Equal("http://127.0.0.1:1: reloading 'm' failed with HTTP 404: not found.", HttpFailures.Message("http://127.0.0.1:1", "reloading 'm'", 404));
        Assert.IsType<CommentForbiddenException>(HttpFailures.For("GitHub", "updating the comment", 403, forbiddenIsOptional: true));
        Assert.IsType<ExternalServiceException>(HttpFailures.For("GitHub", "updating the comment", 403));
    }
}
