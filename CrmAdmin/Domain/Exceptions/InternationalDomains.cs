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
}
