using System.Text;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// What a person filters the list by (X5). Filters combine with AND. A value query matches phones
/// by digits only, so <c>415 555</c> and <c>(415) 555</c> both find <c>+14155550100</c>; a value
/// query with an <c>@</c> or a letter is an email query and never matches phone digits (<c>info2</c>
/// lists no phone with a 2). Queries take the canonical form of X7 first: invisible characters are
/// removed, full-width and other scripts' digits read as ASCII, and a whole address or domain is
/// spelled as it is stored (punycode, no trailing dot), as is each whole Unicode label of a part of one
/// (<c>bücher.example</c>, <c>пример</c>; see <see cref="InternationalDomains.QueryToAscii"/>).
/// </summary>
/// <remarks><see cref="Status"/> (X10) keeps the entries active or expired at the time the list is read.</remarks>
public sealed record ExceptionFilter(string? Comment = null, string? Value = null, EntryType? Type = null, EntryStatus? Status = null)
{
    public static readonly ExceptionFilter None = new();

    public string? FoldedComment => string.IsNullOrWhiteSpace(Comment) ? null : Comment.Trim().ToLowerInvariant();

    /// <summary>The value query as the stored values are spelled, lower-cased; null when there is none.</summary>
    public string? FoldedValue
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Value))
            {
                return null;
            }

            var text = CanonicalText.Clean(Value);
            if (text.Length == 0)
            {
                return null;
            }

            if (!IsEmailQuery(text))
            {
                return text.ToLowerInvariant();
            }

            // A whole address or domain is matched in its stored spelling; a part of one as typed, less
            // a trailing dot (no stored address or domain ends with one), with its whole Unicode domain labels
            // in punycode as stored (X3): "bücher.example" finds "@xn--bcher-kva.example".
            return text.Contains('@') && ContactPointNormalizer.NormalizeEmail(text).Point is { } point
                ? point.Value
                : InternationalDomains.QueryToAscii(text.TrimEnd('.').ToLowerInvariant() is { Length: > 0 } part ? part : text.ToLowerInvariant());
        }
    }

    /// <summary>
    /// The value query's other spelling, when it has one: as typed (lower-cased), for a query with no <c>@</c>
    /// whose Unicode labels <see cref="FoldedValue"/> spells in punycode. Such a query may be a domain or the
    /// name before an <c>@</c>, which is stored as written, so <c>почта</c> finds both <c>почта@example.com</c>
    /// and a domain <c>почта.рф</c>. Null when both spellings are the same.
    /// </summary>
    public string? FoldedValueAsWritten
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Value) || CanonicalText.Clean(Value) is not { Length: > 0 } text || text.Contains('@') || !IsEmailQuery(text))
            {
                return null;
            }

            var written = text.TrimEnd('.').ToLowerInvariant() is { Length: > 0 } part ? part : text.ToLowerInvariant();
            return written == FoldedValue ? null : written;
        }
    }

    /// <summary>The query's digits (any script, as ASCII), or null when it has none or is an email query (then no phone can match it).</summary>
    public string? ValueDigits
    {
        get
        {
            if (string.IsNullOrWhiteSpace(Value))
            {
                return null;
            }

            var text = CanonicalText.Clean(Value);
            if (IsEmailQuery(text))
            {
                return null;
            }

            var digits = new StringBuilder(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                if (CanonicalText.AsciiDigit(rune) is { } digit)
                {
                    digits.Append(digit);
                }
            }

            return digits.Length == 0 ? null : digits.ToString();
        }
    }

    /// <summary>X5: an <c>@</c> or a letter makes a value query an email query.</summary>
    public static bool IsEmailQuery(string text) => text.Contains('@') || text.EnumerateRunes().Any(Rune.IsLetter);
}
