using Bunit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.RecycleBin;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CrmAdmin.Tests.Components;

public class RecycleBinDialogTests : MudTestContext
{
    [Fact]
    public async Task Restore_offers_to_remove_the_added_entries_ticked_and_returns_what_the_person_chose()
    {
        var host = RenderProviders();
        var item = new RecycleBinRow(3, CrmEntityType.Lead, 9, "Robocall", DateTime.UtcNow, "admin@test.local", [new(CrmEntityType.Contact, 4, "Caller")], 2);
        var dialog = await host.InvokeAsync(() => Services.GetRequiredService<IDialogService>()
            .ShowAsync<RestoreDialog>("Restore from the Recycle bin", new DialogParameters<RestoreDialog> { { d => d.Item, item } }));

        Assert.Contains("and the 1 linked item deleted with it", host.Markup);
        Assert.Contains("Also remove the 2 exception entries added with it", host.Markup);
        var box = host.Find("input[type=checkbox]");
        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)box).IsChecked);
        box.Change(false);
        host.FindAll("button").Single(b => b.TextContent.Trim() == "Restore").Click();

        var result = await dialog.Result;
        Assert.False(result!.Canceled);
        Assert.Equal(false, result.Data);
    }

    [Fact]
    public async Task Add_to_exceptions_lists_each_entry_with_IDN_domains_in_Unicode_and_what_moves_to_the_Recycle_bin()
    {
        var host = RenderProviders();
        var preview = new AddToExceptionsPreview(CrmEntityType.Lead, 9, "Robocall",
            [new(EntryType.Phone, "+16465558002", "the lead", false), new(EntryType.Email, "bot@xn--bcher-kva.example", "its contact", true)],
            [new(CrmEntityType.Contact, 4, "Caller")], []);
        var dialog = await host.InvokeAsync(() => Services.GetRequiredService<IDialogService>()
            .ShowAsync<AddToExceptionsDialog>("Add Robocall to exceptions", new DialogParameters<AddToExceptionsDialog> { { d => d.Preview, preview } }));

        var entries = host.FindAll("ul[aria-label='Entries to add'] li");
        Assert.Equal(2, entries.Count);
        Assert.Contains("bot@bücher.example", entries[1].TextContent);
        Assert.Equal("bot@xn--bcher-kva.example", entries[1].QuerySelector("b")!.GetAttribute("title"));
        Assert.Contains("already on the list", entries[1].TextContent);
        Assert.Equal(["Lead: Robocall", "Contact: Caller"], host.FindAll("ul[aria-label='Moved to the Recycle bin'] li").Select(li => li.TextContent.Trim()));

        host.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        Assert.True((await dialog.Result)!.Canceled);
    }
}
