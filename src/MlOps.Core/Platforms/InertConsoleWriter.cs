using System.Text;

namespace MlOps.Platforms;

/// <summary>
/// Wraps the console so that text from data (cells, labels, file names) can never become a CI
/// runner's command: a line that starts with <c>::</c> (GitHub Actions workflow commands) gets a
/// zero-width space in front, and <c>##[</c> / <c>##vso[</c> (Azure Pipelines logging and
/// formatting commands, also GitHub's legacy form), which the agents find anywhere in a line, get
/// one between the hashes. A carriage return starts a line too, as the runners read it. mlops's
/// own commands bypass this writer: the platform adapters write them to the raw standard output.
/// </summary>
public sealed class InertConsoleWriter(TextWriter inner) : TextWriter
{
    private const char ZeroWidthSpace = '\u200B';
    private readonly StringBuilder _line = new();
    private bool _atLineStart = true;

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <summary>Makes one piece of text inert for both runners, treating its start as a line start.</summary>
    public static string Neutralize(string text)
    {
        var s = new StringBuilder(text.Length + 4);
        Append(s, text, atLineStart: true);
        return s.ToString();
    }

    /// <inheritdoc/>
    public override void Write(char value)
    {
        _line.Append(value);
        if (value is '\n' or '\r') Emit();
    }

    /// <inheritdoc/>
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        _line.Append(value);
        if (value.Contains('\n') || value.Contains('\r')) Emit();
    }

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        _line.Append(value).Append(CoreNewLine);
        Emit();
    }

    /// <inheritdoc/>
    public override void Flush()
    {
        Emit(all: true);
        inner.Flush();
    }

    /// <inheritdoc/>
    public override Task FlushAsync()
    {
        Emit(all: true);
        return inner.FlushAsync();
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Emit(all: true);
        base.Dispose(disposing);
    }

    private static void Append(StringBuilder s, string text, bool atLineStart)
    {
        var lineStart = atLineStart;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (lineStart && c == ':' && i + 1 < text.Length && text[i + 1] == ':') s.Append(ZeroWidthSpace);
            if (c == '#' && i + 1 < text.Length && text[i + 1] == '#' && IsAzureCommand(text, i + 2))
            {
                s.Append('#').Append(ZeroWidthSpace);
                continue;
            }

            s.Append(c);
            if (c is '\n' or '\r') lineStart = true;
            else if (!char.IsWhiteSpace(c)) lineStart = false;
        }
    }

    private static bool IsAzureCommand(string text, int at) =>
        (at < text.Length && text[at] == '[') || string.Compare(text, at, "vso[", 0, 4, StringComparison.OrdinalIgnoreCase) == 0;

    // Writes the complete lines buffered (all of it on flush); the rest waits for its line to end,
    // so a command split over several writes is judged as one line. Whether the next text starts a
    // line is remembered across flushes.
    private void Emit(bool all = false)
    {
        if (_line.Length == 0) return;
        var text = _line.ToString();
        var end = all ? text.Length : text.LastIndexOfAny(['\n', '\r']) + 1;
        if (end == 0) return;
        _line.Remove(0, end);
        var chunk = text[..end];
        var s = new StringBuilder(chunk.Length + 4);
        Append(s, chunk, _atLineStart);
        inner.Write(s.ToString());
        var last = chunk.AsSpan().TrimEnd(" \t");
        _atLineStart = last.Length == 0 ? _atLineStart : last[^1] is '\n' or '\r';
    }
}
