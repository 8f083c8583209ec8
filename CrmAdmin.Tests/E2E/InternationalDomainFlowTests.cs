using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// An email from an internationalized domain, as a person meets it afterwards (X3): the lead routing
/// created reads "Email from kontakt@bücher.example" in the Leads list, and answering its message in
/// the simulator fills From with that Unicode address, never with punycode.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class InternationalDomainFlowTests(BrowserFixture browser)
{
    public static TheoryData<int, int> Sizes => new() { { 1280, 800 }, { 390, 844 } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public Task A_lead_from_an_idn_address_reads_in_unicode_in_the_leads_list_and_a_reply_to_it_is_from_the_unicode_address(int width, int height)
    {
        var viewport = new Viewport(width, height);
        var address = $"kontakt{width}@bücher.example";
        var subject = $"Angebot {viewport}";
        return browser.RunAsAsync($"idn-lead-{viewport}", BrowserFixture.EmailOf(Roles.Supervisor), viewport, async page =>
        {
            using (var api = await browser.App.CreateAdminClientAsync())
            {
                var routed = await api.PostAsJsonAsync("/api/routing/email",
                    new { from = address, subject, messageId = $"<idn-{width}@crm.example>", dryRun = false });
                routed.EnsureSuccessStatusCode();
            }

            await page.GotoAsync("/crm/leads");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = $"Email from {address}", Exact = true }).ExpectSeenAsync("the IDN lead's title in Unicode");
            await Assertions.Expect(page.GetByText("xn--")).ToHaveCountAsync(0);
            await Screenshots.SaveAsync(page, "idn-leads", Roles.Supervisor, viewport);

            await page.GotoAsync("/simulator");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Tab, new() { Name = "Email reply" }).ClickAsync();
            var picker = page.GetByLabel("Replies to", new() { Exact = true });
            await picker.ExpectSeenAsync("the Replies to picker");
            await picker.PressSequentiallyAsync(subject);
            var option = page.GetByRole(AriaRole.Option, new() { NameRegex = new Regex("^" + Regex.Escape(subject)) });
            // The search runs after the typing pauses: on a busy machine its answer may take longer than an assertion's 5 s.
            await option.WaitForAsync();
            await option.ExpectSeenAsync("the saved message");
            await Assertions.Expect(option).ToContainTextAsync(address);
            await option.ClickAsync();

            await Assertions.Expect(page.GetByLabel("From address", new() { Exact = true })).ToHaveValueAsync(address);
            await page.GetByRole(AriaRole.Button, new() { Name = "Simulate", Exact = true }).ClickAsync();
            // Routing matched the Unicode address to the stored one: the reply is saved to the lead's thread, named as written.
            await Assertions.Expect(page.GetByTestId("logged-to")).ToContainTextAsync($"Email from {address}");
        });
    }
}
