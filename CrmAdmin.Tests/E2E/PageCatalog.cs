using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// A browser window size the app must fit (issue 12): a phone, the smallest desktop on which the menu
/// stays open beside the content, a common laptop, and a wide screen. No layout rule of the app changes
/// between 1280 and 1920 px, so the laptop's is seen for the page's first role only, and not audited.
/// </summary>
public sealed record Viewport(int Width, int Height)
{
    public static readonly IReadOnlyList<Viewport> All = [new(390, 844), new(1280, 800), new(1440, 900), new(1920, 1080)];

    /// <summary>
    /// Where axe-core runs: one size per layout (the phone's, with the menu behind a button, and the first
    /// desktop one, with the menu beside the content). What axe checks (names, roles, contrast, landmarks)
    /// does not change between desktop widths, and each run costs a second or more per page and role. At the desktop size,
    /// <see cref="PageCatalogTests"/> audits the page's first role only.
    /// </summary>
    public bool Audited => this == All[0] || this == All[1];

    /// <summary>
    /// Whether every role is seen at this size, or only the page's first, the one that sees the most (the desktop sizes: see
    /// PageCatalogTests). The phone's is where space is tightest and what a role sees differently shows first.
    /// </summary>
    public bool EveryRole => this == All[0];

    /// <summary>From MudBlazor's Lg breakpoint (1280 px) the menu is open beside the content; below it, behind the menu button.</summary>
    public bool MenuBesideContent => Width >= 1280;

    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>
/// Something a person must be able to see on a page, named for the failure message; <paramref name="Whole"/>:
/// its text must be read whole too, not cut with an ellipsis (a label, a badge, a box's placeholder), where a long
/// comment may be; <paramref name="WholeInTitle"/>: text cut on purpose must keep its whole in a title.
/// </summary>
public sealed record KeyElement(string What, ILocator Locator, bool Whole = false, bool WholeInTitle = false);

/// <summary>
/// One page as the catalog test opens it: its <paramref name="Name"/> (file-name friendly, used in
/// screenshot names), the <paramref name="Route"/> to open, the built-in <paramref name="Roles"/>
/// (<see cref="Domain.Access.Roles"/>) that may open it, and <paramref name="KeyElements"/>: given the
/// opened page and the window size, do what a person does to reach the elements (open the menu on a
/// phone, expand a panel) and return them. Locate by role, label, text or data-testid only.
/// </summary>
public sealed record CatalogPage(string Name, string Route, IReadOnlyList<string> Roles,
    Func<IPage, Viewport, Task<IReadOnlyList<KeyElement>>> KeyElements)
{
    /// <summary>Optional: puts the data the key elements show in place before the page opens. Runs before every case, so it must be idempotent.</summary>
    public Func<BrowserFixture, Task>? Arrange { get; init; }
}

/// <summary>
/// Every page of the app × the roles that may open it; <see cref="PageCatalogTests"/> runs each at
/// each <see cref="Viewport"/>. Add a page here when you add or port one.
/// </summary>
public static class PageCatalog
{
    private static readonly string[] Everyone = [Roles.Administrator, Roles.Supervisor, Roles.Viewer];
    private static readonly string[] Editors = [Roles.Administrator, Roles.Supervisor];

    /// <summary>An entry of each type the catalog's list shows with an expiry: its value, its type as the grid says it, and its badges besides "expires".</summary>
    private static readonly (string Value, string Type, string[] Badges)[] CatalogKinds =
    [
        ("+14155550177", "Phone", []),
        ("bot@catalog.example", "Email", []),
        ("@catalog.example", "Email domain", []),
        ("@*.catalog-mail.example", "Domain and subdomains", ["subdomains"]),
        ("+44909*", "Number prefix", ["prefix"]),
    ];

