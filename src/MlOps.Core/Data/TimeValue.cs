using System.Globalization;

namespace MlOps.Data;

/// <summary>What a date or time cell says about its time zone, which is kept, never invented.</summary>
public enum TimeKind
{
    /// <summary>A calendar date with no time of day (Parquet DATE, <c>2024-05-01</c>).</summary>
    Date,

    /// <summary>A date and time without a zone (Parquet TIMESTAMP with isAdjustedToUTC false, <c>2024-05-01 12:30:00</c>).</summary>
    Naive,

    /// <summary>An instant: a timestamp with a zone or offset, normalized to UTC (Parquet TIMESTAMP adjusted to UTC, <c>...Z</c>, <c>...+02:00</c>).</summary>
    Zoned,
}

/// <summary>
/// Dates and timestamps as seconds since 1970-01-01 00:00 (of UTC for zoned values, of the wall
/// clock for naive ones), parsed from ISO-8601 text without allocating and formatted back.
/// The same instant reads the same from CSV, JSON Lines and Parquet.
/// </summary>
public static class TimeValue
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;

    /// <summary>Seconds since the epoch of a <see cref="DateTime"/>'s clock value (its ticks, whatever its Kind).</summary>
    public static double Seconds(DateTime value) => (value.Ticks - DateTime.UnixEpoch.Ticks) / (double)TicksPerSecond;

    /// <summary>
    /// Parses <c>YYYY-MM-DD</c>, or that followed by <c>T</c> or a space, <c>HH:MM</c>, optional
    /// <c>:SS</c> and fraction, and an optional zone (<c>Z</c>, <c>±HH</c>, <c>±HHMM</c>, <c>±HH:MM</c>).
    /// Anything else (other layouts, impossible dates) is not a time.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> s, out double seconds, out TimeKind kind)
    {
        seconds = 0;
        kind = TimeKind.Date;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        var ticks = new DateTime(year, month, day).Ticks;
        if (s.Length == 10)
        {
            seconds = (ticks - DateTime.UnixEpoch.Ticks) / (double)TicksPerSecond;
            return true;
        }

        if ((s[10] != 'T' && s[10] != ' ') || s.Length < 16 || s[13] != ':') return false;
        if (!Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || hour > 23 || minute > 59) return false;
        ticks += (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute);
        var i = 16;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out var second) || second > 59) return false;
            ticks += second * TicksPerSecond;
            i += 3;
            if (i < s.Length && (s[i] == '.' || s[i] == ','))
            {
                i++;
                var start = i;
                long fraction = 0;
                var scale = TicksPerSecond;
                while (i < s.Length && (uint)(s[i] - '0') <= 9)
                {
                    if (scale > 1)
                    {
                        scale /= 10;
                        fraction += (s[i] - '0') * scale;
                    }

                    i++;
                }

                if (i == start) return false;
                ticks += fraction;
            }
        }

        kind = TimeKind.Naive;
        if (i < s.Length)
        {
            if (!TryOffset(s[i..], out var offsetTicks)) return false;
            ticks -= offsetTicks;
            kind = TimeKind.Zoned;
        }

        seconds = (ticks - DateTime.UnixEpoch.Ticks) / (double)TicksPerSecond;
        return true;
    }

    /// <summary>ISO-8601 text of a value: <c>2024-05-01</c>, <c>2024-05-01T12:30:00</c> (naive) or <c>2024-05-01T10:30:00Z</c>.</summary>
    public static string Format(double seconds, TimeKind kind)
    {
        var ticks = DateTime.UnixEpoch.Ticks + (long)Math.Round(seconds * TicksPerSecond);
        ticks = Math.Clamp(ticks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
        var value = new DateTime(ticks, DateTimeKind.Unspecified);
        if (kind == TimeKind.Date && value.TimeOfDay == TimeSpan.Zero) return value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var text = value.ToString(value.Ticks % TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return kind == TimeKind.Zoned ? text + "Z" : text;
    }

    /// <summary>Parses a time written in a schema or config (any form <see cref="TryParse(ReadOnlySpan{byte}, out double, out TimeKind)"/> reads).</summary>
    public static bool TryParse(string text, out double seconds, out TimeKind kind) =>
        TryParse(System.Text.Encoding.UTF8.GetBytes(text.Trim()), out seconds, out kind);

    private static bool TryOffset(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (s.Length == 1 && (s[0] == 'Z' || s[0] == 'z')) return true;
        if (s.Length < 3 || (s[0] != '+' && s[0] != '-')) return false;
        if (!Digits(s, 1, 2, out var hours) || hours > 18) return false;
        var minutes = 0;
        if (s.Length == 6 && s[3] == ':')
        {
            if (!Digits(s, 4, 2, out minutes)) return false;
        }
        else if (s.Length == 5)
        {
            if (!Digits(s, 3, 2, out minutes)) return false;
        }
        else if (s.Length != 3)
        {
            return false;
        }

        if (minutes > 59) return false;
        ticks = ((hours * TimeSpan.TicksPerHour) + (minutes * TimeSpan.TicksPerMinute)) * (s[0] == '-' ? -1 : 1);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9) return false;
            value = (value * 10) + (int)d;
        }

        return true;
    }
}
