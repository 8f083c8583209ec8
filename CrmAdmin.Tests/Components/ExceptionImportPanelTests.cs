using Bunit;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Tests.Features;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Tests.Components;

/// <summary>The panel refuses what the limits refuse with a message a person can act on, and stays usable.</summary>
public sealed class ExceptionImportPanelTests : MudTestContext
{
    private TestDatabase database = default!;

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var limits = Options.Create(new ImportLimits { MaxBytes = 100 });
        AddAuthorization().SetAuthorized("supervisor@test.local");
        Services.AddSingleton<IOptions<ImportLimits>>(limits);
        Services.AddSingleton(sp =>
        {
            var authorizer = new CrmAuthorizer(sp.GetRequiredService<IAuthorizationService>());
            var metrics = new CrmAdmin.Features.Operations.CrmMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
            return new ExceptionImportService(database, new CrmAdmin.Data.Sqlite.SqliteExceptionEntryWriters(), authorizer,
                new ImportReportStore(database, authorizer, TimeProvider.System, NullLogger<ImportReportStore>.Instance), limits, TimeProvider.System, metrics,
                new ImportsInProgress(), NullLogger<ExceptionImportService>.Instance);
        });
    }

    public override async Task DisposeAsync()
    {
        await database.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public void An_upload_over_the_size_limit_is_refused_with_a_message_and_the_panel_stays_usable()
    {
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(new string('x', 500), "big.txt"));

        panel.WaitForAssertion(() => Assert.Contains("The import is 500 bytes; at most 100 bytes can be imported at once", panel.Find("[role=alert]").TextContent));
        Assert.Contains("Split it into smaller parts", panel.Find("[role=alert]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=import-report]"));
        Assert.False(panel.Find("#exception-paste").HasAttribute("disabled"));
    }

    [Fact]
    public void The_paste_box_hint_shows_every_form_a_line_can_take_and_describes_the_box()
    {
        var panel = Render<ExceptionImportPanel>();

        var help = panel.Find("#exception-paste-help");
        Assert.Equal(["@example.com", "@*.example.com", "+1900*", "+1 415 555 2671;spam robot"], help.QuerySelectorAll("code").Select(c => c.TextContent));
        Assert.Contains("international format", help.TextContent);
        Assert.Contains("email addresses", help.TextContent);
        Assert.Contains("exception-paste-help", panel.Find("#exception-paste").GetAttribute("aria-describedby")!.Split(' '));
        Assert.Contains("@*.example.net", panel.Find("#exception-paste").GetAttribute("placeholder"));
        Assert.Contains("+1900*", panel.Find("#exception-paste").GetAttribute("placeholder"));
    }

    [Fact]
    public void The_paste_box_has_no_Blazor_event_handler_so_no_key_or_input_sends_its_text_to_the_server()
    {
        var panel = Render<ExceptionImportPanel>();
        var box = panel.Find("#exception-paste");

        Assert.Throws<MissingEventHandlerException>(() => box.KeyDown(new KeyboardEventArgs { Key = "End" }));
        Assert.Throws<MissingEventHandlerException>(() => box.Input("typed"));
        Assert.Throws<MissingEventHandlerException>(() => box.Change("typed"));
        Assert.Throws<MissingEventHandlerException>(() => box.Blur());
    }

    [Fact]
    public void A_file_that_is_not_text_or_csv_is_refused_by_name()
    {
        var panel = Render<ExceptionImportPanel>();

        panel.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("+14155550100", "list.xlsx"));

        panel.WaitForAssertion(() => Assert.Contains("list.xlsx is not a .txt or .csv file", panel.Find("[role=alert]").TextContent));
    }
}
