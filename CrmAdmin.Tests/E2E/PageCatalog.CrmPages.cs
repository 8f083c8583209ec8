using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using System.Text.Json;
using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// The catalog's CRM, simulator, telephony, Recycle bin, access, users and audit pages (issue 12):
/// each with the elements a person comes to the page for, for every role that may open it.
/// </summary>
public static class CrmCatalogPages
{
    private static readonly string[] Everyone = [Roles.Administrator, Roles.Supervisor, Roles.Viewer];
    private static readonly string[] Editors = [Roles.Administrator, Roles.Supervisor];
    private static readonly string[] Administrators = [Roles.Administrator];

    /// <summary>A lead whose title is long enough that a phone has to ellipsize it.</summary>
    public const string LeadTitle = "Catalog lead: returning customer asking about the annual maintenance contract renewal";
    public const string ContactName = "Catalog contact Ada Lovelace";
    /// <summary>A user whose address is longer than the Users table's Email column at 1280 px: it must read whole, wrapped.</summary>
    public const string LongUserEmail = "quality.assurance.team.lead.reviewer@catalog-testing-environment.example";
    public const string BinnedLeadTitle = "Catalog binned robocall";
    public const string ConvertedLeadTitle = "Catalog converted lead Grace Hopper";

    public static readonly IReadOnlyList<CatalogPage> All =
    [
        new("leads", "/crm/leads?search=Catalog%20lead", Everyone, async (page, _) =>
        {
            var elements = new List<KeyElement>
            {
                new("the lead's title link", page.GetByRole(AriaRole.Link, new() { Name = LeadTitle })),
                new("the search box", page.GetByLabel("Search by title or name")),
            };
            if (await page.GetByRole(AriaRole.Heading, new() { Name = "New lead" }).CountAsync() > 0)
            {
                elements.Add(new("the Create lead button", page.GetByRole(AriaRole.Button, new() { Name = "Create lead" })));
            }

            return elements;
        }) { Arrange = EnsureDataAsync },
        new("contacts", "/crm/contacts", Everyone, (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the contact's name link", page.GetByRole(AriaRole.Link, new() { Name = ContactName })),
            new("the search box", page.GetByLabel("Search by title or name")),
        ])) { Arrange = EnsureDataAsync },
        // The New deal form's contact picker, opened on a search, so its options are checked and photographed too.
        new("deals", "/crm/deals", Everyone, async (page, _) =>
        {
            var elements = new List<KeyElement> { new("the Deals heading", page.GetByRole(AriaRole.Heading, new() { Name = "Deals", Exact = true })) };
            if (await page.GetByRole(AriaRole.Heading, new() { Name = "New deal" }).CountAsync() == 0)
            {
                elements.Add(new("the search button", page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true })));
            }
            else
            {
                // The open list lies over what is below the picker, as a list should; the search button is checked for viewers.
                var picker = page.GetByLabel("Contact", new() { Exact = true });
                await picker.PressSequentiallyAsync("Ada Lovelace");
                elements.Add(new("the Contact picker", picker));
                // By role: an option of a list that has closed is no option to a person (nor to the locator, so a check that
                // found one going hidden finds the open list's on its next try).
                elements.Add(new("the contact the picker offers", page.GetByRole(AriaRole.Option, new() { Name = ContactName })));
            }

