using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

public class ExceptionFilterTests
{
    [Theory]
    [InlineData("415 555", "415555")]
    [InlineData("(415) 555-01", "41555501")]
    [InlineData("+1", "1")]
    [InlineData("spam", null)]
    [InlineData("  ", null)]
    public void X5_a_value_query_is_matched_against_phones_by_its_digits(string query, string? digits) =>
        Assert.Equal(digits, new ExceptionFilter(Value: query).ValueDigits);

    [Fact]
    public void X5_comment_and_value_queries_are_folded_for_case_insensitive_matching()
    {
        var filter = new ExceptionFilter(Comment: "  Spam ROBOT ", Value: " Example.COM ");

        Assert.Equal("spam robot", filter.FoldedComment);
        Assert.Equal("example.com", filter.FoldedValue);
    }

    [Theory]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("Bücher.Example.", "xn--bcher-kva.example")]
    [InlineData("bücher", "xn--bcher-kva")]
    [InlineData("пример", "xn--e1afmkfd")]
    [InlineData("пример.рф", "xn--e1afmkfd.xn--p1ai")]
    [InlineData("mail.пример.рф", "mail.xn--e1afmkfd.xn--p1ai")]
    [InlineData("пример\u3002рф", "xn--e1afmkfd.xn--p1ai")]
    [InlineData("@bücher.example", "@xn--bcher-kva.example")]
    [InlineData("@*.bücher.example", "@*.xn--bcher-kva.example")]
    [InlineData("kontakt@bücher.example", "kontakt@xn--bcher-kva.example")]
    [InlineData("kontakt@bücher", "kontakt@xn--bcher-kva")]
    [InlineData("@bücher", "@xn--bcher-kva")]
    [InlineData("почта@", "почта@")]
    [InlineData("почта@пример", "почта@xn--e1afmkfd")]
    [InlineData("example.com", "example.com")]
    [InlineData("info2", "info2")]
    public void X3_X5_a_value_query_spells_each_whole_unicode_domain_label_as_stored(string query, string folded) =>
        Assert.Equal(folded, new ExceptionFilter(Value: query).FoldedValue);

    [Fact]
    public void X5_part_of_a_unicode_label_has_no_punycode_substring_so_it_cannot_find_the_stored_domain() =>
        Assert.DoesNotContain(new ExceptionFilter(Value: "büch").FoldedValue!, "@xn--bcher-kva.example", StringComparison.Ordinal);

    [Theory]
    [InlineData("Почта", "почта")]
    [InlineData("bücher.example.", "bücher.example")]
    [InlineData("почта@", null)]
    [InlineData("example.com", null)]
    [InlineData("415 555", null)]
    public void X5_a_unicode_query_without_an_at_keeps_its_written_spelling_for_the_name_part_stored_as_written(string query, string? written) =>
        Assert.Equal(written, new ExceptionFilter(Value: query).FoldedValueAsWritten);
}
