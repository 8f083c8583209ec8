using System.Globalization;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// The two spellings of an internationalized domain (X3): the list, the database and routing use
/// the ASCII (punycode) form, <c>xn--bcher-kva.example</c>; a person writes and reads the Unicode
/// form, <c>bücher.example</c>. This converts between them for addresses, domain entries and
/// filter queries, and never throws: text that is not a valid domain stays as it is.
/// </summary>
public static class InternationalDomains
{
    /// <summary>The ASCII-compatible prefix of a punycode label (RFC 5890).</summary>
    public const string AcePrefix = "xn--";

    /// <summary>
    /// A stored email, domain entry or subdomain tree with its domain in Unicode, as a person writes
    /// it: <c>user@xn--bcher-kva.example</c> is <c>user@bücher.example</c>, <c>@*.xn--e1afmkfd.xn--p1ai</c>
    /// is <c>@*.пример.рф</c>. A phone, an ASCII domain or a domain that is not valid punycode is returned
    /// unchanged, so the result is always safe to show.
    /// </summary>
    public static string ToUnicode(string stored)
    {
        var at = stored.LastIndexOf('@');
        if (stored.StartsWith("@*.", StringComparison.Ordinal))
        {
            // A subdomain tree (X8): the wildcard label stays as it is.
            at += 2;
        }

        var domain = at >= 0 ? stored[(at + 1)..] : stored;
        if (!domain.Contains(AcePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return stored;
        }

        try
        {
            // IdnMapping's instance members are not documented thread-safe; one is cheap to make.
            return stored[..(at + 1)] + new IdnMapping().GetUnicode(domain);
        }
        catch (ArgumentException)
        {
            return stored;
        }
    }

    /// <summary>
    /// A value filter's query (X5) spelled as the list stores domains: every whole label of the domain
    /// part that is not ASCII becomes its punycode label, so <c>bücher.example</c> is
    /// <c>xn--bcher-kva.example</c> and <c>пример</c> is <c>xn--e1afmkfd</c>, substrings of the stored
    /// <c>@xn--bcher-kva.example</c> and <c>info@xn--e1afmkfd.xn--p1ai</c>. The domain part is what follows the
    /// last <c>@</c> (a <c>*.</c> tree marker stays), or the whole query when it has none; the name before an
    /// <c>@</c> is stored as written and stays so. ASCII labels, and a label IDNA refuses, stay as typed.
    /// Expects lower-cased, cleaned text (<see cref="CanonicalText.Clean"/>).
    /// </summary>
    /// <remarks>
    /// Punycode encodes a label as a whole: part of a Unicode label (<c>büch</c>) has no spelling that is a
    /// substring of the stored one, so such a query finds no IDN domain. A query with no <c>@</c> is read as
    /// a domain here; the filter also matches it as written (<see cref="ExceptionFilter.FoldedValueAsWritten"/>),
    /// which finds a name part stored in another script (<c>почта</c> finds <c>почта@example.com</c>).
    /// </remarks>
    public static string QueryToAscii(string query)
    {
        var at = query.LastIndexOf('@');
        var local = at >= 0 ? query[..(at + 1)] : "";
        var domain = at >= 0 ? query[(at + 1)..] : query;
        if (domain.StartsWith("*.", StringComparison.Ordinal))
        {
            local += "*.";
            domain = domain[2..];
        }

        if (domain.All(char.IsAscii))
        {
            return query;
        }

        // The ideographic full stop separates labels as a dot does (IDNA), as in ContactPointNormalizer.
        var labels = domain.Replace('\u3002', '.').Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            if (!labels[i].All(char.IsAscii))
            {
                try
                {
                    labels[i] = new IdnMapping().GetAscii(labels[i]).ToLowerInvariant();
                }
                catch (ArgumentException)
                {
                    // Not a valid label: matched as typed, which finds nothing a stored domain spells.
                }
            }
        }

        return local + string.Join('.', labels);
    }
}
