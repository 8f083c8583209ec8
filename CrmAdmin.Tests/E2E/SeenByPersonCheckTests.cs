using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// The seen check itself (<see cref="SeenByPerson"/>): it must fail on an element a person cannot see or read whole, saying
/// why, and pass one they can, including one that appears or is replaced while it waits; otherwise every page test's key
/// elements would pass for the wrong reason.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SeenByPersonCheckTests(BrowserFixture browser)
{
    [Fact]
    public Task An_element_under_another_or_cut_off_by_its_container_is_not_seen() =>
        OnPageAsync("""
            <button id="covered">Covered</button>
            <div style="position: fixed; left: 0; top: 230px; width: 200px; height: 40px; background: white">Over it</div>
            <div style="width: 80px; height: 40px; overflow: hidden"><button id="clipped" style="margin-left: 200px">Clipped</button></div>
            """, async page =>
        {
            var covered = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#covered").ExpectSeenAsync("the covered button"));
            Assert.Contains("the covered button is not seen: a click at its centre", covered.Message);
            Assert.Contains("\"Over it\"", covered.Message);

            var clipped = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#clipped").ExpectSeenAsync("the clipped button"));
            Assert.Contains("is cut off by its scroll/overflow container <div>", clipped.Message);
        });

    [Fact]
    public Task A_label_cut_short_fails_whole_and_cut_text_needs_its_whole_in_a_title() =>
        OnPageAsync("""
            <span id="label" style="display: inline-block; width: 60px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis">A label much too long for its box</span>
            <span id="untitled" style="display: inline-block; width: 60px; overflow: hidden; white-space: nowrap">A comment much too long</span>
            <span id="titled" title="A comment much too long" style="display: inline-block; width: 60px; overflow: hidden; white-space: nowrap">A comment much too long</span>
            <input id="box" style="width: 60px" placeholder="A placeholder much too long">
            <div id="clamped" style="width: 80px; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden">A comment of many words, clamped to two lines</div>
            <div id="wrapped" style="width: 80px; white-space: normal">A reason of many words that wraps</div>
            """, async page =>
        {
            var clamped = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#clamped").ExpectSeenWholeAsync("the clamped comment"));
            Assert.Contains("the clamped comment is cut: \"A comment of many words", clamped.Message);
            await page.Locator("#wrapped").ExpectSeenWholeAsync("the wrapped reason");

            var label = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#label").ExpectSeenWholeAsync("the label"));
            Assert.Contains("the label is cut: \"A label much too long for its box\" needs", label.Message);

            var box = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#box").ExpectSeenWholeAsync("the box"));
            Assert.Contains("the placeholder \"A placeholder much too long\" needs", box.Message);

            var untitled = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => page.Locator("#untitled").ExpectSeenWithWholeTextInTitleAsync("the comment"));
            Assert.Contains("its title is missing", untitled.Message);
            await page.Locator("#titled").ExpectSeenWithWholeTextInTitleAsync("the titled comment");
        });

    [Fact]
    public Task An_element_that_appears_late_or_is_replaced_while_waited_for_is_seen_whole() =>
        OnPageAsync("""<div id="slot"></div>""", async page =>
        {
            // Added hidden after 100 ms, then replaced by a visible copy 300 ms later, as a server's render may.
            await page.EvaluateAsync("""
                () => {
                  const add = () => { const b = document.createElement('button'); b.id = 'late'; b.textContent = 'Late'; document.getElementById('slot').replaceChildren(b); };
                  setTimeout(() => { add(); document.getElementById('late').style.visibility = 'hidden'; }, 100);
                  setTimeout(add, 400);
                }
                """);

            await page.Locator("#late").ExpectSeenWholeAsync("the late button");
            await page.Locator("#late").ExpectSeenAsync("the late button again");
        });

    /// <summary>Runs <paramref name="test"/> on a 800×600 page of its own whose main holds <paramref name="body"/>.</summary>
    private async Task OnPageAsync(string body, Func<IPage, Task> test)
    {
        await using var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 800, Height = 600 } });
        var page = await context.NewPageAsync();
        await page.SetContentAsync($"""
            <!doctype html><html lang="en"><head><title>Check</title></head>
            <body style="margin: 0"><main style="padding-top: 240px">{body}</main></body></html>
            """);
        await test(page);
    }
}
