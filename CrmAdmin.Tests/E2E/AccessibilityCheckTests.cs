using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// The accessibility check itself (<see cref="Accessibility"/>): it must fail on what axe-core calls serious or
/// critical, naming the rule and the element, and pass a page without such faults; otherwise every page test's
/// audit would pass for the wrong reason.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityCheckTests(BrowserFixture browser)
{
    private const string Dot = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";

    [Fact]
    public Task A_page_with_an_unnamed_button_and_an_image_without_text_fails_naming_both() =>
        OnPageAsync($"""<img src="{Dot}" id="no-alt"><button id="no-name"></button>""", async page =>
        {
            var failure = await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => Accessibility.ExpectNoSeriousViolationsAsync(page, "the broken page"));

            Assert.Contains("critical · image-alt", failure.Message);
            Assert.Contains("#no-alt", failure.Message);
            Assert.Contains("critical · button-name", failure.Message);
            Assert.Contains("#no-name", failure.Message);
            Assert.Contains("the broken page", failure.Message);
        });

    [Fact]
    public Task A_page_whose_image_and_button_are_named_passes() =>
        OnPageAsync($"""<img src="{Dot}" alt="A dot"><button>Save</button>""", async page =>
        {
            await Accessibility.ExpectNoSeriousViolationsAsync(page, "the fine page");
            Assert.Empty(await Accessibility.RunAxeAsync(page));
        });

    /// <summary>Runs <paramref name="test"/> on a page of its own whose main holds a heading and <paramref name="body"/>.</summary>
    private async Task OnPageAsync(string body, Func<IPage, Task> test)
    {
        await using var context = await browser.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SetContentAsync($"""
            <!doctype html><html lang="en"><head><title>Check</title></head>
            <body><main><h1>Check</h1>{body}</main></body></html>
            """);
        await test(page);
    }
}
