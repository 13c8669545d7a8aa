namespace MlOps.Serving;

/// <summary>
/// MLflow's clients write JSON with Python's <c>json.dumps</c>, which emits the bare tokens
/// <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> for missing and infinite values. They are not
/// JSON; MLflow's scoring server reads them as missing, and so do we: outside strings they become
/// <c>null</c> before parsing. Strings (and escapes inside them) are left exactly as they are.
/// </summary>
internal static class MlFlowJson
{
    private static readonly byte[] Null = "null"u8.ToArray();

    /// <summary>The body with the non-finite tokens outside strings replaced by null.</summary>
    public static byte[] ReplaceNonFiniteTokens(ReadOnlySpan<byte> body)
    {
        var output = new List<byte>(body.Length);
        var inString = false;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (inString)
            {
                output.Add(c);
                if (c == (byte)'\\' && i + 1 < body.Length) output.Add(body[++i]);
                else if (c == (byte)'"') inString = false;
                continue;
            }

            if (c == (byte)'"')
            {
                inString = true;
                output.Add(c);
                continue;
            }

            var token = Token(body[i..]);
            if (token > 0 && (i == 0 || !IsWordByte(body[i - 1])) && (i + token == body.Length || !IsWordByte(body[i + token])))
            {
                output.AddRange(Null);
                i += token - 1;
                continue;
            }

            output.Add(c);
        }

        return [.. output];
    }

    private static int Token(ReadOnlySpan<byte> s) =>
        s.StartsWith("NaN"u8) ? 3 : s.StartsWith("-Infinity"u8) ? 9 : s.StartsWith("Infinity"u8) ? 8 : 0;

    private static bool IsWordByte(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'.';
}
