using System.Globalization;
using System.Text;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// The Unicode half of X7's one canonical form: what text looks like before a phone or an address is
/// validated, wherever it came from (paste, upload, API, filter, routing). Text is NFKC-normalized
/// (full-width <c>＋１</c> becomes <c>+1</c>), invisible characters are removed (Unicode's default
/// ignorable code points: zero-width spaces and joiners, bidi marks, embeddings and isolates, soft
/// hyphen, byte order mark, word joiner, variation selectors, Hangul fillers, tags), digits of other
/// scripts become ASCII, and every Unicode space and dash is a separator inside a phone. The reasons
/// that mention a character name it in words, never raw.
/// </summary>
public static class CanonicalText
{
    /// <summary>U+FFFD: the character a decoder puts where it lost one (X7 never accepts it in a value).</summary>
    public const char ReplacementCharacter = '\uFFFD';

    /// <summary>
    /// <paramref name="raw"/> with invisible characters removed, NFKC-normalized and trimmed. ASCII text
    /// without control characters (nearly every line of a big import) is only trimmed, without copying.
    /// </summary>
    public static string Clean(string raw)
    {
        var span = raw.AsSpan();
        if (System.Text.Ascii.IsValid(span) && !HasAsciiControl(span))
        {
            return raw.Trim();
        }

        var visible = new StringBuilder(raw.Length);
        foreach (var rune in raw.EnumerateRunes())
        {
            if (!IsInvisible(rune))
            {
                visible.Append(rune.ToString());
            }
        }

        // EnumerateRunes reads a lone surrogate as U+FFFD, so the text is well formed here and a broken
        // character is refused like any other lost one.
        var text = visible.ToString();
        try
        {
            return (text.IsNormalized(NormalizationForm.FormKC) ? text : text.Normalize(NormalizationForm.FormKC)).Trim();
        }
        catch (ArgumentException)
        {
            // A noncharacter (U+FFFF…) cannot be normalized; the text stays as it is, and validation names it.
            return text.Trim();
        }
    }

    /// <summary>
    /// Whether a character is invisible in the sense of X7: format characters (Unicode category Cf:
    /// zero-width space, joiners, bidi marks, embeddings, overrides and isolates, soft hyphen, word joiner,
    /// byte order mark) and the other default ignorable code points (variation selectors, the combining
    /// grapheme joiner, Hangul fillers, Mongolian free variation selectors, tags).
    /// </summary>
    public static bool IsInvisible(Rune rune)
    {
        if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
        {
            return true;
        }

        var v = rune.Value;
        return v is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x3164 or 0xFFA0
            or (>= 0x180B and <= 0x180F) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xFFF0 and <= 0xFFF8)
            or (>= 0x1BCA0 and <= 0x1BCA3) or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);
    }

    /// <summary>
    /// Whether a character separates the groups of a phone number (X2, X7): any Unicode space (Zs, the
    /// tab included), any dash (Pd, the minus sign U+2212 included), a dot or a parenthesis.
    /// </summary>
    public static bool IsPhoneSeparator(Rune rune) =>
        rune.Value is '\t' or '.' or '(' or ')' or 0x2212 or 0x2043
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.SpaceSeparator or UnicodeCategory.DashPunctuation;

    /// <summary>The ASCII digit a decimal digit of any script stands for (Arabic-Indic ٣, Devanagari ३ → 3), or null.</summary>
    public static char? AsciiDigit(Rune rune) =>
        Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber ? (char)('0' + (int)Rune.GetNumericValue(rune)) : null;

    /// <summary>
    /// A character as a reason names it (X7): invisible and whitespace characters in words ("a tab", "a
    /// zero-width space", "U+2028 line separator"), letters as "the letter 'x'", other visible ones quoted.
    /// </summary>
    public static string Describe(Rune rune) => rune.Value switch
    {
        '\t' => "a tab",
        ' ' => "a space",
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\0' => "a NUL character",
        '"' => "a double quote (\")",
        '\'' => "an apostrophe (')",
        0x00A0 => "a no-break space",
        0x00AD => "a soft hyphen",
        0x034F => "a combining grapheme joiner",
        0x061C => "an Arabic letter mark",
        0x1680 => "an Ogham space mark",
        0x180E => "a Mongolian vowel separator",
        >= 0x2000 and <= 0x200A => $"a {SpaceName(rune.Value)} (U+{rune.Value:X4})",
        0x200B => "a zero-width space",
        0x200C => "a zero-width non-joiner",
        0x200D => "a zero-width joiner",
        0x200E => "a left-to-right mark",
        0x200F => "a right-to-left mark",
        0x2028 => "U+2028 line separator",
        0x2029 => "U+2029 paragraph separator",
        0x202A => "a left-to-right embedding",
        0x202B => "a right-to-left embedding",
        0x202C => "a pop directional formatting mark",
        0x202D => "a left-to-right override",
        0x202E => "a right-to-left override",
        0x202F => "a narrow no-break space",
        0x205F => "a medium mathematical space",
        0x2060 => "a word joiner",
        0x2066 => "a left-to-right isolate",
        0x2067 => "a right-to-left isolate",
        0x2068 => "a first strong isolate",
        0x2069 => "a pop directional isolate",
        0x3000 => "an ideographic space",
        0x3164 or 0x115F or 0x1160 or 0xFFA0 => $"a Hangul filler (U+{rune.Value:X4}, invisible)",
        0xFEFF => "a byte order mark (zero-width no-break space)",
        ReplacementCharacter => "U+FFFD replacement character (a character lost when the file was decoded)",
        _ when Rune.IsLetter(rune) => $"the letter '{rune}'",
        _ => Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control => $"a control character (U+{rune.Value:X4})",
            UnicodeCategory.SpaceSeparator => $"a space (U+{rune.Value:X4})",
            UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => $"a line separator (U+{rune.Value:X4})",
            UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark => $"an invisible character (U+{rune.Value:X4})",
            UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => $"an unreadable character (U+{rune.Value:X4})",
            _ => $"'{rune}'",
        },
    };

    /// <summary>The first character of <paramref name="text"/> that a reason has to name, described; for lone surrogates too.</summary>
    public static string Describe(string text, int index) =>
        Rune.TryGetRuneAt(text, index, out var rune) ? Describe(rune) : $"an unreadable character (U+{(int)text[index]:X4})";

    /// <summary>Whether <paramref name="text"/> has U+FFFD, the mark of a character lost in decoding (I7, X7).</summary>
    public static bool HasReplacementCharacter(string? text) => text is not null && text.Contains(ReplacementCharacter);

    private static string SpaceName(int value) => value switch
    {
        0x2000 => "en quad",
        0x2001 => "em quad",
        0x2002 => "en space",
        0x2003 => "em space",
        0x2004 => "three-per-em space",
        0x2005 => "four-per-em space",
        0x2006 => "six-per-em space",
        0x2007 => "figure space",
        0x2008 => "punctuation space",
        0x2009 => "thin space",
        _ => "hair space",
    };

    private static bool HasAsciiControl(ReadOnlySpan<char> text) => text.IndexOfAnyInRange('\0', '\u001F') >= 0 || text.Contains('\u007F');
}
