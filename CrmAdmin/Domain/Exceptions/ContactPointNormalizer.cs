using System.Globalization;
using PhoneNumbers;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// Turns what a person typed into the one spelling the list stores: E.164 for phones (X2),
/// lower-case ASCII for emails (X3), <c>@domain</c> for domain entries (X4). It never guesses:
/// input that is not unambiguous is refused with a reason a person can act on.
/// </summary>
public static class ContactPointNormalizer
{
    public const int MaxEmailLength = 254;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    // UseStd3AsciiRules rejects labels with characters a host name cannot have (spaces, '_', '!').
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Anything with an '@' is an email or domain; everything else is read as a phone.</summary>
    public static Normalized Normalize(string? raw)
    {
        var text = raw?.Trim() ?? "";
        if (text.Length == 0)
        {
            return Normalized.Fail("the value is empty");
        }

        return text.Contains('@') ? NormalizeEmail(text) : NormalizePhone(text);
    }

    public static Normalized NormalizePhone(string raw)
    {
        var text = raw.Trim();
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            // The international call prefix is the written '+' (X2).
            text = "+" + text[2..];
        }

        if (!text.StartsWith('+'))
        {
            return Normalized.Fail("phone must start with + and a country code (international format)");
        }

        var digits = 0;
        for (var i = 1; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                digits++;
            }
            else if (c is not (' ' or '\u00A0' or '.' or '-' or '(' or ')'))
            {
                return Normalized.Fail(char.IsLetter(c)
                    ? $"phone contains the letter '{c}'; only digits, spaces, dots, dashes and parentheses are allowed"
                    : $"phone contains '{Printable(c)}'; only digits, spaces, dots, dashes and parentheses are allowed");
            }
        }

        if (digits == 0)
        {
            return Normalized.Fail("phone has no digits after the +");
        }

        PhoneNumber number;
        try
        {
            number = Phones.Parse(text, "ZZ");
        }
        catch (NumberParseException e)
        {
            return Normalized.Fail(e.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => "phone has no known country code after the +",
                ErrorType.TOO_SHORT_NSN or ErrorType.TOO_SHORT_AFTER_IDD => "phone is too short to be a number",
                ErrorType.TOO_LONG => "phone is too long to be a number",
                _ => "phone is not a number",
            });
        }

        var region = Phones.GetRegionCodeForCountryCode(number.CountryCode);
        var where = region is "ZZ" or "001" ? $"country code +{number.CountryCode}" : $"{region} (+{number.CountryCode})";
        return Phones.IsPossibleNumberWithReason(number) switch
        {
            PhoneNumberUtil.ValidationResult.IS_POSSIBLE => Normalized.Ok(EntryType.Phone, Phones.Format(number, PhoneNumberFormat.E164)),
            PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE => Normalized.Fail("phone has no known country code after the +"),
            PhoneNumberUtil.ValidationResult.TOO_LONG => Normalized.Fail($"phone has too many digits for {where}"),
            _ => Normalized.Fail($"phone has too few digits for {where}"),
        };
    }

    public static Normalized NormalizeEmail(string raw)
    {
        var text = raw.Trim();
        var at = text.LastIndexOf('@');
        var local = text[..at];
        var domainPart = text[(at + 1)..];

        if (local.Length == 0)
        {
            return NormalizeDomain(domainPart) is { } domain
                ? domain.Error is null ? Normalized.Ok(EntryType.EmailDomain, "@" + domain.Ascii) : Normalized.Fail(domain.Error)
                : Normalized.Fail("an email domain needs a name after the @");
        }

        if (local.Contains('@'))
        {
            return Normalized.Fail("email has more than one @");
        }

        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return Normalized.Fail("email's name part cannot start or end with a dot or have two dots in a row");
        }

        foreach (var c in local)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return Normalized.Fail($"email's name part contains '{Printable(c)}'");
            }
        }

        var host = NormalizeDomain(domainPart);
        if (host is null)
        {
            return Normalized.Fail("email has no domain after the @");
        }

        if (host.Value.Error is not null)
        {
            return Normalized.Fail(host.Value.Error);
        }

        var value = local.ToLowerInvariant() + "@" + host.Value.Ascii;
        return value.Length > MaxEmailLength
            ? Normalized.Fail($"email is longer than {MaxEmailLength} characters")
            : Normalized.Ok(EntryType.Email, value);
    }

    private static (string Ascii, string? Error)? NormalizeDomain(string domain)
    {
        if (domain.Length == 0)
        {
            return null;
        }

        if (!domain.Contains('.'))
        {
            return ("", "email domain must contain a dot, like example.com");
        }

        try
        {
            // IdnMapping yields punycode (X3) and refuses empty labels and characters a host can't have.
            return (Idn.GetAscii(domain.ToLowerInvariant()).ToLowerInvariant(), null);
        }
        catch (ArgumentException)
        {
            return ("", $"'{domain}' is not a valid email domain");
        }
    }

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();
}
