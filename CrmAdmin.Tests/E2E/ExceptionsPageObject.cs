using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>What a person does on CRM settings → Exceptions, in their words.</summary>
public sealed class ExceptionsPageObject(IPage page)
{
    public IPage Page => page;
    public ILocator PasteBox => page.GetByLabel("Lines to import");
    public ILocator Report => page.GetByTestId("import-report");
    public ILocator List => page.GetByRole(AriaRole.Table, new() { Name = "Exception list" });
    /// <summary>The list's data rows (a header row has column headers, not cells).</summary>
    public ILocator Rows => List.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByTestId("entry-value") });
    public ILocator ProblemRows => Report.GetByRole(AriaRole.Table, new() { Name = "Lines that were not added" })
        .GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell) });
    public ILocator ExportLink => page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" });
    public ILocator Dialog => page.GetByRole(AriaRole.Dialog);

    /// <summary>A row of the list, found by the value it shows.</summary>
    public ILocator Row(string value) => Rows.Filter(new() { Has = page.GetByTestId("entry-value").GetByText(value, new() { Exact = true }) });

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

        // The panel's scripts (the shortcut, the file input's reader) are wired after it first renders;
        // a file chosen before that is never read. The box announces its shortcut once they are.
        await Assertions.Expect(PasteBox).ToHaveAttributeAsync("aria-keyshortcuts", "Control+Enter Meta+Enter");
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

    public ILocator Progress => page.GetByTestId("import-progress");

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
        await page.GetByLabel("Comment contains").FillAsync(comment ?? "");
        await page.GetByLabel("Phone or email contains").FillAsync(value ?? "");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
    }

    /// <summary>Waits until the grid shows exactly these values, in any order.</summary>
    public async Task ExpectValuesAsync(params string[] values)
    {
        var cells = List.GetByTestId("entry-value");
        await Assertions.Expect(cells).ToHaveCountAsync(values.Length);
        var shown = await cells.AllInnerTextsAsync();
        Assert.Equal(values.Order(), shown.Select(s => s.Trim()).Order());
    }

    public Task SelectAsync(string value) =>
        page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select {value}", Exact = true }).CheckAsync();

    public async Task RemoveFromRowMenuAsync(string value)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = $"Actions for {value}", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Remove from exceptions" }).ClickAsync();
        await ConfirmRemovalAsync();
    }

    public async Task ConfirmRemovalAsync()
    {
        await Assertions.Expect(Dialog).ToContainTextAsync("Remove");
        await Dialog.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Assertions.Expect(Dialog).ToHaveCountAsync(0);
    }
}
