using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

public class ContactPointNormalizerTests
{
    [Theory]
    [InlineData("+14155552671", "+14155552671")]
    [InlineData("+1 415 555 2671", "+14155552671")]
    [InlineData("+1 (415) 555-2671", "+14155552671")]
    [InlineData("+1.415.555.2671", "+14155552671")]
    [InlineData("  +1-415-555-2671  ", "+14155552671")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("+49 30 901820", "+4930901820")]
    public void X2_international_phones_in_any_allowed_spelling_become_E164(string input, string expected)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Error);
        Assert.Equal(new ContactPoint(EntryType.Phone, expected), result.Point);
    }

    [Theory]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData("001 415 555 2671", "+14155552671")]
    public void X2_the_00_international_prefix_reads_as_plus(string input, string expected) =>
        Assert.Equal(expected, ContactPointNormalizer.Normalize(input).Point?.Value);

    [Theory]
    [InlineData("4155552671", "must start with + and a country code")]
    [InlineData("(415) 555-2671", "must start with + and a country code")]
    [InlineData("020 7946 0958", "must start with + and a country code")]
    public void X2_a_phone_without_plus_or_00_is_refused_not_guessed(string input, string reason) =>
        Assert.Contains(reason, ContactPointNormalizer.Normalize(input).Error);

    [Theory]
    [InlineData("sales at example.com")]
    [InlineData("example.com")]
    [InlineData("hello")]
    [InlineData("-")]
    [InlineData("Иван")]
    public void A_value_with_neither_an_at_nor_a_digit_is_refused_as_neither_kind_not_with_a_phones_reason(string input)
    {
        var error = ContactPointNormalizer.Normalize(input).Error;

        Assert.Equal(ContactPointNormalizer.NeitherPhoneNorEmail, error);
        Assert.DoesNotContain("must start with", error);
    }

    [Theory]
    [InlineData("+1 800 FLOWERS", "letter 'F'")]
    [InlineData("+1 415 555 2671 ext 5", "letter 'e'")]
    [InlineData("+1 415 555/2671", "'/'")]
    public void X2_letters_and_other_characters_in_a_phone_are_refused(string input, string reason)
    {
        var result = ContactPointNormalizer.Normalize(input);

        Assert.Null(result.Point);
        Assert.Contains(reason, result.Error);
    }

    [Theory]
    [InlineData("+1 415", "too few digits")]
    [InlineData("+1 415 555 2671 1234 567", "too")]
    [InlineData("+999 123 456 789", "no known country code")]
    [InlineData("+", "no digits")]
    [InlineData("+1", "too short to be a number")]
    [InlineData("+44", "too short to be a number")]
    public void X2_a_number_that_is_not_possible_for_its_country_is_refused(string input, string reason) =>
        Assert.Contains(reason, ContactPointNormalizer.Normalize(input).Error);

    [Theory]
    [InlineData("Sales@Example.COM", "sales@example.com")]
    [InlineData("  john.doe+crm@example.co.uk ", "john.doe+crm@example.co.uk")]
    public void X3_emails_are_trimmed_and_lower_cased(string input, string expected) =>
        Assert.Equal(new ContactPoint(EntryType.Email, expected), ContactPointNormalizer.Normalize(input).Point);

    [Theory]
    [InlineData("info@bücher.de", "info@xn--bcher-kva.de")]
    [InlineData("Info@BÜCHER.de", "info@xn--bcher-kva.de")]
    [InlineData("post@пример.рф", "post@xn--e1afmkfd.xn--p1ai")]
    public void X3_an_internationalized_domain_is_stored_as_punycode(string input, string expected) =>
        Assert.Equal(expected, ContactPointNormalizer.Normalize(input).Point?.Value);

    [Theory]
    [InlineData("@@example.com", "more than one @")]
    [InlineData("user@", "no domain after the @")]
    [InlineData("user@localhost", "must contain a dot")]
    [InlineData("a@b@example.com", "more than one @")]
    [InlineData("john doe@example.com", "name part contains a space")]
    [InlineData(".john@example.com", "dot")]
    [InlineData("john..doe@example.com", "dot")]
    [InlineData("john@exa mple.com", "domain contains a space")]
    [InlineData("john@example..com", "not a valid email domain")]
    public void X3_an_address_needs_a_name_and_a_domain_with_a_dot(string input, string reason)
    {
        var result = ContactPointNormalizer.Normalize(input);
        Assert.Null(result.Point);
        Assert.Contains(reason, result.Error);
    }

    [Theory]
    [InlineData("@example.com", "@example.com")]
    [InlineData(" @Example.COM ", "@example.com")]
    [InlineData("@bücher.de", "@xn--bcher-kva.de")]
    public void X4_a_bare_domain_with_a_leading_at_is_an_email_domain_entry(string input, string expected) =>
        Assert.Equal(new ContactPoint(EntryType.EmailDomain, expected), ContactPointNormalizer.Normalize(input).Point);

    [Theory]
    [InlineData("@")]
    [InlineData("@localhost")]
    public void X4_a_domain_entry_still_needs_a_domain_with_a_dot(string input) =>
        Assert.Null(ContactPointNormalizer.Normalize(input).Point);

    [Fact]
    public void X1_two_spellings_of_one_number_are_one_contact_point() =>
        Assert.Equal(ContactPointNormalizer.Normalize("+1 (415) 555-2671").Point, ContactPointNormalizer.Normalize("0014155552671").Point);

    [Fact]
    public void An_empty_value_is_refused() =>
        Assert.Equal("the value is empty", ContactPointNormalizer.Normalize("   ").Error);
}
