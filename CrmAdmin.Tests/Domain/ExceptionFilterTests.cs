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
}
