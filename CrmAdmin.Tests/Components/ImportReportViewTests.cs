using Bunit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Tests.Components;

public class ImportReportViewTests : MudTestContext
{
    private static ImportReport ReportOf(string text, params string[] alreadyListed)
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        foreach (var line in ImportLineParser.Parse(text).Where(screen.Admit))
        {
            report.Record(line, alreadyListed.Contains(line.Point!.Value.Value) ? ImportLineStatus.AlreadyListed : ImportLineStatus.Added);
        }

        return report;
    }

    [Fact]
    public void Shows_the_count_of_every_status()
    {
        var report = ReportOf("+14155550100\nbad\n+14155550100\nsales@example.com\n@example.org", "sales@example.com");

        var view = Render<ImportReportView>(p => p.Add(c => c.Report, report));

        Assert.Equal("2 added", view.Find("[data-count=added]").TextContent.Trim());
        Assert.Equal("1 already listed", view.Find("[data-count=already-listed]").TextContent.Trim());
        Assert.Equal("1 duplicate in input", view.Find("[data-count=duplicate]").TextContent.Trim());
        Assert.Equal("1 invalid", view.Find("[data-count=invalid]").TextContent.Trim());
        Assert.Equal("5 lines read", view.Find("[data-count=lines]").TextContent.Trim());
    }

    [Fact]
    public void I12_a_report_with_more_problem_lines_than_it_lists_says_how_many_more_the_download_has()
    {
        var report = new ImportReport(maxInlineProblems: 2);
        var screen = new ImportScreen(report);
        foreach (var line in ImportLineParser.Parse("bad 1\nbad 2\nbad 3\nbad 4\nbad 5").Where(screen.Admit))
        {
            report.Record(line, ImportLineStatus.Added);
        }

        var view = Render<ImportReportView>(p => p.Add(c => c.Report, report));

        Assert.Equal("5 invalid", view.Find("[data-count=invalid]").TextContent.Trim());
        Assert.Equal(2, view.FindAll("table[aria-label='Lines that were not added'] tbody tr").Count);
        Assert.Contains("The first 2 lines that were not added are listed below, and 3 more", view.Find("[data-testid=more-problems]").TextContent);
    }

    [Fact]
    public void I8_a_skipped_header_row_is_said_and_a_report_without_one_says_nothing_of_it()
    {
        var skipped = ReportOf("+14155550100");
        skipped.SkippedHeader = new ImportHeader(1, "Telefon;Kommentar");

        Assert.Equal("Header skipped: line 1, Telefon;Kommentar", Render<ImportReportView>(p => p.Add(c => c.Report, skipped)).Find("[data-testid=header-skipped]").TextContent.Trim());
        Assert.Empty(Render<ImportReportView>(p => p.Add(c => c.Report, ReportOf("+14155550100"))).FindAll("[data-testid=header-skipped]"));
    }

    [Fact]
    public void I7_the_code_page_an_upload_was_read_as_is_named_and_a_utf8_import_names_none()
    {
        var assumed = new ImportReport { AssumedEncoding = "windows-1251 (Cyrillic (Windows))" };
        Assert.Contains("read as windows-1251 (Cyrillic (Windows))", Render<ImportReportView>(p => p.Add(c => c.Report, assumed)).Find("[data-testid=assumed-encoding]").TextContent);

        Assert.Empty(Render<ImportReportView>(p => p.Add(c => c.Report, ReportOf("+14155550100"))).FindAll("[data-testid=assumed-encoding]"));
        Assert.Empty(Render<ImportReportView>(p => p.Add(c => c.Report, ReportOf("+14155550100"))).FindAll("[data-testid=more-problems]"));
    }

    [Fact]
    public void A_long_reason_wraps_whole_and_a_long_input_takes_two_lines_with_the_rest_in_its_title()
    {
        var view = Render<ImportReportView>(p => p.Add(c => c.Report, ReportOf("4155550100;no plus")));

        // How they read at each width is the browser tests' (PageCatalog, ExceptionListFlowTests); here, which rule each follows.
        var reason = view.Find("[data-testid=problem-reason]");
        Assert.Contains("crm-cell-wrap", reason.ClassName);
        Assert.DoesNotContain("crm-cell-text", reason.ClassName);
        var input = view.Find("td [title='4155550100;no plus']");
        Assert.Contains("crm-cell-clamp", input.ClassName);
    }

    [Fact]
    public void Lists_each_line_that_was_not_added_with_its_number_status_and_reason()
    {
        var report = ReportOf("+14155550100\n4155550100;no plus\n+1 415 555 0100", "none");

        var view = Render<ImportReportView>(p => p.Add(c => c.Report, report));

        var rows = view.FindAll("table[aria-label='Lines that were not added'] tbody tr").Select(r => r.TextContent).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("2", rows[0]);
        Assert.Contains("Invalid", rows[0]);
        Assert.Contains("4155550100;no plus", rows[0]);
        Assert.Contains("must start with + and a country code", rows[0]);
        Assert.Contains("Duplicate in input", rows[1]);
        Assert.Contains("repeats line 1", rows[1]);
    }

    [Fact]
    public void Offers_to_keep_the_lines_to_fix_and_to_download_only_when_there_are_problems()
    {
        var keep = 0;
        var download = 0;
        var view = Render<ImportReportView>(p => p
            .Add(c => c.Report, ReportOf("bad\n+14155550100"))
            .Add(c => c.OnKeepLinesToFix, () => keep++)
            .Add(c => c.OnDownload, () => download++));

        view.FindAll("button").Single(b => b.TextContent.Contains("Keep only the line not added")).Click();
        view.FindAll("button").Single(b => b.TextContent.Contains("Download report")).Click();

        Assert.Equal((1, 1), (keep, download));
        var clean = Render<ImportReportView>(p => p.Add(c => c.Report, ReportOf("+14155550100")));
        Assert.Contains("Every line was added", clean.Markup);
        Assert.DoesNotContain(clean.FindAll("button"), b => b.TextContent.Contains("Keep only"));
    }
}
