using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>What a person does on CRM settings → Exceptions, in their words.</summary>
public sealed class ExceptionsPageObject(IPage page)
{
    public IPage Page => page;
    public ILocator PasteBox => page.Locator("#exception-paste");
    public ILocator Report => page.Locator(".crm-import-report");
    public ILocator Rows => page.Locator(".crm-exceptions tbody tr.rz-data-row");
    public ILocator ProblemRows => Report.Locator(".crm-problems tbody tr.rz-data-row");

    public async Task OpenAsync()
    {
        await page.GotoAsync("/crm/settings/exceptions");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }

    public async Task OpenAddToListAsync()
    {
        if (!await PasteBox.IsVisibleAsync())
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Add to list" }).ClickAsync();
        }
    }

    public async Task ImportAsync(string text, float timeout = 20_000)
    {
        await OpenAddToListAsync();
        await PasteBox.FillAsync(text);
        await ClickImportAndWaitAsync(timeout);
    }

    /// <summary>
    /// Pastes as a person does, through the clipboard and Ctrl+V. Typing megabytes with fill() is
    /// what a person never does, and it stalls the browser.
    /// </summary>
    public async Task PasteAsync(string text)
    {
        await OpenAddToListAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await page.EvaluateAsync("text => navigator.clipboard.writeText(text)", text);
        await PasteBox.FocusAsync();
        await page.Keyboard.PressAsync("Control+V");
        await Assertions.Expect(PasteBox).Not.ToHaveValueAsync("");
    }

    public ILocator Progress => page.Locator(".crm-progress[role=status]");

    public Task ClickImportAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

    public async Task ClickImportAndWaitAsync(float timeout)
    {
        await ClickImportAsync();
        await Report.WaitForAsync(new() { Timeout = timeout });
    }

    public async Task<string?> CountAsync(string status) =>
        (await Report.Locator($"[data-count={status}]").TextContentAsync())?.Trim();

    public async Task FilterAsync(string? comment = null, string? value = null)
    {
        await page.Locator("input[name=filter-comment]").FillAsync(comment ?? "");
        await page.Locator("input[name=filter-value]").FillAsync(value ?? "");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
    }

    /// <summary>Waits until the grid shows exactly these values, in any order.</summary>
    public async Task ExpectValuesAsync(params string[] values)
    {
        var cells = page.Locator(".crm-exceptions tbody tr.rz-data-row td.crm-value");
        await Assertions.Expect(cells).ToHaveCountAsync(values.Length);
        var shown = await cells.AllInnerTextsAsync();
        Assert.Equal(values.Order(), shown.Select(s => s.Trim()).Order());
    }

    /// <summary>Ticks a row's checkbox the way a person does: on the visible box, not Radzen's hidden input.</summary>
    public Task SelectAsync(string value) =>
        page.Locator(".rz-chkbox", new() { Has = page.Locator($"input[aria-label='Select {value}']") }).ClickAsync();

    public async Task RemoveFromRowMenuAsync(string value)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Actions for {value}", Exact = true }).ClickAsync();
        await page.Locator(".rz-context-menu").GetByText("Remove from exceptions").ClickAsync();
        await ConfirmRemovalAsync();
    }

    public async Task ConfirmRemovalAsync()
    {
        var dialog = page.Locator(".rz-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync("Remove");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
    }
}
