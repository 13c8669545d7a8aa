using System.Globalization;
using MlOps.Evaluation;
using static System.FormattableString;

namespace MlOps.Artifacts;

/// <summary>How every report.md writes numbers, intervals and table cells, so they read alike.</summary>
internal static class MarkdownText
{
    /// <summary>Up to four decimals; NaN as "n/a".</summary>
    public static string Number(double v) => double.IsNaN(v) ? "n/a" : v.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>"[low, high]", or "–" when there is none.</summary>
    public static string Interval(Interval? i) => i is null || double.IsNaN(i.Low) ? "–" : Invariant($"[{i.Low:0.####}, {i.High:0.####}]");

    /// <summary>
    /// Text from data (cells, labels, slice values, column names) made inert for GitHub and Azure
    /// DevOps Markdown, in a table cell or running text: the punctuation of links, images and code
    /// is backslash-escaped, HTML is entity-escaped (no tags), a pipe cannot split
    /// the cell, a line break cannot end the row, and <c>@name</c> cannot mention anyone.
    /// </summary>
    public static string Cell(string text)
    {
        var s = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text.ReplaceLineEndings(" "))
        {
            switch (c)
            {
                case '&': s.Append("&amp;"); break;
                case '<': s.Append("&lt;"); break;
                case '>': s.Append("&gt;"); break;
                case '@': s.Append("@\u200B"); break;
                case '\\' or '`' or '[' or ']' or '|' or '!':
                    s.Append('\\').Append(c);
                    break;
                default:
                    s.Append(char.IsControl(c) ? ' ' : c);
                    break;
            }
        }

        return s.ToString();
    }

    /// <summary>An inline code span around any text: the fence is longer than any backtick run inside, so the text cannot close it.</summary>
    public static string Code(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal);
        var longest = 0;
        var run = 0;
        foreach (var c in flat)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        var fence = new string('`', longest + 1);
        var pad = flat.StartsWith('`') || flat.EndsWith('`') ? " " : string.Empty;
        return $"{fence}{pad}{flat}{pad}{fence}";
    }
}
