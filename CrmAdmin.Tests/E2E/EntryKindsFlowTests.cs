using System.Text;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// Issue 17 in the browser at 1280×800: number prefixes, subdomain trees and expiry from the paste
/// box to the grid's badges, the Imports history's Undo, and a raw email in the simulator.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EntryKindsFlowTests(BrowserFixture browser)
{
    private static readonly Viewport Laptop = new(1280, 800);

    [Fact]
    public Task Import_a_prefix_and_a_subdomain_tree_that_expire_see_their_badges_and_undo_the_import() =>
        browser.RunAsAsync(nameof(Import_a_prefix_and_a_subdomain_tree_that_expire_see_their_badges_and_undo_the_import), CrmAdminFactory.AdminEmail, Laptop, async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();
            await page.GetByLabel("Expires in (days)").FillAsync("7");

            await exceptions.ImportAsync("+1 900 555*;flow-x premium\n@*.flow-x.example;flow-x tree\n+1 900 555*;flow-x again");

            Assert.Equal("2 added", await exceptions.CountAsync("added"));
            await Assertions.Expect(page.GetByTestId("import-id")).ToContainTextAsync("import #");
            await exceptions.FilterAsync(comment: "flow-x");
            await exceptions.ExpectValuesAsync("+1900555*", "@*.flow-x.example");
            await exceptions.Row("+1900555*").Locator("[data-badge=prefix]").ExpectSeenAsync("the prefix badge");
            await exceptions.Row("@*.flow-x.example").Locator("[data-badge=subdomains]").ExpectSeenAsync("the subdomain tree badge");
            await exceptions.Row("+1900555*").Locator("[data-badge=expires]").ExpectSeenAsync("the expiry badge");

            await page.GetByRole(AriaRole.Button, new() { Name = "Imports", Exact = true }).ClickAsync();
            var history = page.GetByRole(AriaRole.Region, new() { Name = "Imports" });
            var undo = history.GetByRole(AriaRole.Button, new() { Name = "Undo import #" }).First;
            await undo.ExpectSeenAsync("the Undo button of the newest import");
            await undo.ClickAsync();
            await exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();

            await Assertions.Expect(page.GetByTestId("empty-list")).ToBeVisibleAsync();
            await Assertions.Expect(history.GetByTestId("undone").First).ToBeVisibleAsync();
        });

    [Fact]
    public Task The_import_report_undoes_its_own_import_after_asking() =>
        browser.RunAsAsync(nameof(The_import_report_undoes_its_own_import_after_asking), CrmAdminFactory.AdminEmail, Laptop, async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();
            await exceptions.ImportAsync("+1 900 556*;flow-u premium\nflow-u@example.com;flow-u address");
            await exceptions.FilterAsync(comment: "flow-u");
            await exceptions.ExpectValuesAsync("+1900556*", "flow-u@example.com");

            var undo = exceptions.Report.GetByRole(AriaRole.Button, new() { Name = "Undo this import" });
            await undo.ExpectSeenAsync("the report's Undo button");
            await undo.ClickAsync();
            await Assertions.Expect(exceptions.Dialog).ToContainTextAsync("Entries that were already listed stay");
            await exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();

            await Assertions.Expect(page.GetByText(new System.Text.RegularExpressions.Regex(@"Import #\d+ undone: removed 2 entries\."))).ToBeVisibleAsync();
            await Assertions.Expect(exceptions.Report.GetByRole(AriaRole.Button, new() { Name = "Undone" })).ToBeDisabledAsync();
            await Assertions.Expect(page.GetByTestId("empty-list")).ToBeVisibleAsync();
        });

    [Fact]
    public Task A_pasted_raw_email_from_a_subdomain_is_blocked_by_its_tree() =>
        browser.RunAsAsync(nameof(A_pasted_raw_email_from_a_subdomain_is_blocked_by_its_tree), CrmAdminFactory.AdminEmail, Laptop, async page =>
        {
            using (var admin = await browser.App.CreateAdminClientAsync())
            {
                await admin.PostAsync("/api/exceptions/import", new StringContent("@*.flow-y.example;flow-y tree", Encoding.UTF8, "text/plain"));
            }

            await page.GotoAsync("/simulator");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Tab, new() { Name = "New email" }).ClickAsync();
            await page.GetByLabel("Or paste a whole message or its headers").FillAsync(
                "From: =?UTF-8?B?0JjQstCw0L0=?= <ivan@mail.flow-y.example>\nSubject: Offer\nMessage-ID: <y1@mail.flow-y.example>\n\nHello");
            var simulate = page.GetByRole(AriaRole.Button, new() { Name = "Simulate this message" });
            await simulate.ExpectSeenAsync("the raw message's Simulate button");
            await simulate.ClickAsync();

            await Assertions.Expect(page.GetByTestId("verdict")).ToContainTextAsync("Blocked by exception @*.flow-y.example");
            await Assertions.Expect(page.GetByTestId("rule-trail")).ToContainTextAsync("the subdomain tree @*.flow-y.example");
        });
}
