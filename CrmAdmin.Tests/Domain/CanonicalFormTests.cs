using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

/// <summary>
/// X7: one canonical form for phones and emails however they were pasted (issue 14, cases 2, 3, 6–8):
/// invisible characters, Unicode spaces and dashes, other digit scripts, trailing dots, formula guards.
/// </summary>
public class CanonicalFormTests
{
    [Theory]
    // Bidi marks, embeddings, overrides and isolates (Apple Contacts, RTL systems).
    [InlineData("\u202D+1 (415) 555-0180\u202C", "+14155550180")]
    [InlineData("\u200E+1 415 555 0181", "+14155550181")]
    [InlineData("\u200F+1 415 555 0182\u200F", "+14155550182")]
    [InlineData("\u202A+1 415 555 0183\u202C", "+14155550183")]
    [InlineData("\u2066+1 415 555 0184\u2069", "+14155550184")]
    [InlineData("\u2068+1 415 555 0185\u2069", "+14155550185")]
    [InlineData("\u061C+1 415 555 0186", "+14155550186")]
    // Zero-width characters, soft hyphen, byte order mark, word joiner, variation selector, Hangul filler.
    [InlineData("+1 415\u200B555 0187", "+14155550187")]
    [InlineData("+1\u200C415\u200D555\u20600188", "+14155550188")]
    [InlineData("+1 415 555\u00AD0189", "+14155550189")]
    [InlineData("\uFEFF+1 415 555 0190", "+14155550190")]
    [InlineData("+1 415 555 0191\uFE0F", "+14155550191")]
    [InlineData("+1 415 555 \u31640192", "+14155550192")]
    // Every Unicode dash (Pd) and the minus sign separate groups.
    [InlineData("+1 415\u2013555\u20130190", "+14155550190")]
    [InlineData("+1 415\u2014555\u20140190", "+14155550190")]
    [InlineData("+1 415\u2010555\u20110190", "+14155550190")]
    [InlineData("+1 415\u2012555\u20150190", "+14155550190")]
    [InlineData("+1 415\u2212555\u22120190", "+14155550190")]
    [InlineData("+1 415\uFE63555\uFF0D0190", "+14155550190")]
    [InlineData("+1 415\u2E3A555\u2E3B0190", "+14155550190")]
    // Every Unicode space (Zs) and the tab separate groups.
    [InlineData("+1\u00A0415\u00A0555\u00A00190", "+14155550190")]
    [InlineData("+1\u202F415\u2009555\u20070190", "+14155550190")]
    [InlineData("+1\u3000415\u2002555\u20030190", "+14155550190")]
    [InlineData("+1\t415\t555\t0190", "+14155550190")]
    [InlineData("+1\u205F415\u1680555\u200A0190", "+14155550190")]
    // Full-width (NFKC) and other scripts' digits.
    [InlineData("＋１ ４１５ ５５５ ０１９０", "+14155550190")]
    [InlineData("+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "+971501234567")]
    [InlineData("+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹", "+989123456789")]
    [InlineData("+९१ ९८७६५ ४३२१०", "+919876543210")]
    [InlineData("+৮৮০ ১৭১১ ১২৩৪৫৬", "+8801711123456")]
    [InlineData("٠٠٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "+971501234567")]
    // The export's formula guard is the parser's to remove (I9); the normalizer sees clean phones.
    [InlineData("+1 (415) 555\u20130190", "+14155550190")]
    public void X7_a_phone_pasted_with_invisible_characters_unicode_spaces_dashes_or_digits_is_its_E164_number(string input, string expected)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Error);
        Assert.Equal(new ContactPoint(EntryType.Phone, expected), result.Point);
    }

    [Theory]
    [InlineData("spam@example.com.", EntryType.Email, "spam@example.com")]
    [InlineData("@example.org.", EntryType.EmailDomain, "@example.org")]
    [InlineData("noreply@shop.example.", EntryType.Email, "noreply@shop.example")]
    [InlineData("info@bücher.de.", EntryType.Email, "info@xn--bcher-kva.de")]
    [InlineData("info@example\u3002com", EntryType.Email, "info@example.com")]
    [InlineData("info@example\uFF0Ecom\uFF0E", EntryType.Email, "info@example.com")]
    [InlineData("ｓｐａｍ＠ｅｘａｍｐｌｅ．ｃｏｍ", EntryType.Email, "spam@example.com")]
    [InlineData("\u200Bspam@example.com\u200B", EntryType.Email, "spam@example.com")]
    [InlineData("\u202Dspam@exam\u00ADple.com\u202C", EntryType.Email, "spam@example.com")]
    [InlineData("spam\u2060@example.com", EntryType.Email, "spam@example.com")]
    [InlineData("\uFEFF@Example.ORG.", EntryType.EmailDomain, "@example.org")]
    [InlineData("o'brien@example.com", EntryType.Email, "o'brien@example.com")]
    [InlineData("a@example.com", EntryType.Email, "a@example.com")]
    public void X7_an_address_or_domain_in_any_spelling_is_one_canonical_value(string input, EntryType type, string expected) =>
        Assert.Equal(new ContactPoint(type, expected), ContactPointNormalizer.Normalize(input).Point);

    [Theory]
    [InlineData("'@example.com", "no letters or digits")]
    [InlineData("-@example.com", "no letters or digits")]
    [InlineData("+_+@example.com", "no letters or digits")]
    [InlineData("!#$%@example.com", "no letters or digits")]
    public void An_email_whose_name_part_is_only_punctuation_is_invalid(string input, string reason)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Point);
        Assert.Contains(reason, result.Error);
    }

