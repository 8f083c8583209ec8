using System.Text;
using Bunit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Tests.Features;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Tests.Components;

/// <summary>
/// Issue 13, item 5: a chosen file is previewed (name, size, lines, first lines, the encoding it is read in)
/// and imported only on Import; the report filters by status; "keep only" keeps exactly the lines not added.
/// </summary>
public sealed class ImportPreviewAndFilterTests : MudTestContext
{
    private const string ModulePath = "./Features/Exceptions/ExceptionImportPanel.razor.js";

    // One line of each status: Added (1, 6), AlreadyListed (2), DuplicateInInput (3, 7), Invalid (4, 5).
    private const string Mix = "+1 415 555 0100;added\n+1 415 555 0199;listed before\n+14155550100;repeat\nnot a number\n4155550100;no plus\nsales@example.com\nSALES@example.com";

    private TestDatabase database = default!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var limits = Options.Create(new ImportLimits());
        AddAuthorization().SetAuthorized("supervisor@test.local").SetPolicies(Policies.ViewExceptions, Policies.EditExceptions);
        Services.AddSingleton<IOptions<ImportLimits>>(limits);
        Services.AddSingleton(sp =>
        {
            var authorizer = new CrmAuthorizer(sp.GetRequiredService<IAuthorizationService>());
            var metrics = new CrmAdmin.Features.Operations.CrmMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            return new ExceptionImportService(database, new CrmAdmin.Data.Sqlite.SqliteExceptionEntryWriters(), authorizer,
                new ImportReportStore(database, authorizer, TimeProvider.System, NullLogger<ImportReportStore>.Instance), limits, TimeProvider.System, metrics,
                new ImportsInProgress(), NullLogger<ExceptionImportService>.Instance);
        });
        JSInterop.SetupModule(ModulePath);
    }

    public override async Task DisposeAsync()
    {
        await database.DisposeAsync();
        await base.DisposeAsync();
    }

    private static ImportReport MixedReport()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        foreach (var line in ImportLineParser.Parse(Mix).Where(screen.Admit))
        {
            report.Record(line, line.Point!.Value.Value == "+14155550199" ? ImportLineStatus.AlreadyListed : ImportLineStatus.Added);
        }

        return report;
    }

    private static List<string> ShownLines(IRenderedComponent<ImportReportView> view) =>
        view.FindAll("table[aria-label='Lines that were not added'] tbody tr").Select(r => r.QuerySelector("td")!.TextContent.Trim()).ToList();

    [Fact]
    public void A_chosen_windows_1252_file_is_previewed_with_its_encoding_and_first_lines_and_nothing_is_imported_until_Import()
    {
        var lines = Enumerable.Range(0, 12).Select(i => $"+33 1 23 45 67 {i:00};démarchage téléphonique {i}, ne pas rappeler").ToList();
        var bytes = Encoding.GetEncoding("windows-1252").GetBytes(string.Join("\r\n", lines) + "\r\n");
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(bytes, "démarchage.csv", contentType: "text/csv"));

        panel.WaitForAssertion(() => panel.Find("[data-testid=file-preview]"));
        Assert.Contains("démarchage.csv", panel.Find("#file-preview-heading").TextContent);
        Assert.Equal($"{bytes.Length} bytes", panel.Find("[data-testid=preview-size]").TextContent);
        Assert.Equal("12", panel.Find("[data-testid=preview-lines]").TextContent);
        Assert.StartsWith("windows-1252", panel.Find("[data-testid=preview-encoding]").TextContent);
        var shown = panel.FindAll("[data-testid=preview-first-lines] li");
        Assert.Equal(ImportPreview.FirstLineCount, shown.Count);
        Assert.Equal(lines[0], shown[0].TextContent);
        Assert.Equal(lines[9], shown[9].TextContent);
        Assert.Empty(panel.FindAll("[data-testid=import-report]"));

        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Import 12 lines").Click();

        panel.WaitForAssertion(() => Assert.Equal("12 added", panel.Find("[data-count=added]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Contains("read as windows-1252", panel.Find("[data-testid=assumed-encoding]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=file-preview]"));
    }

    [Fact]
    public void A_file_with_column_names_above_the_values_is_previewed_and_reported_with_its_header_skipped()
    {
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("phone,note\r\n+1 415 555 0160,robot\r\n+1 415 555 0161,second", "contacts.csv"));

        panel.WaitForAssertion(() => panel.Find("[data-testid=file-preview]"));
        Assert.Equal("Header skipped: line 1, phone,note", panel.Find("[data-testid=preview-header]").TextContent);
        Assert.Equal("2", panel.Find("[data-testid=preview-lines]").TextContent);
        Assert.Equal(["+1 415 555 0160,robot", "+1 415 555 0161,second"], panel.FindAll("[data-testid=preview-first-lines] li").Select(l => l.TextContent));

        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Import 2 lines").Click();

        panel.WaitForAssertion(() => Assert.Equal("2 added", panel.Find("[data-count=added]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal("0 invalid", panel.Find("[data-count=invalid]").TextContent.Trim());
        Assert.Contains("Header skipped: line 1, phone,note", panel.Find("[data-testid=header-skipped]").TextContent);
    }

    [Fact]
    public async Task A_blank_file_cannot_be_imported_and_nothing_is_recorded()
    {
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("\r\n   \r\n\t\r\n", "blank.csv"));

        panel.WaitForAssertion(() => panel.Find("[data-testid=file-preview]"));
        Assert.Contains("The file has no lines to import.", panel.Find("[data-testid=file-preview]").TextContent);
        Assert.True(panel.FindAll("button").Single(b => b.TextContent.Trim() == "Import 0 lines").HasAttribute("disabled"));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.ExceptionImports.CountAsync());
    }

    [Fact]
    public void Cancel_drops_the_chosen_file_without_importing_it()
    {
        var panel = Render<ExceptionImportPanel>();
        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("+14155550100", "list.txt"));
        panel.WaitForAssertion(() => panel.Find("[data-testid=file-preview]"));
        Assert.Equal("UTF-8", panel.Find("[data-testid=preview-encoding]").TextContent);

        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        Assert.Empty(panel.FindAll("[data-testid=file-preview]"));
        Assert.Empty(panel.FindAll("[data-testid=import-report]"));
    }

    [Fact]
    public void An_upload_that_is_not_utf8_and_no_likely_code_page_is_refused_at_preview()
    {
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([0x2B, 0x31, 0xFF, 0xFE, 0x00, 0x81, 0x8D, 0x8F, 0x90, 0x9D], "odd.txt"));

        panel.WaitForAssertion(() => Assert.Contains("save it as CSV UTF-8", panel.Find("[role=alert]").TextContent));
        Assert.Empty(panel.FindAll("[data-testid=file-preview]"));
    }

    [Fact]
    public async Task I4_keep_only_puts_exactly_the_lines_not_added_back_in_the_box_in_input_order()
    {
        var panel = Render<ExceptionImportPanel>();
        await Services.GetRequiredService<ExceptionImportService>().ImportAsync("+1 415 555 0199;listed before", EntrySource.Settings, SupervisorPrincipal());
        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Mix, "mix.txt"));
        panel.WaitForAssertion(() => panel.Find("[data-testid=file-preview]"));
        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Import 7 lines").Click();
        panel.WaitForAssertion(() => panel.Find("[data-testid=import-report]"), TimeSpan.FromSeconds(10));
        Assert.Equal(("2 added", "1 already listed", "2 duplicate in input", "2 invalid"),
            (Count(panel, "added"), Count(panel, "already-listed"), Count(panel, "duplicate"), Count(panel, "invalid")));

        panel.FindAll("button").Single(b => b.TextContent.Trim() == "Keep only the 5 lines not added in the box").Click();

        // The box is set through the panel's JS module once the click's handler has loaded it.
        panel.WaitForAssertion(() => JSInterop.VerifyInvoke("setText"), TimeSpan.FromSeconds(10));
        var setText = JSInterop.VerifyInvoke("setText");
        Assert.Equal("+1 415 555 0199;listed before\n+14155550100;repeat\nnot a number\n4155550100;no plus\nSALES@example.com", setText.Arguments[1]);
    }

    private static string Count(IRenderedComponent<ExceptionImportPanel> panel, string status) => panel.Find($"[data-count={status}]").TextContent.Trim();

    private static System.Security.Claims.ClaimsPrincipal SupervisorPrincipal() =>
        new(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Name, "supervisor@test.local")], "test"));

    [Fact]
    public void The_report_filters_by_status_with_each_status_count_and_starts_on_all()
    {
        var view = Render<ImportReportView>(p => p.Add(c => c.Report, MixedReport()));
        var filter = view.Find("[data-testid=status-filter]");

        Assert.Equal(["All (5)", "Invalid (2)", "Already listed (1)", "Duplicate in input (2)", "Added (2)"],
            filter.QuerySelectorAll("button").Select(b => b.TextContent.Trim()));
        Assert.Equal("true", view.Find("[data-status=All]").GetAttribute("aria-pressed"));
        Assert.Equal(["2", "3", "4", "5", "7"], ShownLines(view));

        view.Find("[data-status=Invalid]").Click();
        Assert.Equal(["4", "5"], ShownLines(view));
        Assert.Equal("true", view.Find("[data-status=Invalid]").GetAttribute("aria-pressed"));
        Assert.Equal("false", view.Find("[data-status=All]").GetAttribute("aria-pressed"));

        view.Find("[data-status=DuplicateInInput]").Click();
        Assert.Equal(["3", "7"], ShownLines(view));

        view.Find("[data-status=AlreadyListed]").Click();
        Assert.Equal(["2"], ShownLines(view));

        view.Find("[data-status=Added]").Click();
        Assert.Empty(ShownLines(view));
        Assert.Contains("2 lines were added", view.Find("[data-testid=added-not-listed]").TextContent);

        view.Find("[data-status=All]").Click();
        Assert.Equal(5, ShownLines(view).Count);
    }

    [Fact]
    public void A_filter_of_thousands_of_invalid_lines_pages_from_its_first_page()
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        var text = string.Join("\n", Enumerable.Range(0, 7086).Select(i => $"bad {i}").Prepend("+14155550100\n+14155550100"));
        foreach (var line in ImportLineParser.Parse(text).Where(screen.Admit))
        {
            report.Record(line, ImportLineStatus.Added);
        }

        var view = Render<ImportReportView>(p => p.Add(c => c.Report, report));
        view.Find("[data-status=DuplicateInInput]").Click();
        Assert.Equal(["2"], ShownLines(view));

        view.Find("[data-status=Invalid]").Click();

        Assert.Equal("Invalid (7,086)", view.Find("[data-status=Invalid]").TextContent.Trim());
        Assert.Equal(["3", "4", "5", "6", "7", "8", "9", "10", "11", "12"], ShownLines(view));
    }
}
