using System.Globalization;
using System.Text;
using PhoneNumbers;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// Turns what a person typed into the one spelling the list stores: E.164 for phones (X2),
/// lower-case ASCII for emails (X3), <c>@domain</c> for domain entries (X4). Every entry point
/// (import, filter, routing, API) comes through here, so one canonical form holds everywhere (X7):
/// the text is cleaned by <see cref="CanonicalText"/> first (NFKC, invisible characters removed,
/// other scripts' digits read as ASCII, any Unicode space or dash a separator inside a phone), and a
/// trailing dot on a domain is dropped. It never guesses: input that is not unambiguous is refused
/// with a reason a person can act on, which names characters in words.
/// </summary>
public static class ContactPointNormalizer
{
    public const int MaxEmailLength = 254;

    /// <summary>E.164's longest number, in digits after the +; a prefix is no longer (X9).</summary>
    public const int MaxPhoneDigits = 15;

    /// <summary>The most labels a subdomain tree's domain has (X8): routing looks a sender's domain up by this many suffixes at most.</summary>
    public const int MaxTreeLabels = 16;

    /// <summary>RFC 5321's limit on the part before the @.</summary>
    public const int MaxLocalPartLength = 64;

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    // UseStd3AsciiRules rejects labels with characters a host name cannot have (spaces, '_', '!').
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>
    /// Anything with an '@' (after X7's cleaning, so a full-width ＠ counts) is an email, a domain or a
    /// subdomain tree; text ending with '*' is a number prefix (X9); everything else is read as a phone.
    /// </summary>
    public static Normalized Normalize(string? raw)
    {
        var text = CanonicalText.Clean(raw ?? "");
        if (text.Length == 0)
        {
            return Normalized.Fail("the value is empty");
        }

        var (isEmail, isPrefix) = (text.Contains('@'), text.TrimEnd().EndsWith('*'));
        if (!isEmail && !isPrefix && !text.StartsWith('+') && !text.EnumerateRunes().Any(r => CanonicalText.AsciiDigit(r) is not null))
        {
            // Read as a phone, "sales at example.com" or "example.com" got a phone's reason ("must start with +"), which
            // tells someone who meant an address nothing about what is missing. A '+' or a trailing '*' means a number was
            // meant, whose own reasons say more ("no digits after the +").
            return Normalized.Fail(NeitherPhoneNorEmail);
        }

        return isEmail ? NormalizeEmail(raw!)
            : isPrefix ? NormalizePhonePrefix(raw!)
            : NormalizePhone(raw!);
    }

    /// <summary>The reason for a value with neither an @ nor a digit (nor a number's + or *): it cannot be any kind of entry (X2, X3).</summary>
    public const string NeitherPhoneNorEmail =
        "neither a phone nor an email: a phone starts with + and a country code (+44 20 7946 0958), an email or domain has an @ (user@example.com, @example.com)";

    /// <summary>
    /// A number prefix <c>+1900*</c> (X9): the digits of an international number, a valid country code
    /// and at least one digit after it, then one <c>*</c>. Stored as <c>+1900*</c>. Separators are
    /// allowed as in a phone (X2, X7); a prefix longer than a whole number (15 digits) is refused.
    /// </summary>
    public static Normalized NormalizePhonePrefix(string raw)
    {
        var text = CanonicalText.Clean(raw).TrimEnd();
        if (!text.EndsWith('*'))
        {
            return Normalized.Fail("a number prefix ends with *, like +1900*");
        }

        text = text[..^1].TrimEnd();
        if (text.Contains('*'))
        {
            return Normalized.Fail("a number prefix has one * at its end, like +1900*");
        }

        var (digits, error) = InternationalDigits(text, "number prefix");
        if (error is not null)
        {
            return Normalized.Fail(error);
        }

        var national = digits![1..];
        // Country codes are prefix-free (E.164): at most one of the first one to three digits is one.
        var countryCode = Enumerable.Range(1, Math.Min(3, national.Length))
            .Select(length => national[..length])
            .FirstOrDefault(code => Phones.GetRegionCodeForCountryCode(int.Parse(code, CultureInfo.InvariantCulture)) != "ZZ");
        if (countryCode is null)
        {
            return Normalized.Fail("a number prefix needs a known country code after the +, like +1900*");
        }

        if (national.Length == countryCode.Length)
        {
            return Normalized.Fail($"a number prefix needs at least one digit after the country code +{countryCode}, like +{countryCode}9*");
        }

        return national.Length > MaxPhoneDigits
            ? Normalized.Fail($"a number prefix has at most {MaxPhoneDigits} digits, as a whole number does")
            : Normalized.Ok(EntryType.PhonePrefix, digits + "*");
    }

