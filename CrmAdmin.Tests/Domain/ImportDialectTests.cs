using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

/// <summary>
/// I8, I9: the spreadsheet dialects people paste and upload (issue 14, cases 3–5), each as a decision
/// table of input → (line, stored value, comment, reason).
/// </summary>
public class ImportDialectTests
{
    public sealed record Expected(int Line, string? Value, string? Comment, string? Error = null);

    private static void AssertLines(string input, params Expected[] expected)
    {
        var lines = ImportLineParser.Parse(input).ToList();

        Assert.Equal(expected.Select(e => (e.Line, e.Value, e.Comment)), lines.Select(l => (l.LineNumber, l.Point?.Value, l.Comment)));
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].Error is { } reason)
            {
                Assert.Contains(reason, lines[i].Error);
            }
            else
            {
                Assert.Null(lines[i].Error);
            }
        }
    }

    public static TheoryData<string, Expected[]> QuotedComments => new()
    {
        // The Excel file: ';', doubled quotes and a line break inside quotes.
        {
            "+14155550121;\"supplier; do not call\"\r\n+14155550122;\"said \"\"stop calling\"\"\"\r\n+14155550123;\"first line\nsecond line\"\r\n",
            [new(1, "+14155550121", "supplier; do not call"), new(2, "+14155550122", "said \"stop calling\""), new(3, "+14155550123", "first line\nsecond line")]
        },
        // A CRLF inside quotes, then a line whose number is the physical line where its value starts.
        {
            "a@example.com;\"one\r\ntwo\r\nthree\"\r\nb@example.com;after",
            [new(1, "a@example.com", "one\r\ntwo\r\nthree"), new(4, "b@example.com", "after")]
        },
        // Quotes and semicolons inside a quoted comment with a lone CR line ending around it.
        {
            "+14155550124;\"a;b;\"\"c\"\"\"\r+14155550125;plain",
            [new(1, "+14155550124", "a;b;\"c\""), new(2, "+14155550125", "plain")]
        },
        // Quotes that do not open the comment are text, as I1 reads them.
        {
            "+14155550126;he said \"stop\"\n+14155550127;\"stop\" he said\n+14155550128;a;\"b\";c",
            [new(1, "+14155550126", "he said \"stop\""), new(2, "+14155550127", "\"stop\" he said"), new(3, "+14155550128", "a;\"b\";c")]
        },
        // A quoted value works too.
        {
            "\"+1 415 555 0129\";\"quoted both\"",
            [new(1, "+14155550129", "quoted both")]
        },
    };

    [Theory]
    [MemberData(nameof(QuotedComments))]
    public void I8_a_comment_that_starts_with_a_quote_follows_RFC_4180(string input, Expected[] expected) => AssertLines(input, expected);

    public static TheoryData<string, Expected[]> TabSeparated => new()
    {
        // The two columns copied from a spreadsheet.
        {
            "+1 415 555 0124\tcold-call robot\nrobot@example.com\tnewsletter",
            [new(1, "+14155550124", "cold-call robot"), new(2, "robot@example.com", "newsletter")]
        },
        // A spreadsheet quotes a multi-line cell in its tab-separated copy.
        {
            "+1 415 555 0130\t\"line one\nline two\"\n@example.net\tdomain",
            [new(1, "+14155550130", "line one\nline two"), new(3, "@example.net", "domain")]
        },
        // A ';' line in a tab paste, and a tab line in a ';' paste: each line by its own separator.
        {
            "+1 415 555 0131\tfirst\n+1 415 555 0132;second\tpart",
            [new(1, "+14155550131", "first"), new(2, "+14155550132", "second\tpart")]
        },
        {
            "+1 415 555 0133;first\n+1 415 555 0134\tsecond",
            [new(1, "+14155550133", "first"), new(2, "+14155550134", "second")]
        },
        // A value with no comment and a trailing tab.
        {
            "+1 415 555 0135\t\n",
            [new(1, "+14155550135", null)]
        },
    };

    [Theory]
    [MemberData(nameof(TabSeparated))]
    public void I8_a_line_with_a_tab_and_no_semicolon_is_split_at_the_tab(string input, Expected[] expected) => AssertLines(input, expected);

    private const string Row1 = "Phone{0}'+14155550140{0}\"spam{0} robot\"{0}Settings{0}2026-01-01T00:00:00Z{0}admin";
    private const string Row2 = "EmailDomain{0}'@example.org{0}'=SUM(A1){0}Api{0}2026-01-01T00:00:00Z{0}'@bot";

    private static string Export(string separator, string? sepLine = null, string newline = "\r\n") =>
        (sepLine is null ? "" : sepLine + newline) +
        string.Join(separator, ImportLineParser.ExportColumns) + newline +
        string.Format(Row1, separator) + newline + string.Format(Row2, separator) + newline;

    public static TheoryData<string, int> ExportDialects => new()
    {
        { Export(","), 2 },
        { Export(";"), 2 },
        { Export("\t"), 2 },
        { "\uFEFF" + Export(";"), 2 },
        { Export(";", "sep=;"), 3 },
        { Export(",", "sep=,"), 3 },
        { Export("\t", "sep=\t"), 3 },
        { Export(";", "SEP=;", "\n"), 3 },
        { "\r\n\r\n" + Export(";"), 4 },
        { Export(",").Replace("type,value,comment,source,createdAt,createdBy", "Type,Value,Comment,Source,CreatedAt,CreatedBy"), 2 },
        { Export(";").Replace("type;value;comment;source;createdAt;createdBy", "\"type\";\"value\";\"comment\";\"source\";\"createdAt\";\"createdBy\""), 2 },
    };

    [Theory]
    [MemberData(nameof(ExportDialects))]
    public void I8_the_export_re_saved_with_another_separator_or_a_sep_line_is_read_as_the_export(string input, int firstDataLine) =>
        AssertLines(input,
            new(firstDataLine, "+14155550140", "spam{0} robot".Replace("{0}", Separator(input))),
            new(firstDataLine + 1, "@example.org", "=SUM(A1)"));

    private static string Separator(string input) =>
        input.Contains("type\tvalue") || input.Contains("sep=\t") ? "\t" : input.Contains("type;value") || input.Contains("\"type\";") ? ";" : ",";

    [Fact]
    public void I8_a_sep_line_before_value_comment_lines_is_not_data() =>
        AssertLines("sep=;\n+1 415 555 0150;after the hint", new Expected(2, "+14155550150", "after the hint"));

    public static TheoryData<string, string, string?> FormulaGuard => new()
    {
        // I9: cells copied from the exported sheet, on every dialect.
        { "'+14155550100;spam robot", "+14155550100", "spam robot" },
        { "'@newsletters.example.com;all newsletters", "@newsletters.example.com", "all newsletters" },
        { "'+14155550100\tspam robot", "+14155550100", "spam robot" },
        { "  '+1 415 555 0100  ;x", "+14155550100", "x" },
        { "'spam@example.com.", "spam@example.com", null },
        { "\"'+14155550100\";\"quoted\"", "+14155550100", "quoted" },
    };

    [Theory]
    [MemberData(nameof(FormulaGuard))]
    public void I9_one_leading_apostrophe_is_removed_from_a_value(string input, string value, string? comment) =>
        AssertLines(input, new Expected(1, value, comment));

    [Fact]
    public void I9_only_one_apostrophe_is_removed_so_a_bare_guard_is_not_an_email_named_apostrophe() =>
        AssertLines("''@example.com;two guards", new Expected(1, null, "two guards", "no letters or digits"));

    [Fact]
    public void I8_a_quote_that_is_never_closed_refuses_the_whole_input_naming_its_line()
    {
        var refused = Assert.Throws<ImportFormatException>(() =>
            ImportLineParser.Parse("+14155550160;fine\n+14155550161;\"never closed\n+14155550162;swallowed").ToList());

        Assert.Equal(2, refused.Line);
        Assert.Contains("Line 2", refused.Message);
        Assert.Contains("never closed", refused.Message);
    }

    [Theory]
    [InlineData("+14155550170;spam \uFFFD\uFFFD")]
    [InlineData("+14155550170;\"\uFFFD\"")]
    public void X7_a_comment_with_a_character_lost_in_decoding_is_invalid_never_stored(string input)
    {
        var line = Assert.Single(ImportLineParser.Parse(input));

        Assert.Null(line.Point);
        Assert.Contains("U+FFFD replacement character", line.Error);
    }

    public static TheoryData<string, int?, Expected[]> HeaderRows => new()
    {
        // The files: column names above values, in ',', ';' and tab dialects; a ',' header makes ',' the separator.
        { "phone,note\n+1 415 555 0180,spam robot\n+1 415 555 0181,second", 1, [new(2, "+14155550180", "spam robot"), new(3, "+14155550181", "second")] },
        { "Telefon;Kommentar\r\n+49 30 901820;Werbung", 1, [new(2, "+4930901820", "Werbung")] },
        { "E-mail address\tNote\nsales@example.com\tsupplier", 1, [new(2, "sales@example.com", "supplier")] },
        { "\uFEFF\"Phone\",\"Comment\"\n\"+1 415 555 0182\",\"quoted, with comma\"", 1, [new(2, "+14155550182", "quoted, with comma")] },
        // One column's name, blank lines around it, a sep= hint, a first value that is invalid but a later one valid.
        { "\n\nPhone number\n\n+1 415 555 0183", 3, [new(5, "+14155550183", null)] },
        { "sep=;\nTelefon Nr.;Bemerkung\n+1 415 555 0184;x", 2, [new(3, "+14155550184", "x")] },
        { "телефон;комментарий\nnot a phone;typo\n+1 415 555 0185;ok", 1, [new(2, null, "typo"), new(3, "+14155550185", "ok")] },
        // The export's own header is reported as skipped too.
        { "type,value,comment\nPhone,+14155550186,x", 1, [new(2, "+14155550186", "x")] },
        // Never a header: a valid first line; column-like text with nothing valid below; a domain or an email typed
        // wrong; a number; a lone line.
        { "+1 415 555 0187;phone\n+1 415 555 0188;note", null, [new(1, "+14155550187", "phone"), new(2, "+14155550188", "note")] },
        { "phone,note\nnot a number,either", null, [new(1, null, null), new(2, null, null)] },
        { "example.com;partner\n+1 415 555 0189", null, [new(1, null, "partner"), new(2, "+14155550189", null)] },
        { "sales at example.com;x\n+1 415 555 0190", null, [new(1, null, "x"), new(2, "+14155550190", null)] },
        { "4155550191;no plus\n+1 415 555 0192", null, [new(1, null, "no plus"), new(2, "+14155550192", null)] },
        { "phone", null, [new(1, null, null)] },
        { "foo\n+1 415 555 0194", null, [new(1, null, null), new(2, "+14155550194", null)] },
        { "John Smith;customer\n+1 415 555 0195", null, [new(1, null, "customer"), new(2, "+14155550195", null)] },
    };

    [Theory]
    [MemberData(nameof(HeaderRows))]
    public void I8_a_first_row_of_column_names_above_values_is_a_skipped_header_never_a_real_first_line(string input, int? headerLine, Expected[] expected)
    {
        ImportHeader? header = null;
        var lines = ImportLineParser.Parse(input, onHeader: h => header = h).ToList();

        Assert.Equal(headerLine, header?.Line);
        Assert.Equal(expected.Select(e => (e.Line, e.Value, e.Comment)), lines.Select(l => (l.LineNumber, l.Point?.Value, l.Comment)));
        for (var i = 0; i < expected.Length; i++)
        {
            if (expected[i].Error is { } reason)
            {
                Assert.Contains(reason, lines[i].Error);
            }
        }
    }

    [Fact]
    public void I8_the_skipped_header_is_reported_as_the_person_saw_it()
    {
        ImportHeader? header = null;
        _ = ImportLineParser.Parse("\uFEFFTelefon;Kommentar\r\n+49 30 901820;Werbung", onHeader: h => header = h).ToList();

        Assert.Equal(new ImportHeader(1, "Telefon;Kommentar"), header);
        Assert.Equal("Header skipped: line 1, Telefon;Kommentar", ImportReport.HeaderSkipped(header!));
    }
}
