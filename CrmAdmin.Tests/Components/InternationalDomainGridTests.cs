using Bunit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Tests.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Tests.Components;

/// <summary>
/// The exceptions grid names each row by its value as people write it (X3): a screen reader hears
/// "Select kontakt@bücher.example", never the punycode the list stores.
/// </summary>
public sealed class InternationalDomainGridTests : MudTestContext
{
    private ServiceTestHost host = default!;

    public override async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync();
        await host.Get<ExceptionImportService>().ImportAsync(
            "kontakt@bücher.example;idn address\n@*.bücher.example;idn tree\n@пример.рф;idn domain", EntrySource.Settings, host.Supervisor);

        // The page runs on the host's services, as the supervisor (who may edit, so the rows have checkboxes).
        AddAuthorization().SetAuthorized("supervisor@test.local").SetClaims(host.Supervisor.Claims.ToArray())
            .SetPolicies(Policies.ViewExceptions, Policies.EditExceptions);
        Services.AddSingleton(host.Get<ExceptionListService>());
        Services.AddSingleton(host.Get<ExceptionImportService>());
        Services.AddSingleton(host.Get<ExceptionImportHistoryService>());
        Services.AddSingleton(host.Get<CrmSettingsService>());
        Services.AddSingleton(host.Get<CrmAuthorizer>());
        Services.AddSingleton(host.Get<IOptions<ImportLimits>>());
        Services.AddSingleton(TimeProvider.System);
        Services.AddScoped<ImportUndoPrompt>();
        JSInterop.SetupModule("./Features/Exceptions/ExceptionImportPanel.razor.js");
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await host.DisposeAsync();
    }

    [Fact]
    public void Each_row_checkbox_and_actions_menu_is_named_by_the_value_in_unicode()
    {
        var page = Render<ExceptionsPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=entry-value]").Count));
        // MudBlazor names a checkbox through aria-labelledby: its accessible name is the text of that element.
        var names = page.FindAll("input[type=checkbox]")
            .Select(c => page.Find($"#{c.GetAttribute("aria-labelledby")}").TextContent.Trim()).ToList();
        Assert.Equal(["Select @*.bücher.example", "Select @пример.рф", "Select all on this page", "Select kontakt@bücher.example"], names.Order(StringComparer.Ordinal));
        var menus = page.FindAll("[aria-label^='Actions for']").Select(m => m.GetAttribute("aria-label")).ToList();
        Assert.Equal(["Actions for @*.bücher.example", "Actions for @пример.рф", "Actions for kontakt@bücher.example"], menus.Order(StringComparer.Ordinal));
    }
}
