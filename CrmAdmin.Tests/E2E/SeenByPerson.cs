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

    // Runs in the page, in one round trip (each costs 20–40 ms on a busy 2-core machine, and a page test checks a score of
    // elements): waits, like Playwright's actionability check, until the element's box holds still for a frame (a drawer
    // sliding open), scrolls it to the middle of the view unless it is all in view already (the middle: at the nearest
    // edge the fixed app bar would lie over it), then says what keeps a person from seeing it (Problem).
    private const string ScrolledIntoViewThenProblem = """
        async element => {
          // A frame, or 100 ms should the page not be painting (a hidden page gets no animation frames).
          const frame = () => new Promise(done => { requestAnimationFrame(done); setTimeout(done, 100); });
          const same = (a, b) => a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height;
          let box = element.getBoundingClientRect();
          for (let i = 0; i < 60; i++) {
            await frame();
            const now = element.getBoundingClientRect();
            if (same(box, now)) break;
            box = now;
          }
          if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth)
            element.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
          return (
        """ + Problem + """
          )(element);
        }
        """;

    /// <summary>
    /// Waits until <paramref name="locator"/> (one element) is visible to Playwright, scrolls it into
    /// view, then fails with <paramref name="what"/> and the reason unless a person would see it.
    /// </summary>
    public static async Task ExpectSeenAsync(this ILocator locator, string what)
    {
        // A render of the server's next answer may replace the element between two steps (a picker's list of
        // the newest items giving way to the typed text's matches): the locator then finds the new one, and the
        // check starts again. Anything else fails at once.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Assertions.Expect(locator).ToBeVisibleAsync();
                var problem = await locator.EvaluateAsync<string?>(ScrolledIntoViewThenProblem);
                Assert.True(problem is null, $"{what} is not seen: {problem}");
                return;
            }
            catch (PlaywrightException e) when (attempt < 3 && e.Message.Contains("not attached to the DOM", StringComparison.Ordinal))
            {
            }
            catch (PlaywrightException e)
            {
                Assert.Fail($"{what} is not seen: {e.Message}");
            }
        }
    }

    /// <summary>
    /// <see cref="ExpectSeenAsync"/>, and the element's text is not cut: neither it nor anything in it
    /// overflows its own box (an ellipsis, a badge pushed out of a one-line cell), and the placeholder of an
    /// empty box in it fits the box (a browser cuts a placeholder off without an ellipsis, and no overflow
    /// shows it). For labels, badges and filter boxes, which say what a thing is; free text such as a
    /// comment may be cut on purpose, with its whole in a title (<see cref="ExpectSeenWithWholeTextInTitleAsync"/>).
    /// </summary>
    public static async Task ExpectSeenWholeAsync(this ILocator locator, string what)
    {
        await locator.ExpectSeenAsync(what);
        var cut = await locator.EvaluateAsync<string?>("""
            element => {
              const placeholderCut = 
            """ + PlaceholderCut + """
            ;
              for (const e of [element, ...element.querySelectorAll('*')]) {
                if (e instanceof HTMLInputElement) {
                  const problem = placeholderCut(e);
                  if (problem) return problem;
                  continue;
                }
                if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
                  return `"${(e.textContent || '').trim().slice(0, 40)}" needs ${e.scrollWidth} px and has ${e.clientWidth} px`;
              }
              return null;
            }
            """);
        Assert.True(cut is null, $"{what} is cut: {cut}");
    }

    // Runs in the page: why an empty one-line box's placeholder is cut off (a browser cuts it without an ellipsis,
    // and no overflow shows it), or null. A textarea wraps its placeholder, so only inputs are measured.
    private const string PlaceholderCut = """
        input => {
          if (!input.placeholder || input.value) return null;
          const style = getComputedStyle(input);
          const measure = document.createElement('canvas').getContext('2d');
          measure.font = style.font;
          const needs = measure.measureText(input.placeholder).width;
          const has = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
          return needs > has + 1 ? `the placeholder "${input.placeholder}" needs ${Math.ceil(needs)} px and has ${Math.floor(has)} px` : null;
        }
        """;

    /// <summary>Fails with <paramref name="where"/> when a visible empty box on the page shows its placeholder cut off: a hint a person cannot read whole.</summary>
    public static async Task ExpectNoPlaceholderCutAsync(IPage page, string where)
    {
        var cut = await page.EvaluateAsync<string[]>("""
            () => {
              const placeholderCut = 
            """ + PlaceholderCut + """
            ;
              return [...document.querySelectorAll('input[placeholder]')]
                .filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
                .map(e => { const problem = placeholderCut(e); return problem ? `${e.labels?.[0]?.textContent?.trim() || e.getAttribute('aria-label') || e.id}: ${problem}` : null; })
                .filter(p => p);
            }
            """);
        Assert.True(cut.Length == 0, $"{where}: {string.Join("; ", cut)}");
    }

    /// <summary>
    /// <see cref="ExpectSeenAsync"/>, and when the element's text is cut (an ellipsis in a grid cell, on purpose),
    /// its whole text is still there for a person: in the element's title, or a title around it.
    /// </summary>
    public static async Task ExpectSeenWithWholeTextInTitleAsync(this ILocator locator, string what)
    {
        await locator.ExpectSeenAsync(what);
        var lost = await locator.EvaluateAsync<string?>("""
            element => {
              const cut = [element, ...element.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible');
              if (!cut) return null;
              const text = (element.textContent || '').trim();
              const titled = element.closest('[title]');
              const title = titled ? titled.getAttribute('title') : null;
              return title !== null && title.includes(text) ? null : `"${text.slice(0, 40)}…" is cut and its title is ${title === null ? 'missing' : `"${title.slice(0, 40)}…"`}`;
            }
            """);
        Assert.True(lost is null, $"{what}: {lost}");
    }

    /// <summary>Whether the page scrolls sideways: a person then has to hunt for content off the right edge.</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
}