    [Theory]
    [InlineData("SPAM@EXAMPLE.COM..")]
    [InlineData("foo@bar..")]
    [InlineData("@example.org..")]
    [InlineData("spam@.example.com")]
    [InlineData("spam@example..com")]
    public void X7_only_one_trailing_root_dot_is_dropped_and_an_empty_label_is_invalid(string input)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Point);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void An_email_name_part_is_at_most_64_characters()
    {
        Assert.Equal(EntryType.Email, ContactPointNormalizer.Normalize(new string('a', 64) + "@example.com").Point?.Type);

        var tooLong = ContactPointNormalizer.Normalize(new string('a', 65) + "@example.com");

        Assert.Null(tooLong.Point);
        Assert.Equal("email's name part is 65 characters; at most 64 are allowed", tooLong.Error);
    }

    [Theory]
    [InlineData("+1 415 555\u20280190", "U+2028 line separator")]
    [InlineData("+1 415 555\u20290190", "U+2029 paragraph separator")]
    [InlineData("+1 415 555\u00850190", "a control character (U+0085)")]
    [InlineData("+1 415 555\u00000190", "a NUL character")]
    [InlineData("+1 415 555 \uFFFD190", "U+FFFD replacement character")]
    [InlineData("spam@exa\tmple.com", "email's domain contains a tab")]
    [InlineData("sp am@example.com", "email's name part contains a space")]
    [InlineData("sp\u00A0am@example.com", "email's name part contains a no-break space")]
    [InlineData("spam@exa\u3000mple.com", "email's domain contains an ideographic space")]
    [InlineData("spam@exa\u2028mple.com", "email's domain contains U+2028 line separator")]
    [InlineData("sp\uFFFDm@example.com", "U+FFFD replacement character")]
    [InlineData("+1 415 555 0190 ext 7", "the letter 'e'")]
    public void X7_a_reason_names_an_invisible_or_whitespace_character_in_words(string input, string words)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Point);
        Assert.Contains(words, result.Error);
        Assert.DoesNotMatch(@"[\u0000-\u001F\u007F-\u009F\u00A0\u00AD\u200B-\u200F\u2028-\u202F\u2060\u3000\uFEFF\uFFFD]", result.Error!);
    }

    [Theory]
    [InlineData("\u200B\u200C\u200D\u2060\uFEFF\u00AD")]
    [InlineData("\u202D\u202C")]
    public void A_value_of_only_invisible_characters_is_empty(string input) =>
        Assert.Equal("the value is empty", ContactPointNormalizer.Normalize(input).Error);

    [Theory]
    [InlineData("info2", null, "info2")]
    [InlineData("@example", null, "@example")]
    [InlineData("Info@Example.com.", null, "info@example.com")]
    [InlineData("@Bücher.de.", null, "@xn--bcher-kva.de")]
    [InlineData("example.org.", null, "example.org")]
    [InlineData("x2", null, "x2")]
    [InlineData("415 555", "415555", "415 555")]
    [InlineData("４１５\u2013５５５", "415555", "415\u2013555")]
    [InlineData("٤١٥ ٥٥٥", "415555", "٤١٥ ٥٥٥")]
    [InlineData("\u202D+1 415\u202C", "1415", "+1 415")]
    public void X5_a_value_query_with_an_at_or_a_letter_is_an_email_query_and_never_matches_phone_digits(string query, string? digits, string folded)
    {
        var filter = new ExceptionFilter(Value: query);

        Assert.Equal(digits, filter.ValueDigits);
        Assert.Equal(folded, filter.FoldedValue);
    }
}
