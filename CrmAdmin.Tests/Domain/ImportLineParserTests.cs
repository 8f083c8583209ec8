using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

public class ImportLineParserTests
{
    private static List<ImportLine> Parse(string text) => ImportLineParser.Parse(text).ToList();

    [Fact]
    public void I1_value_and_comment_are_split_at_the_first_semicolon()
    {
        var line = Assert.Single(Parse("+14155552671;spam robot"));

        Assert.Equal(new ContactPoint(EntryType.Phone, "+14155552671"), line.Point);
        Assert.Equal("spam robot", line.Comment);
    }

    [Fact]
    public void I1_further_semicolons_belong_to_the_comment()
    {
        var line = Assert.Single(Parse("sales@example.com;supplier; call first; then email"));

        Assert.Equal("supplier; call first; then email", line.Comment);
    }

    [Fact]
    public void I1_a_line_without_semicolon_has_no_comment() =>
        Assert.Null(Assert.Single(Parse("+14155552671")).Comment);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void I1_LF_CRLF_and_a_lone_CR_all_end_lines(string newline)
    {
        var lines = Parse(string.Join(newline, "+14155552671;a", "sales@example.com;b", "@example.org;c"));

        Assert.Equal([1, 2, 3], lines.Select(l => l.LineNumber));
        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal(["a", "b", "c"], lines.Select(l => l.Comment));
    }

    [Fact]
    public void I1_mixed_line_endings_in_one_paste_are_all_honoured() =>
        Assert.Equal(4, Parse("+14155552671\r\n+14155552672\r+14155552673\n+14155552674").Count);

    [Fact]
    public void I1_a_utf8_byte_order_mark_is_ignored()
    {
        var line = Assert.Single(Parse("\uFEFF+14155552671;x"));

        Assert.Equal("+14155552671", line.Point?.Value);
        Assert.Equal("+14155552671;x", line.Input);
    }

    [Fact]
    public void I1_blank_lines_are_skipped_but_line_numbers_stay_those_of_the_input()
    {
        var lines = Parse("\n+14155552671\n   \n\t\nsales@example.com\n\n");

        Assert.Equal([2, 5], lines.Select(l => l.LineNumber));
    }

    [Fact]
    public void I1_comment_is_trimmed_and_an_empty_comment_is_none()
    {
        Assert.Equal("spam", Parse("+14155552671 ;  spam  ")[0].Comment);
        Assert.Null(Parse("+14155552671;   ")[0].Comment);
    }

    [Fact]
    public void I2_an_invalid_line_keeps_its_input_and_a_reason()
    {
        var line = Assert.Single(Parse("4155552671;no plus"));

        Assert.Null(line.Point);
        Assert.Equal("4155552671;no plus", line.Input);
        Assert.Contains("must start with + and a country code", line.Error);
    }

    [Fact]
    public void I2_a_comment_over_500_characters_is_invalid_not_cut()
    {
        var line = Assert.Single(Parse("+14155552671;" + new string('x', 501)));

        Assert.Null(line.Point);
        Assert.Contains("501 characters", line.Error);
        Assert.Null(Assert.Single(Parse("+14155552671;" + new string('x', 500))).Error);
    }

    [Fact]
    public void I2_a_line_with_only_a_comment_is_invalid() =>
        Assert.Equal("the value is empty", Assert.Single(Parse(";just a comment")).Error);

    [Fact]
    public void I5_I6_a_file_starting_with_the_export_header_is_read_as_the_exported_csv()
    {
        var csv = "\uFEFFtype,value,comment,source,createdAt,createdBy\r\n" +
                  "Phone,'+14155552671,\"spam, robot\",Settings,2026-01-01T00:00:00Z,admin\r\n" +
                  "Email,sales@example.com,'=HYPERLINK(\"x\"),Api,2026-01-01T00:00:00Z,'@bot\r\n" +
                  "EmailDomain,'@example.org,,Settings,2026-01-01T00:00:00Z,admin\r\n";

        var lines = Parse(csv);

        Assert.Equal([2, 3, 4], lines.Select(l => l.LineNumber));
        Assert.Equal(["+14155552671", "sales@example.com", "@example.org"], lines.Select(l => l.Point?.Value));
        Assert.Equal(["spam, robot", "=HYPERLINK(\"x\")", null], lines.Select(l => l.Comment));
    }

    [Fact]
    public void I5_a_broken_csv_record_is_reported_on_its_own_line()
    {
        var lines = Parse("type,value,comment,source,createdAt,createdBy\nPhone\nPhone,+14155552671,ok,Api,x,y\n");

        Assert.Contains("expected the export's columns", lines[0].Error);
        Assert.Equal(2, lines[0].LineNumber);
        Assert.Equal("+14155552671", lines[1].Point?.Value);
    }

    [Fact]
    public void A_header_like_line_after_the_first_is_an_ordinary_invalid_line() =>
        Assert.Equal(2, Parse("+14155552671\ntype,value,comment,source,createdAt,createdBy").Count);
}