    public static readonly IReadOnlyList<CatalogPage> Pages =
    [
        // The layout, on a page with little of its own: the menu must be reachable at every size.
        new("layout", "/not-found", Everyone, async (page, viewport) =>
        {
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main menu" });
            if (!viewport.MenuBesideContent)
            {
                await OpenMenuAsync(page, menu.GetByRole(AriaRole.Link, new() { Name = "Exceptions", Exact = true }));
            }

            var last = await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).CountAsync() > 0 ? "Audit log" : "Mode and repeated leads";
            return
            [
                new("the Exceptions menu item", menu.GetByRole(AriaRole.Link, new() { Name = "Exceptions", Exact = true })),
                new($"the last menu item, {last}", menu.GetByRole(AriaRole.Link, new() { Name = last })),
            ];
        }),
        new("not-found", "/not-found", Everyone, (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the Page not found heading", page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })),
            new("the link to the start page", page.GetByRole(AriaRole.Link, new() { Name = "Go to the start page" })),
            new("the signed-in user", page.GetByRole(AriaRole.Banner).GetByText("@test.local")),
            new("the Sign out button", page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })),
        ])),
        // The list with a known row whose comment is long enough to be cut: its value, comment and
        // row menu must all be in sight at every size (at 1280 px they once fell off the right edge).
        new("exceptions", "/crm/settings/exceptions?comment=catalog-row", Everyone, async (page, viewport) =>
        {
            var exceptions = new ExceptionsPageObject(page);
            var row = exceptions.Row(CatalogRowValue);
            // On a phone the type and comment read under the value, in place of their own columns.
            var onPhone = viewport.Width < 600;
            var comment = onPhone ? "entry-comment-narrow" : "entry-comment";
            var type = onPhone ? "entry-type-narrow" : "entry-type";
            var keys = new List<KeyElement>
            {
                new("the Exceptions heading", page.GetByRole(AriaRole.Heading, new() { Name = "Exceptions", Exact = true })),
                new("the Search button", page.GetByRole(AriaRole.Button, new() { Name = "Search" })),
                new("the Export CSV link", exceptions.ExportLink),
                // The filter boxes' labels and placeholders read whole: they say what to type.
                new("the comment filter", page.GetByLabel("Comment contains"), Whole: true),
                new("the value filter", page.GetByLabel("Phone or email contains"), Whole: true),
                new("the known row's value", row.GetByTestId("entry-value"), WholeInTitle: true),
                new("the known row's comment", row.GetByTestId(comment), WholeInTitle: true),
                new("the known row's added by", row.GetByTestId("entry-added-by"), Whole: true),
            };
            // X1, X4, X8–X10: an entry of each type, each with an expiry, its type and badges read whole.
            foreach (var (value, typeLabel, badges) in CatalogKinds)
            {
                var kind = exceptions.Row(value);
                keys.Add(new($"the {typeLabel} row's type", kind.GetByTestId(type), Whole: true));
                foreach (var badge in badges.Append("expires"))
                {
                    keys.Add(new($"the {typeLabel} row's {badge} badge", kind.Locator($"[data-badge={badge}]"), Whole: true));
                }
            }
            if (await page.GetByRole(AriaRole.Button, new() { Name = "Add to list" }).CountAsync() > 0)
            {
                keys.Add(new("the Add to list button", page.GetByRole(AriaRole.Button, new() { Name = "Add to list" })));
                keys.Add(new("the known row's select box", row.GetByRole(AriaRole.Checkbox)));
                keys.Add(new("the known row's menu", row.GetByRole(AriaRole.Button, new() { Name = $"Actions for {CatalogRowValue}" })));
            }

            return keys;
        })
        {
            Arrange = ArrangeCatalogRowAsync,
        },
        // Add to list with a report that has a problem line, as an editor sees it after an import.
        new("exceptions-import", "/crm/settings/exceptions?comment=catalog-row", Editors, async (page, _) =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.ImportAsync($"{CatalogRowValue};catalog-row again\n4155550198;catalog-row a line whose number lacks the plus and the country code");
            var report = exceptions.Report;
            return
            [
                new("the paste box", exceptions.PasteBox),
                new("the Import button", page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true })),
                new("the file upload", page.GetByLabel("Upload a .txt or .csv file")),
                new("the added count", report.Locator("[data-count=added]")),
                new("the already listed count", report.Locator("[data-count=already-listed]")),
                new("the invalid count", report.Locator("[data-count=invalid]")),
                new("the invalid line's reason", report.GetByTestId("problem-reason").Filter(new() { HasText = "country code" }), Whole: true),
                new("the keep-only-lines-to-fix button", report.GetByRole(AriaRole.Button, new() { Name = "Keep only the 2 lines not added in the box" })),
                new("the report download", report.GetByRole(AriaRole.Button, new() { Name = "Download report (CSV)" })),
            ];
        })
        {
            Arrange = ArrangeCatalogRowAsync,
        },
        // The Imports history, with the catalog's import that expires: its dates read whole, and the page does not
        // widen on a phone (a hidden column name once placed outside the table's scroll box made it 849 px wide).
        new("exceptions-imports", "/crm/settings/exceptions?comment=catalog-row", Everyone, async (page, _) =>
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Imports", Exact = true }).ClickAsync();
            var history = page.GetByTestId("import-history");
            var newest = history.Locator("tbody tr").Filter(new() { Has = page.GetByTestId("import-expiring") }).First;
            return
            [
                new("the Imports heading", page.GetByRole(AriaRole.Heading, new() { Name = "Imports", Exact = true })),
                new("the newest expiring import's time", newest.Locator("time"), Whole: true),
                new("the newest expiring import's expiry", newest.GetByTestId("import-expiring"), Whole: true),
            ];
        })
        {
            Arrange = ArrangeCatalogRowAsync,
        },
        // The row menu and the confirmation it opens (not confirmed: the row stays for the other cases).
        new("exceptions-remove", "/crm/settings/exceptions?comment=catalog-row", Editors, async (page, _) =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.Row(CatalogRowValue).GetByRole(AriaRole.Button, new() { Name = $"Actions for {CatalogRowValue}" }).ClickAsync();
            var item = page.GetByRole(AriaRole.Menuitem, new() { Name = "Remove from exceptions" });
            await item.ExpectSeenAsync("the Remove from exceptions menu item");
            await item.ClickAsync();
            return
            [
                new("the dialog's question", exceptions.Dialog.GetByText("Remove 1 entry?")),
                new("the value to remove", exceptions.Dialog.GetByTestId("values-to-remove").GetByText(CatalogRowValue)),
                new("the Cancel button", exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })),
                new("the Remove button", exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true })),
            ];
        })
        {
            Arrange = ArrangeCatalogRowAsync,
        },
        // Users is for administrators only: the others are sent to the one Access denied page.
        new("access-denied", "/crm/settings/users", [Roles.Supervisor, Roles.Viewer], (page, _) => Task.FromResult<IReadOnlyList<KeyElement>>(
        [
            new("the Access denied heading", page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })),
            new("the link to a page the role may open", page.GetByRole(AriaRole.Link, new() { Name = "Go to the exception list" })),
        ])),
        .. CrmCatalogPages.All,
        .. DashboardCatalogPages.All,
    ];

    /// <summary>The row the exceptions entry puts in place and looks for.</summary>
    public const string CatalogRowValue = "+14155550199";

    private static async Task ArrangeCatalogRowAsync(BrowserFixture browser)
    {
        using var admin = await browser.App.CreateAdminClientAsync();
        var response = await admin.PostAsync("/api/exceptions/import", new StringContent(
            $"{CatalogRowValue};catalog-row: a robocaller that rings every weekday morning from a rotating set of numbers",
            System.Text.Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
        var kinds = await admin.PostAsync("/api/exceptions/import?expiresInDays=30", new StringContent(
            string.Join("\n", CatalogKinds.Select(k => $"{k.Value};catalog-row {k.Type}")), System.Text.Encoding.UTF8, "text/plain"));
        kinds.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Opens the menu drawer with the Menu button, as a person on a phone does, and waits until it has
    /// slid fully into view. A tap in the first moments can cross the drawer closing itself for the
    /// small screen, so a tap that did not open it is repeated, as a person would.
    /// </summary>
    public static async Task OpenMenuAsync(IPage page, ILocator itemInMenu)
    {
        for (var attempt = 1; ; attempt++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
            try
            {
                await Assertions.Expect(itemInMenu).ToBeInViewportAsync(new() { Ratio = 1, Timeout = 3_000 });
                return;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
            }
        }
    }

    public static CatalogPage Find(string name) => Pages.Single(p => p.Name == name);
}
