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

    /// <summary>A table cell: a pipe would split the cell, a line break would end the row.</summary>
    public static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
