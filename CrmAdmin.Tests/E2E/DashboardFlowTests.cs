using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>The dashboard in the page catalog: every role with View opens it at every size, with axe.</summary>
public static class DashboardCatalogPages
{
    private static readonly string[] Everyone = [Roles.Administrator, Roles.Supervisor, Roles.Viewer];

    /// <summary>The entry the catalog's arrangement blocks most (12 applied calls): first in the top entries.</summary>
    public const string TopValue = "+16465559300";

    public static readonly IReadOnlyList<CatalogPage> All =
    [
        new("dashboard", "/", Everyone, (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the Dashboard heading", page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })),
            new("the chart", page.GetByTestId("blocked-chart").Locator("svg").First),
            new("the top entry's link", page.GetByTestId("top-entries").GetByRole(AriaRole.Link, new() { Name = TopValue })),
            new("the entry counts", page.GetByTestId("entry-counts")),
            new("the last imports", page.GetByTestId("last-imports")),
        ])) { Arrange = EnsureBlockedAsync },
    ];

    /// <summary>Lists <paramref name="number"/> and <paramref name="emailFrom"/>, then applies (dryRun false) blocked calls and emails from them through the API.</summary>
    public static async Task BlockAsync(HttpClient api, string number, int calls, string emailFrom, int emails)
    {
        (await api.PostAsync("/api/exceptions/import", new StringContent($"{number};dashboard test\n{emailFrom};dashboard test", Encoding.UTF8, "text/plain")))
            .EnsureSuccessStatusCode();
        var lines = await api.GetFromJsonAsync<JsonElement>("/api/telephony/lines");
        var lineId = lines.EnumerateArray().First().GetProperty("id").GetInt64();
        for (var i = 0; i < calls; i++)
        {
            (await api.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number, dryRun = false })).EnsureSuccessStatusCode();
        }

        for (var i = 0; i < emails; i++)
        {
            (await api.PostAsJsonAsync("/api/routing/email", new { from = emailFrom, dryRun = false })).EnsureSuccessStatusCode();
        }
    }

    private static readonly ConcurrentDictionary<string, Lazy<Task>> Arranged = new();

    /// <summary>Once per app instance: an entry that blocks 12 applied calls and one that blocks 3 applied emails.</summary>
    public static Task EnsureBlockedAsync(BrowserFixture browser) =>
        Arranged.GetOrAdd(browser.BaseUrl, _ => new Lazy<Task>(async () =>
        {
            using var api = await browser.App.CreateAdminClientAsync();
            await BlockAsync(api, TopValue, calls: 12, emailFrom: "robot@catalog-dashboard.example", emails: 3);
        })).Value;
}

[Collection(BrowserCollection.Name)]
public sealed class DashboardFlowTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1280, 800, "+16465559311")]
    [InlineData(390, 844, "+16465559312")]
    public Task The_start_page_charts_what_applied_decisions_blocked_and_links_the_top_entry_to_the_list(int width, int height, string number)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"dashboard-flow-{viewport}", BrowserFixture.Viewer, viewport, async page =>
        {
            using (var api = await browser.App.CreateAdminClientAsync())
            {
                await DashboardCatalogPages.BlockAsync(api, number, calls: 4, emailFrom: $"robot{width}@flow-dashboard.example", emails: 2);
                // A dry run blocks too, but changes nothing: the chart must not count it.
                (await api.PostAsJsonAsync("/api/routing/email", new { from = $"robot{width}@flow-dashboard.example", dryRun = true })).EnsureSuccessStatusCode();
            }

            await page.GotoAsync("/");
            await page.Locator("main[data-interactive=true]").WaitForAsync();

            await page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 }).ExpectSeenAsync("the Dashboard heading");
            var chart = page.GetByTestId("blocked-chart");
            await chart.Locator("svg").First.ExpectSeenAsync("the chart");
            await Assertions.Expect(chart.GetByText("Calls", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(chart.GetByText("Emails", new() { Exact = true })).ToBeVisibleAsync();
            var link = page.GetByTestId("top-entries").GetByRole(AriaRole.Link, new() { Name = number });
            await link.ExpectSeenAsync("the entry this test blocked, in the top entries");
            await Assertions.Expect(page.Locator($"[data-testid=top-entries] tr:has(a:text-is('{number}'))")).ToContainTextAsync("4");
            Assert.False(await SeenByPerson.ScrollsSidewaysAsync(page), $"the dashboard scrolls sideways at {viewport}");

            // The figures behind the chart: today's row counts this test's applied calls and emails, not the dry run.
            await page.GetByText("Figures per day").ClickAsync();
            var today = page.GetByRole(AriaRole.Row).Filter(new() { HasText = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
            await today.ExpectSeenAsync("today's figures");
            var cells = await today.GetByRole(AriaRole.Cell).AllInnerTextsAsync();
            Assert.True(int.Parse(cells[1], NumberStyles.AllowThousands, CultureInfo.InvariantCulture) >= 4, $"today's calls: {cells[1]}");
            Assert.True(int.Parse(cells[2], NumberStyles.AllowThousands, CultureInfo.InvariantCulture) >= 2, $"today's emails: {cells[2]}");
            await Screenshots.SaveAsync(page, "dashboard-flow", Roles.Viewer, viewport);

            await link.ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/crm/settings/exceptions\?value=%2B" + number[1..]));
            await new ExceptionsPageObject(page).ExpectValuesAsync(number);
        });
    }
}
