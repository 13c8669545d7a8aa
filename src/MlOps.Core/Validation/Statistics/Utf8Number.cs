using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace MlOps.Validation.Statistics;

/// <summary>What a text cell turned out to be.</summary>
public enum CellKind
{
    /// <summary>Not a number or boolean.</summary>
    Text,

    /// <summary>A finite integer (no decimal point or exponent).</summary>
    Integer,

    /// <summary>A finite number with a decimal point or exponent.</summary>
    Number,

    /// <summary>NaN or an infinity, written out or overflowing.</summary>
    NonFinite,

    /// <summary>true or false, in any letter case.</summary>
    Boolean,
}

/// <summary>
/// Classifies UTF-8 cells and parses numbers without allocating. Plain decimals with up to 19
/// digits and small exponents take Clinger's exact fast path (a 53-bit mantissa times an exact
/// power of ten is correctly rounded); anything else falls back to the runtime's parser.
/// </summary>
public static class Utf8Number
{
    private static readonly double[] Pow10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Classifies a cell and, for numbers, returns the value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static CellKind Classify(ReadOnlySpan<byte> s, out double value, out bool boolean)
    {
        value = 0;
        boolean = false;
        s = s.Trim((byte)' ');
        if (s.IsEmpty)
        {
            return CellKind.Text;
        }

        var kind = TryFast(s, out value);
        if (kind != CellKind.Text)
        {
            return kind;
        }

        if (Ascii.EqualsIgnoreCase(s, "true"u8))
        {
            boolean = true;
            return CellKind.Boolean;
        }

        if (Ascii.EqualsIgnoreCase(s, "false"u8))
        {
            return CellKind.Boolean;
        }

        if (IsNonFiniteWord(s))
        {
            return CellKind.NonFinite;
        }

        // Only hand the runtime parser strings that could be numbers: it also accepts thousands
        // separators and currency that we do not want to read as numbers. It still reports
        // overflow ("1e999") as infinity, which is classified as not finite below.
        if (!LooksNumeric(s))
        {
            return CellKind.Text;
        }

        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return CellKind.Text;
        }

        if (!double.IsFinite(value))
        {
            return CellKind.NonFinite;
        }

        return s.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 ? CellKind.Integer : CellKind.Number;
    }

    private static bool IsNonFiniteWord(ReadOnlySpan<byte> s)
    {
        if (s[0] is (byte)'+' or (byte)'-') s = s[1..];
        return s.Length is 3 or 8
            && (Ascii.EqualsIgnoreCase(s, "nan"u8) || Ascii.EqualsIgnoreCase(s, "inf"u8) || Ascii.EqualsIgnoreCase(s, "infinity"u8));
    }

    private static bool LooksNumeric(ReadOnlySpan<byte> s)
    {
        var i = s[0] is (byte)'+' or (byte)'-' ? 1 : 0;
        if (i == s.Length) return false;
        return s[i..].IndexOfAnyExcept("0123456789.eE+-"u8) < 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static CellKind TryFast(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (s[0] == (byte)'-' || s[0] == (byte)'+')
        {
            negative = s[0] == (byte)'-';
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var exponent = 0;
        var start = i;
        while (i < s.Length && (uint)(s[i] - '0') <= 9)
        {
            if (digits < 19)
            {
                mantissa = (mantissa * 10) + (uint)(s[i] - '0');
                if (mantissa != 0) digits++;
            }
            else
            {
                return CellKind.Text; // too many digits for the exact path
            }

            i++;
        }

        var integerDigits = i - start;
        var isInteger = true;
        if (i < s.Length && s[i] == (byte)'.')
        {
            isInteger = false;
            i++;
            var fracStart = i;
            while (i < s.Length && (uint)(s[i] - '0') <= 9)
            {
                if (digits >= 19) return CellKind.Text;
                mantissa = (mantissa * 10) + (uint)(s[i] - '0');
                if (mantissa != 0) digits++;
                exponent--;
                i++;
            }

            if (integerDigits == 0 && i == fracStart) return CellKind.Text;
        }
        else if (integerDigits == 0)
        {
            return CellKind.Text;
        }

        if (i < s.Length)
        {
            return CellKind.Text; // exponents and everything else: slow path decides
        }

        if (mantissa > (1UL << 53) || exponent < -22)
        {
            return CellKind.Text;
        }

        value = exponent == 0 ? mantissa : mantissa / Pow10[-exponent];
        if (negative) value = -value;
        return isInteger ? CellKind.Integer : CellKind.Number;
    }
}
