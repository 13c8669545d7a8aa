using System.Text;
using MlOps.Data;

namespace MlOps.Tests.Data;

/// <summary>ISO-8601 dates and timestamps read as seconds since the epoch, with their zone kept, checked against DateTimeOffset.</summary>
public class TimeValueTests
{
    [Theory]
    [InlineData("2024-05-01", "2024-05-01T00:00:00+00:00", TimeKind.Date)]
    [InlineData("2024-05-01 12:30", "2024-05-01T12:30:00+00:00", TimeKind.Naive)]
    [InlineData("2024-05-01T12:30:15", "2024-05-01T12:30:15+00:00", TimeKind.Naive)]
    [InlineData("2024-05-01T12:30:15.25", "2024-05-01T12:30:15.25+00:00", TimeKind.Naive)]
    [InlineData("2024-05-01T12:30:15Z", "2024-05-01T12:30:15+00:00", TimeKind.Zoned)]
    [InlineData("2024-05-01T12:30:15+02:00", "2024-05-01T12:30:15+02:00", TimeKind.Zoned)]
    [InlineData("2024-05-01 12:30:15-0530", "2024-05-01T12:30:15-05:30", TimeKind.Zoned)]
    [InlineData("2024-05-01 12:30:15+00", "2024-05-01T12:30:15+00:00", TimeKind.Zoned)] // DuckDB's TIMESTAMPTZ in CSV
    [InlineData("2024-02-29", "2024-02-29T00:00:00+00:00", TimeKind.Date)]
    public void Parses_iso_8601_as_the_instant_or_wall_clock_it_names(string text, string reference, TimeKind kind)
    {
        Assert.True(TimeValue.TryParse(Encoding.UTF8.GetBytes(text), out var seconds, out var parsed));
        Assert.Equal(kind, parsed);
        Assert.Equal(DateTimeOffset.Parse(reference, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() / 1000.0, seconds, 6);
    }

    [Theory]
    [InlineData("2023-02-29")]
    [InlineData("2024-13-01")]
    [InlineData("2024-05-01T24:00")]
    [InlineData("2024-05-01T12:3")]
    [InlineData("2024-05-01T12:30:15+25:00")]
    [InlineData("2024-05-01T12:30:15 UTC")]
    [InlineData("20240501")]
    [InlineData("05/01/2024")]
    [InlineData("2024-05-01x")]
    public void Refuses_what_is_not_a_valid_iso_date_or_time(string text) =>
        Assert.False(TimeValue.TryParse(Encoding.UTF8.GetBytes(text), out _, out _));

    [Fact]
    public void Formats_back_without_inventing_a_zone()
    {
        Assert.True(TimeValue.TryParse("2024-05-01 12:30:00"u8, out var naive, out _));
        Assert.Equal("2024-05-01T12:30:00", TimeValue.Format(naive, TimeKind.Naive));
        Assert.True(TimeValue.TryParse("2024-05-01T12:30:00+02:00"u8, out var zoned, out _));
        Assert.Equal("2024-05-01T10:30:00Z", TimeValue.Format(zoned, TimeKind.Zoned));
        Assert.Equal("2024-05-01", TimeValue.Format(naive - (12.5 * 3600), TimeKind.Date));
    }
}
