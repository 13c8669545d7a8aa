using System.Text;
using System.Text.RegularExpressions;
using static System.FormattableString;

namespace MlOps.Reporting;

/// <summary>
/// Fits a report into a size limit (GitHub comments stop at 65,536 characters): first the
/// bodies of collapsible sections go, then the tail is cut at a line, always with a note that
/// says so and where the full report is.
/// </summary>
public static partial class ReportFitter
{
    /// <summary>Returns <paramref name="markdown"/> unchanged when it fits, else a shorter version that does.</summary>
    /// <param name="markdown">The full report.</param>
    /// <param name="limit">The maximum length in UTF-16 code units (never fewer than the characters GitHub counts).</param>
    /// <param name="fullReport">Where readers find the full report (a URL or an artifact name).</param>
    public static string Fit(string markdown, int limit, string fullReport)
    {
        if (markdown.Length <= limit) return markdown;
        var collapsed = DetailsBody().Replace(markdown, m => $"{m.Groups["head"].Value}\n\n_Omitted to fit the comment size limit: see {fullReport}._\n\n</details>");
        if (collapsed.Length <= limit) return collapsed;

        var note = Invariant($"\n\n---\n✂️ _Truncated to fit the {limit:N0}-character comment limit. The full report: {fullReport}._\n");
        var budget = limit - note.Length - 16;
        if (budget <= 0) throw new ArgumentOutOfRangeException(nameof(limit), "The limit is too small for any report.");
        var cut = collapsed.LastIndexOf('\n', Math.Min(budget, collapsed.Length - 1));
        var head = collapsed[..(cut > 0 ? cut : budget)];
        var s = new StringBuilder(head);

        // Close what the cut left open, so the rest of the page still renders.
        if (CountFences(head) % 2 == 1) s.Append("\n```");
        var open = Regex.Count(head, "<details>") - Regex.Count(head, "</details>");
        for (var i = 0; i < open; i++) s.Append("\n</details>");
        s.Append(note);
        return s.ToString();
    }

    private static int CountFences(string text) => Fence().Count(text);

    [GeneratedRegex(@"(?<head><details><summary>.*?</summary>)(?<body>.*?)</details>", RegexOptions.Singleline)]
    private static partial Regex DetailsBody();

    [GeneratedRegex("^```", RegexOptions.Multiline)]
    private static partial Regex Fence();
}
