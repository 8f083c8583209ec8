using Bunit;
using CrmAdmin.Features.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CrmAdmin.Tests.Components;

public sealed class RemoveEntriesDialogTests : MudTestContext
{
    private async Task<(IRenderedComponent<ContainerFragment> Host, IDialogReference Dialog)> ShowAsync(int count)
    {
        var host = RenderProviders();
        var values = Enumerable.Range(0, Math.Min(count, 10)).Select(i => $"+1415555{9400 + i}").ToList();
        var parameters = new DialogParameters<RemoveEntriesDialog> { { d => d.Values, values }, { d => d.Count, count } };
        var dialog = await host.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<RemoveEntriesDialog>($"Remove {count} entries?", parameters));
        return (host, dialog);
    }

    [Fact]
    public async Task It_names_ten_values_and_counts_the_rest()
    {
        var (host, _) = await ShowAsync(12);

        Assert.Equal(10, host.FindAll("[data-testid=values-to-remove] li").Count);
        Assert.Equal("+14155559400", host.Find("[data-testid=values-to-remove] li").TextContent);
        Assert.Equal("… and 2 more entries.", host.Find("[data-testid=more-to-remove]").TextContent.Trim());
        Assert.Contains("These 12 entries will be removed", host.Markup);
    }

    [Fact]
    public async Task One_entry_is_named_without_a_count_of_more()
    {
        var (host, _) = await ShowAsync(1);

        Assert.Single(host.FindAll("[data-testid=values-to-remove] li"));
        Assert.Empty(host.FindAll("[data-testid=more-to-remove]"));
        Assert.Contains("This entry will be removed", host.Markup);
    }

    [Theory]
    [InlineData("Remove", false)]
    [InlineData("Cancel", true)]
    public async Task Remove_confirms_and_Cancel_cancels(string button, bool canceled)
    {
        var (host, dialog) = await ShowAsync(2);

        host.FindAll("button").Single(b => b.TextContent.Trim() == button).Click();

        Assert.Equal(canceled, (await dialog.Result)!.Canceled);
        Assert.Empty(host.FindAll("[data-testid=values-to-remove]"));
    }
}
