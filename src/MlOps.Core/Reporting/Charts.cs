using System.Text;
using static System.FormattableString;

namespace MlOps.Reporting;

/// <summary>How the report draws charts.</summary>
public enum ChartStyle
{
    /// <summary>Mermaid <c>xychart-beta</c> blocks, which GitHub renders natively: no image host needed.</summary>
    Mermaid,

    /// <summary>Unicode bars in a code block, for hosts that do not render Mermaid (Azure DevOps PR threads).</summary>
    Text,

    /// <summary>No charts: tables only.</summary>
    None,
}

/// <summary>One bar: a label, its value, and an optional reference value (the baseline) drawn as a line.</summary>
public sealed record ChartBar(string Label, double Value, double? Reference = null);

/// <summary>Draws bar charts as Mermaid <c>xychart-beta</c> or as plain-text bars.</summary>
public static class Charts
{
    private const int TextWidth = 30;

    /// <summary>Renders a bar chart in the given style; empty for <see cref="ChartStyle.None"/> or no bars.</summary>
    /// <param name="style">Mermaid or text.</param>
    /// <param name="title">The chart title.</param>
    /// <param name="axis">The value axis label.</param>
    /// <param name="bars">The bars, in display order.</param>
    /// <param name="min">The axis minimum.</param>
    /// <param name="max">The axis maximum.</param>
    /// <param name="referenceName">What the reference line is (for example "baseline"), or null when bars have none.</param>
    /// <param name="horizontal">Horizontal bars (long labels such as feature names read better).</param>
    public static string Bars(ChartStyle style, string title, string axis, IReadOnlyList<ChartBar> bars, double min, double max, string? referenceName = null, bool horizontal = false)
    {
        if (style == ChartStyle.None || bars.Count == 0 || !(max > min)) return string.Empty;
        return style == ChartStyle.Mermaid
            ? Mermaid(title, axis, bars, min, max, referenceName, horizontal)
            : Text(title, bars, min, max, referenceName);
    }

    /// <summary>
    /// A series over time (one value per window) against a limit drawn as a flat line: Mermaid
    /// <c>xychart-beta</c> bars and line, or text bars with the limit marked.
    /// </summary>
    public static string Series(ChartStyle style, string title, string axis, IReadOnlyList<string> labels, IReadOnlyList<double> values, double limit, string limitName)
    {
        if (style == ChartStyle.None || values.Count == 0) return string.Empty;
        var max = Math.Max(limit * 1.25, values.Where(double.IsFinite).DefaultIfEmpty(0).Max() * 1.1);
        if (style == ChartStyle.Text)
        {
            return Text(title, labels.Zip(values, (l, v) => new ChartBar(l, v, limit)).ToList(), 0, max, limitName);
        }

        var s = new StringBuilder();
        s.AppendLine("```mermaid");
        s.AppendLine("xychart-beta");
        s.AppendLine($"    title \"{Label(title)} (bars: value, line: {Label(limitName)})\"");
        s.AppendLine($"    x-axis [{string.Join(", ", labels.Select(l => $"\"{Label(l)}\""))}]");
        s.AppendLine(Invariant($"    y-axis \"{Label(axis)}\" 0 --> {Number(max)}"));
        s.AppendLine($"    bar [{string.Join(", ", values.Select(v => Number(Clamp(v, 0, max))))}]");
        s.AppendLine($"    line [{string.Join(", ", values.Select(_ => Number(limit)))}]");
        s.AppendLine("```");
        return s.ToString();
    }

    private static string Mermaid(string title, string axis, IReadOnlyList<ChartBar> bars, double min, double max, string? referenceName, bool horizontal)
    {
        var s = new StringBuilder();
        s.AppendLine("```mermaid");
        s.AppendLine(horizontal ? "xychart-beta horizontal" : "xychart-beta");
        var withReference = referenceName is not null && bars.Any(b => b.Reference is not null);
        s.AppendLine($"    title \"{Label(title)}{(withReference ? $" (bars: candidate, line: {Label(referenceName!)})" : string.Empty)}\"");
        s.AppendLine($"    x-axis [{string.Join(", ", bars.Select(b => $"\"{Label(b.Label)}\""))}]");
        s.AppendLine(Invariant($"    y-axis \"{Label(axis)}\" {Number(min)} --> {Number(max)}"));
        s.AppendLine($"    bar [{string.Join(", ", bars.Select(b => Number(Clamp(b.Value, min, max))))}]");
        if (withReference)
        {
            // A missing reference value draws at the bar's own height, so the line never invents a drop.
            s.AppendLine($"    line [{string.Join(", ", bars.Select(b => Number(Clamp(b.Reference ?? b.Value, min, max))))}]");
        }

        s.AppendLine("```");
        return s.ToString();
    }

    private static string Text(string title, IReadOnlyList<ChartBar> bars, double min, double max, string? referenceName)
    {
        var width = bars.Max(b => b.Label.Length);
        var s = new StringBuilder();
        s.AppendLine($"**{title}**");
        s.AppendLine();
        s.AppendLine("```text");
        foreach (var b in bars)
        {
            var reference = referenceName is not null && b.Reference is { } r ? $"  ({referenceName} {Number(r)})" : string.Empty;
            s.AppendLine($"{b.Label.PadRight(width)}  {Bar(b.Value, min, max)}  {Number(b.Value)}{reference}");
        }

        s.AppendLine("```");
        return s.ToString();
    }

    /// <summary>A bar of eighth-block characters, <see cref="TextWidth"/> cells at full scale.</summary>
    internal static string Bar(double value, double min, double max)
    {
        var eighths = (int)Math.Round((Clamp(value, min, max) - min) / (max - min) * TextWidth * 8);
        var s = new string('█', eighths / 8);
        if (eighths % 8 > 0) s += "▏▎▍▌▋▊▉"[(eighths % 8) - 1];
        return s.PadRight(TextWidth);
    }

    private static double Clamp(double v, double min, double max) => double.IsNaN(v) ? min : Math.Clamp(v, min, max);

    private static string Number(double v) => v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Mermaid strings cannot hold double quotes or line breaks; nothing else needs escaping inside quotes.</summary>
    private static string Label(string text) => text.Replace('"', '\'').ReplaceLineEndings(" ");
}
