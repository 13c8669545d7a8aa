using MlOps.Configuration;

namespace MlOps.Tests.Configuration;

/// <summary>One parser behind durations (--poll, --wait, train.timeout) and windows (--since, --window, monitor:).</summary>
public class DurationTests
{
    [Theory]
    [InlineData("600", 600)]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("1.5m", 90)]
    public void Durations_default_to_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MlOpsConfig.ParseDuration(text, "--wait"));

    [Theory]
    [InlineData("90m", 90 * 60)]
    [InlineData("24h", 24 * 3600)]
    [InlineData("7d", 7 * 86400)]
    public void Windows_take_minutes_hours_and_days(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MlOpsConfig.ParseWindow(text, "--since"));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5m")]
    [InlineData("2d")]
    [InlineData("fast")]
    public void A_bad_duration_is_a_usage_error_naming_the_option(string text)
    {
        var e = Assert.Throws<ConfigException>(() => MlOpsConfig.ParseDuration(text, "--wait"));
        Assert.Contains("--wait", e.Message, StringComparison.Ordinal);
        Assert.Contains("write seconds (600), or 90s, 15m, 2h", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("90s")]
    [InlineData("0h")]
    public void A_bad_window_is_a_usage_error_naming_the_option(string text)
    {
        var e = Assert.Throws<ConfigException>(() => MlOpsConfig.ParseWindow(text, "--window"));
        Assert.Contains("--window", e.Message, StringComparison.Ordinal);
        Assert.Contains("write 90m, 24h or 7d", e.Message, StringComparison.Ordinal);
    }
}