    /// <summary>A phone in international format as E.164 (X2, X7), or the reason it is not one.</summary>
    public static Normalized NormalizePhone(string raw)
    {
        var (digits, error) = InternationalDigits(CanonicalText.Clean(raw), "phone");
        if (error is not null)
        {
            return Normalized.Fail(error);
        }

        PhoneNumber number;
        try
        {
            number = Phones.Parse(digits, "ZZ");
        }
        catch (NumberParseException e)
        {
            return Normalized.Fail(e.ErrorType switch
            {
                ErrorType.INVALID_COUNTRY_CODE => "phone has no known country code after the +",
                ErrorType.TOO_SHORT_NSN or ErrorType.TOO_SHORT_AFTER_IDD => "phone is too short to be a number",
                ErrorType.TOO_LONG => "phone is too long to be a number",
                // libphonenumber calls a + and a digit or two "not a number": to a person it is a number cut short.
                ErrorType.NOT_A_NUMBER when digits!.Count(char.IsAsciiDigit) <= 3 => "phone is too short to be a number",
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

    /// <summary>
    /// An address (<c>name@domain</c>, X3) or a bare domain (<c>@domain</c>, X4) in its canonical form
    /// (X7), or the reason it is not one. The same spelling a routed email's sender gets, so no spelling
    /// of an address gets past its entry.
    /// </summary>
    public static Normalized NormalizeEmail(string raw)
    {
        var trimmed = raw.Trim();
        // Whitespace is named as it was typed (a no-break space, a tab), before NFKC turns it into a space.
        for (var i = 0; i < trimmed.Length; i += char.IsSurrogatePair(trimmed, i) ? 2 : 1)
        {
            if (Rune.TryGetRuneAt(trimmed, i, out var rune) && !CanonicalText.IsInvisible(rune)
                && (Rune.IsWhiteSpace(rune) || Rune.IsControl(rune) || rune.Value == CanonicalText.ReplacementCharacter))
            {
                var part = i < trimmed.LastIndexOf('@') ? "name part" : "domain";
                return Normalized.Fail($"email's {part} contains {CanonicalText.Describe(rune)}");
            }
        }

        var text = CanonicalText.Clean(trimmed);
        var at = text.LastIndexOf('@');
        if (at < 0)
        {
            return Normalized.Fail("an email address needs an @");
        }

        var local = text[..at];
        var domainPart = text[(at + 1)..];

        if (local.Length == 0 && domainPart.StartsWith('*'))
        {
            return NormalizeDomainTree(domainPart);
        }

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

        if (local.Length > MaxLocalPartLength)
        {
            return Normalized.Fail($"email's name part is {local.Length} characters; at most {MaxLocalPartLength} are allowed");
        }

        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return Normalized.Fail("email's name part cannot start or end with a dot or have two dots in a row");
        }

        foreach (var rune in local.EnumerateRunes())
        {
            if (rune.Value is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return Normalized.Fail($"email's name part contains {CanonicalText.Describe(rune)}");
            }
        }

        if (!local.EnumerateRunes().Any(Rune.IsLetterOrDigit))
        {
            // Such as the export's formula guard copied alone ("'") or "-": no mailbox is named that way.
            return Normalized.Fail($"email's name part \"{local}\" has no letters or digits");
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

    /// <summary>
    /// <c>@*.example.com</c> (X8): the domain and all its subdomains, stored as <c>@*.</c> and the
    /// domain's canonical form. The domain needs a dot (<c>@*.com</c> would block a whole top-level
    /// domain, which is refused as X3 refuses <c>@com</c>) and at most <see cref="MaxTreeLabels"/> labels.
    /// </summary>
    private static Normalized NormalizeDomainTree(string domainPart)
    {
        if (!domainPart.StartsWith("*.", StringComparison.Ordinal))
        {
            return Normalized.Fail("a subdomain tree is written @*. and a domain, like @*.example.com");
        }

        var domain = NormalizeDomain(domainPart[2..]);
        if (domain is null)
        {
            return Normalized.Fail("a subdomain tree needs a domain after @*., like @*.example.com");
        }

        if (domain.Value.Error is { } error)
        {
            return Normalized.Fail(error.StartsWith("email domain must contain a dot", StringComparison.Ordinal)
                ? "a subdomain tree needs a domain with a dot, like @*.example.com, not a whole top-level domain"
                : error);
        }

        return domain.Value.Ascii.Count(c => c == '.') + 1 > MaxTreeLabels
            ? Normalized.Fail($"a subdomain tree's domain has at most {MaxTreeLabels} parts between dots")
            : Normalized.Ok(EntryType.EmailDomainTree, "@*." + domain.Value.Ascii);
    }

    /// <summary>
    /// The <c>+</c> and the digits of cleaned text in international format (X2, X7): other scripts'
    /// digits as ASCII, <c>00</c> read as <c>+</c>, separators dropped; or the reason it is not one.
    /// </summary>
    private static (string? Digits, string? Error) InternationalDigits(string text, string what)
    {
        if (CanonicalText.HasReplacementCharacter(text))
        {
            return (null, $"{what} contains {CanonicalText.Describe(new Rune(CanonicalText.ReplacementCharacter))}");
        }

        // Digits of every script read as ASCII first, so the 00 prefix is found in any of them.
        var folded = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            _ = CanonicalText.AsciiDigit(rune) is { } digit ? folded.Append(digit) : folded.Append(rune.ToString());
        }

        text = folded.ToString();
        if (text.StartsWith("00", StringComparison.Ordinal))
        {
            // The international call prefix is the written '+' (X2).
            text = "+" + text[2..];
        }

        if (!text.StartsWith('+'))
        {
            return (null, $"{what} must start with + and a country code (international format)");
        }

        var digits = new StringBuilder("+", text.Length);
        for (var i = 1; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1)
        {
            var rune = Rune.GetRuneAt(text, i);
            if (rune.Value is >= '0' and <= '9')
            {
                digits.Append((char)rune.Value);
            }
            else if (!CanonicalText.IsPhoneSeparator(rune))
            {
                return (null, $"{what} contains {CanonicalText.Describe(rune)}; only digits, spaces, dots, dashes and parentheses are allowed");
            }
        }

        return digits.Length == 1 ? (null, $"{what} has no digits after the +") : (digits.ToString(), null);
    }

    private static (string Ascii, string? Error)? NormalizeDomain(string domain)
    {
        // The ideographic full stop separates labels as a dot does (IDNA); a trailing dot names the DNS
        // root and the same domain (X7): "example.com." is "example.com".
        domain = domain.Replace('\u3002', '.');
        if (domain.Length > 1 && domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        if (domain.Length == 0)
        {
            return null;
        }

        // Only the one root dot goes: "example.com.." has an empty label, which IdnMapping lets through at the end.
        if (domain[^1] == '.' || domain[0] == '.')
        {
            return ("", "email domain has an empty part between dots, like example..com");
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
}
