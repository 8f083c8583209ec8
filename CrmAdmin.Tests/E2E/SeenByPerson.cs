using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// Asserts what a person sees, not what the DOM holds: an element is seen when it has a real box,
/// that box lies inside the viewport and inside every ancestor that clips it (a scroll container,
/// an overflow-hidden cell), and a click at its centre would hit it and not something laid over it.
/// </summary>
public static class SeenByPerson
{
    // Runs in the page. Returns null when the element is seen, else why not, in words for the test report.
    private const string Problem = """
        element => {
          const box = element.getBoundingClientRect();
          const size = `${Math.round(box.width)}×${Math.round(box.height)} at (${Math.round(box.left)}, ${Math.round(box.top)})`;
          if (box.width < 1 || box.height < 1) return `its box is ${size}`;
          const tolerance = 1;
          const outside = (clip) => box.left < clip.left - tolerance || box.top < clip.top - tolerance
            || box.right > clip.right + tolerance || box.bottom > clip.bottom + tolerance;
          const viewport = { left: 0, top: 0, right: document.documentElement.clientWidth, bottom: document.documentElement.clientHeight };
          if (outside(viewport)) return `its box ${size} is not inside the ${viewport.right}×${viewport.bottom} viewport`;
          for (let ancestor = element.parentElement; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
            const style = getComputedStyle(ancestor);
            const clipsX = style.overflowX !== 'visible', clipsY = style.overflowY !== 'visible';
            if (clipsX || clipsY) {
              const r = ancestor.getBoundingClientRect();
              // The client box: inside the borders, without the scrollbars.
              const left = r.left + ancestor.clientLeft, top = r.top + ancestor.clientTop;
              const clip = {
                left: clipsX ? left : -Infinity, right: clipsX ? left + ancestor.clientWidth : Infinity,
                top: clipsY ? top : -Infinity, bottom: clipsY ? top + ancestor.clientHeight : Infinity,
              };
              if (outside(clip)) {
                const name = ancestor.tagName.toLowerCase() + (ancestor.id ? '#' + ancestor.id : '');
                return `its box ${size} is cut off by its scroll/overflow container <${name}> (${Math.round(clip.left)}..${Math.round(clip.right)} × ${Math.round(clip.top)}..${Math.round(clip.bottom)})`;
              }
            }
            if (style.position === 'fixed') break;
          }
          const x = box.left + box.width / 2, y = box.top + box.height / 2;
          const hit = document.elementFromPoint(x, y);
          const labels = element.labels ? [...element.labels] : [];
          if (hit && (element === hit || element.contains(hit) || labels.some(l => l.contains(hit)))) return null;
          const describe = (e) => e ? `<${e.tagName.toLowerCase()}${e.id ? ' id=' + e.id : ''}> "${(e.textContent || '').trim().slice(0, 40)}"` : 'nothing';
          return `a click at its centre (${Math.round(x)}, ${Math.round(y)}) hits ${describe(hit)} laid over it`;
        }
        """;

    /// <summary>
    /// Waits until <paramref name="locator"/> (one element) is visible to Playwright, scrolls it into
    /// view, then fails with <paramref name="what"/> and the reason unless a person would see it.
    /// </summary>
    public static async Task ExpectSeenAsync(this ILocator locator, string what)
    {
        try
        {
            await Assertions.Expect(locator).ToBeVisibleAsync();
            await locator.ScrollIntoViewIfNeededAsync();
            // Playwright leaves an element that is partly in view where it is (a paste box one pixel above
            // the top, after the page moved to a report): a person scrolls until it is all there.
            await locator.EvaluateAsync("""
                e => {
                  const r = e.getBoundingClientRect();
                  if (r.top < 0 || r.left < 0 || r.bottom > innerHeight || r.right > innerWidth) e.scrollIntoView({ block: 'nearest', inline: 'nearest' });
                }
                """);
        }
        catch (PlaywrightException e)
        {
            Assert.Fail($"{what} is not seen: {e.Message}");
        }

        var problem = await locator.EvaluateAsync<string?>(Problem);
        Assert.True(problem is null, $"{what} is not seen: {problem}");
    }

    /// <summary>
    /// <see cref="ExpectSeenAsync"/>, and the element's text is not cut: neither it nor anything in it
    /// overflows its own box (an ellipsis, a badge pushed out of a one-line cell). For labels and badges,
    /// which say what a row is; free text such as a comment may be cut on purpose, with its whole in a title.
    /// </summary>
    public static async Task ExpectSeenWholeAsync(this ILocator locator, string what)
    {
        await locator.ExpectSeenAsync(what);
        var cut = await locator.EvaluateAsync<string?>("""
            element => {
              for (const e of [element, ...element.querySelectorAll('*')]) {
                if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
                  return `"${(e.textContent || '').trim().slice(0, 40)}" needs ${e.scrollWidth} px and has ${e.clientWidth} px`;
              }
              return null;
            }
            """);
        Assert.True(cut is null, $"{what} is cut: {cut}");
    }

    /// <summary>Whether the page scrolls sideways: a person then has to hunt for content off the right edge.</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
}
