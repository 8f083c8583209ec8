using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Tests.Domain;

public class ImportScreenTests
{
    [Fact]
    public void I2_the_same_number_in_two_spellings_is_a_duplicate_of_the_first_line()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);

        var admitted = ImportLineParser.Parse("+1 415 555 2671;first\nsales@example.com\n001 (415) 555-2671;second")
            .Where(screen.Admit).ToList();

        Assert.Equal(["+14155552671", "sales@example.com"], admitted.Select(l => l.Point?.Value));
        var duplicate = Assert.Single(report.Problems);
        Assert.Equal((3, ImportLineStatus.DuplicateInInput), (duplicate.Line, duplicate.Status));
        Assert.Contains("repeats line 1", duplicate.Reason);
    }

    [Fact]
    public void I2_an_email_differing_only_in_case_is_a_duplicate()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);

        _ = ImportLineParser.Parse("Sales@Example.com\nsales@example.COM").Where(screen.Admit).ToList();

        Assert.Equal(1, report.DuplicateInInput);
    }

    [Fact]
    public void I2_invalid_lines_are_counted_with_their_reason_and_never_admitted()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);

        var admitted = ImportLineParser.Parse("foo\n+14155552671").Where(screen.Admit).ToList();

        Assert.Single(admitted);
        Assert.Equal(1, report.Invalid);
        Assert.Equal("foo", report.Problems[0].Input);
    }

    [Fact]
    public void I2_every_line_has_exactly_one_status_and_problems_come_in_line_order()
    {
        var report = new ImportReport();
        var lines = ImportLineParser.Parse("+14155552671\nbad\n+14155552672\n+14155552671").ToList();
        var screen = new ImportScreen(report);
        var listedBefore = new HashSet<string> { "+14155552671" };
        foreach (var line in lines.Where(screen.Admit))
        {
            // As the service does: the list answers for each admitted line as it comes.
            report.Record(line, listedBefore.Contains(line.Point!.Value.Value) ? ImportLineStatus.AlreadyListed : ImportLineStatus.Added);
        }

        Assert.Equal(lines.Count, report.Lines);
        Assert.Equal([1, 2, 4], report.Problems.Select(p => p.Line));
        Assert.Equal((1, 1, 1, 1), (report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid));
    }

    [Fact]
    public void I4_lines_to_fix_are_exactly_the_lines_not_added_in_input_order()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        var listedBefore = new HashSet<string> { "+14155550100" };
        foreach (var line in ImportLineParser.Parse("bad one\n+14155552671;added\n+1 415 555 2671;repeat\n+1 415 555 0100;listed\n4155550100;no plus\nsales@example.com")
                     .Where(screen.Admit))
        {
            report.Record(line, listedBefore.Contains(line.Point!.Value.Value) ? ImportLineStatus.AlreadyListed : ImportLineStatus.Added);
        }

        Assert.Equal((2, 1, 1, 2), (report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid));
        Assert.Equal("bad one\n+1 415 555 2671;repeat\n+1 415 555 0100;listed\n4155550100;no plus", report.LinesToFix());
    }
}