            return elements;
        }) { Arrange = EnsureDataAsync },
        // A converted lead: what it became, by name with links, and why Convert is off.
        new("converted-lead", "/crm/leads?search=Catalog%20converted", Everyone, async (page, _) =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = ConvertedLeadTitle }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = ConvertedLeadTitle }).WaitForAsync();
            var elements = new List<KeyElement>
            {
                new("the contact it became", page.Locator("[data-field=contact]").GetByRole(AriaRole.Link, new() { Name = ConvertedLeadTitle })),
                new("the deal it became", page.Locator("[data-field=deal]").GetByRole(AriaRole.Link, new() { Name = ConvertedLeadTitle })),
            };
            if (await page.GetByTestId("convert-closed").CountAsync() > 0)
            {
                elements.Add(new("why Convert is off", page.GetByTestId("convert-closed")));
            }

            return elements;
        }) { Arrange = EnsureDataAsync },
        new("lead", "/crm/leads?search=Catalog%20lead", Everyone, async (page, _) =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = LeadTitle }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = LeadTitle }).WaitForAsync();
            var elements = new List<KeyElement>
            {
                new("the lead's title", page.GetByRole(AriaRole.Heading, new() { Name = LeadTitle })),
                new("the lead's phones", page.Locator("[data-field=phones]")),
                new("the link back to the leads", page.GetByRole(AriaRole.Link, new() { Name = "Leads", Exact = true }).Last),
            };
            if (await page.GetByRole(AriaRole.Button, new() { Name = "Lead actions" }).CountAsync() > 0)
            {
                elements.Add(new("the lead's actions menu", page.GetByRole(AriaRole.Button, new() { Name = "Lead actions" })));
                elements.Add(new("the Save button", page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true })));
                elements.Add(new("the Convert to contact and deal button", page.GetByRole(AriaRole.Button, new() { Name = "Convert to contact and deal" })));
                elements.Add(new("the Contact picker", page.GetByLabel("Contact", new() { Exact = true })));
            }

            return elements;
        }) { Arrange = EnsureDataAsync },
        new("crm-settings", "/crm/settings/crm", Everyone, async (page, _) =>
        {
            var elements = new List<KeyElement>
            {
                new("the Classic mode choice", page.GetByRole(AriaRole.Radio, new() { Name = "Classic: new calls and emails create leads" })),
                new("the repeated leads switch", page.GetByLabel("Repeated leads", new() { Exact = false })),
            };
            elements.Add(await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).CountAsync() > 0
                ? new("the Save settings button", page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }))
                : new("why the settings cannot be changed", page.GetByText("Only administrators change CRM settings.")));
            return elements;
        }),
        // A dry run of a call, so the outcome (verdict, rule chips, history) is checked and photographed too.
        new("simulator", "/simulator", Everyone, async (page, viewport) =>
        {
            await page.GetByLabel("Customer number").FillAsync("+1 646 555 9200");
            await page.GetByRole(AriaRole.Button, new() { Name = "Simulate" }).ClickAsync();
            await page.GetByTestId("verdict").WaitForAsync();
            return
            [
                new("the Incoming call tab", page.GetByRole(AriaRole.Tab, new() { Name = "Incoming call" })),
                new("the last channel's tab, Web form", page.GetByRole(AriaRole.Tab, new() { Name = "Web form" })),
                new("the line select", page.GetByLabel("Line", new() { Exact = true })),
                new("the customer number", page.GetByLabel("Customer number")),
                new("the Simulate button", page.GetByRole(AriaRole.Button, new() { Name = "Simulate" })),
                new("the verdict", page.GetByTestId("verdict")),
                new("the first rule of the trail", page.GetByTestId("rule-trail").GetByRole(AriaRole.Listitem).First),
                new("the run's Show button in the history", page.GetByTestId("history-show").First),
            ];
        }),
        new("telephony", "/telephony/lines", Everyone, async (page, _) =>
        {
            var open = page.GetByRole(AriaRole.Button, new() { Name = "Open line Sales line" });
            await open.ClickAsync();
            // The form and its buttons (or the read-only notice) render together: wait for it before asking which it shows.
            await page.GetByRole(AriaRole.Group, new() { Name = "Incoming calls" }).WaitForAsync();
            var elements = new List<KeyElement>
            {
                new("the Sales line's Open button", open),
                new("the line's Number field", page.GetByLabel("Number", new() { Exact = true })),
                new("the incoming create option", page.GetByRole(AriaRole.Group, new() { Name = "Incoming calls" }).GetByText("Create leads or deals for new numbers")),
                new("the outgoing repeated option", page.GetByRole(AriaRole.Group, new() { Name = "Outgoing calls" }).GetByText("Create repeated leads")),
                new("the line's CRM integration tab", page.GetByRole(AriaRole.Tab, new() { Name = "CRM integration" })),
            };
            elements.AddRange(await page.GetByRole(AriaRole.Button, new() { Name = "Save line" }).CountAsync() > 0
                ? [new("the Save line button", page.GetByRole(AriaRole.Button, new() { Name = "Save line" })),
                   new("the Delete line button", page.GetByRole(AriaRole.Button, new() { Name = "Delete line" }))]
                : [new("why the line cannot be changed", page.GetByText("Only administrators can change lines."))]);
            return elements;
        }),
        // Viewers read the bin (issue 13); the Restore button is for editors, and viewers are told why they have none.
        new("recycle-bin", "/crm/recycle-bin", Everyone, async (page, _) =>
        {
            var restore = page.GetByRole(AriaRole.Button, new() { Name = $"Restore {BinnedLeadTitle}" }).First;
            await page.GetByText($"Lead: {BinnedLeadTitle}").First.WaitForAsync();
            return
            [
                new("the binned lead", page.GetByText($"Lead: {BinnedLeadTitle}").First),
                await restore.CountAsync() > 0
                    ? new("its Restore button", restore)
                    : new("why there is no Restore button", page.GetByTestId("restore-reason")),
            ];
        }) { Arrange = EnsureDataAsync },
        new("access-permissions", "/crm/settings/access-permissions", Administrators, (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the Viewer role's level", page.GetByLabel("Exceptions level for Viewer")),
            new("the Add role button", page.GetByRole(AriaRole.Button, new() { Name = "Add role" })),
        ])),
        new("users", "/crm/settings/users", Administrators, (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the viewer's email", page.GetByText(BrowserFixture.Viewer, new() { Exact = true }).First),
            new("a long email", page.GetByText(LongUserEmail, new() { Exact = true }).First, Whole: true),
            new("the viewer's role", page.GetByLabel($"Role of {BrowserFixture.Viewer}")),
            new("the viewer's Lock button", page.GetByRole(AriaRole.Button, new() { Name = $"Lock {BrowserFixture.Viewer}" })),
            new("the viewer's Reset password button", page.GetByRole(AriaRole.Button, new() { Name = $"Reset password of {BrowserFixture.Viewer}" })),
            new("the viewer's Delete button", page.GetByRole(AriaRole.Button, new() { Name = $"Delete {BrowserFixture.Viewer}" })),
            new("why the administrator's own row is fixed", page.GetByTestId("self-reason")),
            new("the Create user button", page.GetByRole(AriaRole.Button, new() { Name = "Create user" })),
        ])) { Arrange = EnsureDataAsync },
        new("audit-log", "/crm/settings/audit-log", Administrators, async (page, _) =>
        {
            var when = page.GetByTestId("audit-when").First;
            await when.WaitForAsync();
            return
            [
                new("the newest entry's When", when),
                new("the newest entry's Details", page.GetByTestId("audit-details").Filter(new() { HasTextRegex = new Regex(@"\S") }).First),
                new("the User filter", page.GetByLabel("User", new() { Exact = true })),
                new("the Search button", page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true })),
            ];
        }) { Arrange = EnsureDataAsync },
    ];

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Arranged = new();

    /// <summary>Once per app instance: a user with a long address, a lead with a long title, a contact, and a lead in the Recycle bin (which also writes audit entries).</summary>
    public static Task EnsureDataAsync(BrowserFixture browser) =>
        Arranged.GetOrAdd(browser.BaseUrl, _ => new Lazy<Task>(() => ArrangeAsync(browser))).Value;

    private static async Task ArrangeAsync(BrowserFixture browser)
    {
        await browser.App.CreateUserAsync(LongUserEmail, "Viewer");
        using var api = await browser.App.CreateAdminClientAsync();
        (await api.PostAsJsonAsync("/api/contacts", new { name = ContactName, emails = new[] { "ada@xn--bcher-kva.example" } })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/leads", new { title = LeadTitle, phones = new[] { "+1 646 555 9100" } })).EnsureSuccessStatusCode();
        var binned = await (await api.PostAsJsonAsync("/api/leads", new { title = BinnedLeadTitle, phones = new[] { "+1 646 555 9101" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await api.PostAsync($"/api/leads/{binned.GetProperty("id").GetInt64()}/add-to-exceptions", null)).EnsureSuccessStatusCode();
        var converted = await (await api.PostAsJsonAsync("/api/leads", new { title = ConvertedLeadTitle, phones = new[] { "+1 646 555 9102" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await api.PostAsJsonAsync($"/api/leads/{converted.GetProperty("id").GetInt64()}/convert", new { to = new[] { "Contact", "Deal" } })).EnsureSuccessStatusCode();
    }
}
