using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

public class SpreadsheetSafeTextTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+14155552671", "'+14155552671")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "'\rcmd")]
    [InlineData("'quoted", "''quoted")]
    [InlineData("plain text", "plain text")]
    [InlineData("", "")]
    public void I6_a_cell_that_could_run_as_a_formula_gets_a_leading_quote(string text, string expected) =>
        Assert.Equal(expected, SpreadsheetSafeText.Escape(text));

    [Theory]
    [InlineData("=1+2")]
    [InlineData("'already quoted")]
    [InlineData("''twice")]
    [InlineData("plain")]
    [InlineData("@example.com")]
    public void I6_escape_then_unescape_gives_the_text_back(string text) =>
        Assert.Equal(text, SpreadsheetSafeText.Unescape(SpreadsheetSafeText.Escape(text)));
}
