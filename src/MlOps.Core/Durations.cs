namespace MlOps;

/// <summary>
/// Durations as users write them in mlops.yaml, schema.json and flags: one parser, so
/// <c>--poll</c>, <c>train.timeout</c>, <c>monitor.window</c> and a schema's <c>maxAge</c> agree.
/// </summary>
public static class Durations
{
    /// <summary>Parses 90, 90s, 15m, 2h (seconds by default).</summary>
    public static TimeSpan ParseDuration(string s, string where) =>
        TryParseSpan(s, "smh", bareSeconds: true, out var span) ? span : throw Errors.Config(where, $"'{s}' is not a duration; write seconds (600), or 90s, 15m, 2h.");

    /// <summary>Parses 90m, 24h, 7d as a window of time (a log's age, a window of a series); <paramref name="where"/> names where it came from.</summary>
    public static TimeSpan ParseWindow(string s, string where) =>
        TryParseSpan(s, "mhd", bareSeconds: false, out var span) ? span : throw Errors.Config(where, $"'{s}' is not a window; write 90m, 24h or 7d.");

    // A positive number with one of the unit letters (s, m, h, d), or a bare number of seconds where allowed.
    private static bool TryParseSpan(string s, string units, bool bareSeconds, out TimeSpan span)
    {
        span = default;
        var unit = s.Length > 0 && char.IsLetter(s[^1]) ? s[^1] : bareSeconds ? 's' : ' ';
        var number = s.Length > 0 && char.IsLetter(s[^1]) ? s[..^1] : s;
        if (!units.Contains(unit) || !double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || v <= 0) return false;
        span = unit switch { 'd' => TimeSpan.FromDays(v), 'h' => TimeSpan.FromHours(v), 'm' => TimeSpan.FromMinutes(v), _ => TimeSpan.FromSeconds(v) };
        return true;
    }
}
