using System.Text;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

[Collection(BrowserCollection.Name)]
public sealed class RoutingFlowTests(BrowserFixture browser)
{
    private static async Task SimulateAsync(IPage page, string number, bool apply)
    {
        await page.GotoAsync("/simulator");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.GetByLabel("Customer number").FillAsync(number);
        if (apply)
        {
            await page.GetByLabel("Dry run (changes nothing)").UncheckAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply" })).ToBeVisibleAsync();
        }

        await page.GetByRole(AriaRole.Button, new() { Name = apply ? "Apply" : "Simulate" }).ClickAsync();
        await page.GetByTestId("verdict").WaitForAsync();
    }

    private static ILocator ActivityRows(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Activities" }).Locator("tbody tr");

    [Fact]
    public Task The_menu_moves_between_leads_deals_contacts_and_companies() =>
        browser.RunAsync(nameof(The_menu_moves_between_leads_deals_contacts_and_companies), async page =>
        {
            await page.GotoAsync("/crm/leads");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Leads", Level = 1 })).ToBeVisibleAsync();

            // One page serves the four lists: each menu click must show its own list, not the one before.
            foreach (var list in new[] { "Deals", "Contacts", "Companies", "Leads" })
            {
                await page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" }).GetByRole(AriaRole.Link, new() { Name = list, Exact = true }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = list, Level = 1 })).ToBeVisibleAsync();
            }
        });

    [Fact]
    public Task An_incoming_call_from_an_excepted_number_gets_the_blocked_verdict() =>
        browser.RunAsync(nameof(An_incoming_call_from_an_excepted_number_gets_the_blocked_verdict), async page =>
        {
            using (var admin = await browser.App.CreateAdminClientAsync())
            {
                await admin.PostAsync("/api/exceptions/import", new StringContent("+1 646 555 7000;spam robot", Encoding.UTF8, "text/plain"));
            }

            await SimulateAsync(page, "+1 (646) 555-7000", apply: false);

            await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("Blocked by exception +16465557000 — \"spam robot\": nothing created or logged (dry run: nothing was changed)");
            await Assertions.Expect(page.GetByTestId("matched-exception")).ToContainTextAsync("spam robot");
            Assert.Equal(["C1", "C2", "C5"], await page.GetByTestId("rule-trail").GetByRole(AriaRole.Listitem).EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.rule)"));
            // Each step's text starts on its chip's line, the long ones too (C5's wrapped under its chip as a whole).
            Assert.Empty(await page.GetByTestId("rule-trail").GetByRole(AriaRole.Listitem).EvaluateAllAsync<string[]>("""
                items => items.filter(item => {
                  const chip = item.querySelector('.crm-rule').getBoundingClientRect();
                  const line = item.querySelector('.crm-rule-text').getClientRects()[0];
                  return !(line.top < chip.bottom && line.bottom > chip.top);
                }).map(item => item.dataset.rule)
                """));
            await Assertions.Expect(page.GetByTestId("history-when")).ToHaveCountAsync(1);
        });

    [Fact]
    public Task An_applied_call_from_an_unknown_number_creates_a_lead_with_the_call_in_its_activities() =>
        browser.RunAsync(nameof(An_applied_call_from_an_unknown_number_creates_a_lead_with_the_call_in_its_activities), async page =>
        {
            await SimulateAsync(page, "+1 646 555 7001", apply: true);

            await Assertions.Expect(page.GetByTestId("verdict")).ToHaveTextAsync("New lead created");
            await page.GetByTestId("created").GetByRole(AriaRole.Link).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Incoming call from +16465557001" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-field=phones]")).ToHaveTextAsync("+16465557001");
            await Assertions.Expect(ActivityRows(page)).ToHaveCountAsync(1);
            await Assertions.Expect(ActivityRows(page)).ToContainTextAsync("Incoming call from +16465557001 on Sales line");

            await page.GotoAsync("/crm/leads");
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Incoming call from +16465557001" })).ToBeVisibleAsync();
        });

    [Fact]
    public Task Edit_CRM_exceptions_from_a_telephony_line_opens_the_same_list_and_imports_from_telephony() =>
        browser.RunAsync(nameof(Edit_CRM_exceptions_from_a_telephony_line_opens_the_same_list_and_imports_from_telephony), async page =>
        {
            await page.GotoAsync("/telephony/lines");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Open line Sales line" }).ClickAsync();
            await page.GetByRole(AriaRole.Tab, new() { Name = "CRM integration" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Edit CRM exceptions" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Exceptions" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Breadcrumb" })).ToContainTextAsync("Sales line");
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.ImportAsync("+1 646 555 7002;from telephony");
            await exceptions.FilterAsync(comment: "from telephony");
            await exceptions.ExpectValuesAsync("+16465557002");
            await Assertions.Expect(exceptions.Rows.First).ToContainTextAsync("Telephony");
        });
}
