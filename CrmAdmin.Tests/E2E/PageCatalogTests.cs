using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// Every page in <see cref="PageCatalog"/>, for every role that may open it, at every
/// <see cref="Viewport"/> (the desktop sizes for the page's first role only, <see cref="Viewport.EveryRole"/>): its key elements are seen by a person (those marked whole, read whole), the page does not scroll sideways,
/// no empty box's placeholder is cut off,
/// axe-core finds nothing serious or critical (at one size per layout, <see cref="Viewport.Audited"/>: at the phone's for every role, at the
/// desktop's for the page's first role), and a screenshot is kept for a person to look at.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageCatalogTests(BrowserFixture browser)
{
    public static TheoryData<string, string, int, int> Cases()
    {
        var cases = new TheoryData<string, string, int, int>();
        foreach (var page in PageCatalog.Pages)
        {
            foreach (var role in page.Roles)
            {
                // The desktop sizes for the first role only (the one that sees the most): what differs by role is in the
                // markup at every size and is seen, and audited, at the phone's, where space is tightest; the desktop layout
                // is the same for every role, and no layout rule changes past 1280 px. Each case costs seconds of a CPU-bound
                // run, which took 851–911 s against CI's 900 on 2026-12-02 (the other roles at 1280 px were 29 cases, 75 s).
                foreach (var viewport in Viewport.All.Where(v => v.EveryRole || role == page.Roles[0]))
                {
                    cases.Add(page.Name, role, viewport.Width, viewport.Height);
                }
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public Task A_person_sees_the_key_elements_the_page_fits_and_axe_finds_nothing_serious(string page, string role, int width, int height)
    {
        var entry = PageCatalog.Find(page);
        var viewport = new Viewport(width, height);
        var where = $"{page} as {role} at {viewport}";
        return browser.RunOnKeptPageAsync($"catalog-{page}-{role}-{viewport}", BrowserFixture.EmailOf(role), viewport, async p =>
        {
            if (entry.Arrange is { } arrange)
            {
                await arrange(browser);
            }

            await p.GotoAsync(entry.Route);
            await p.Locator("main[data-interactive=true]").WaitForAsync();
            try
            {
                foreach (var key in await entry.KeyElements(p, viewport))
                {
                    await (key.Whole ? key.Locator.ExpectSeenWholeAsync($"{key.What} ({where})")
                        : key.WholeInTitle ? key.Locator.ExpectSeenWithWholeTextInTitleAsync($"{key.What} ({where})")
                        : key.Locator.ExpectSeenAsync($"{key.What} ({where})"));
                }

                Assert.False(await SeenByPerson.ScrollsSidewaysAsync(p), $"{where}: the page scrolls sideways");
                await SeenByPerson.ExpectNoPlaceholderCutAsync(p, where);
                // What a role sees differently is in the markup at every size, so the phone's audit covers it; the desktop
                // layout's audit runs for the role that sees the most. Each audit costs half a second or more, and CI's
                // 15 minutes are close.
                if (viewport.Audited && (viewport == Viewport.All[0] || role == entry.Roles[0]))
                {
                    await Accessibility.ExpectNoSeriousViolationsAsync(p, where);
                }
            }
            finally
            {
                await Screenshots.SaveAsync(p, page, role, viewport);
            }
        });
    }
}
