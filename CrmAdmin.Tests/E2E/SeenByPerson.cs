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
    // elements; the suite is CPU-bound there, so every round trip saved is time): waits until the element is visible as
    // Playwright means it (a box, not visibility: hidden) and its box holds still for a frame (a drawer sliding open),
    // scrolls it to the middle of the view unless it is all in view already (the middle: at the nearest edge the fixed app
    // bar would lie over it), then says what keeps a person from seeing it (Problem), and then what cuts its text (the
    // check named by the argument: Cut or LostTitle), or null. Detached says the page replaced the element meanwhile; hidden,
    // that it has no box after the wait (or lost it while settling) though still in the page.
    private const string ScrolledIntoViewThenProblem = """
        async (element, textCheck) => {
          // A frame, or 100 ms should the page not be painting (a hidden page gets no animation frames).
          const frame = () => new Promise(done => { requestAnimationFrame(done); setTimeout(done, 100); });
          const visible = () => { const r = element.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(element).visibility === 'visible'; };
          for (const until = Date.now() + 10000; !visible() && Date.now() < until; ) {
            if (!element.isConnected) return 'detached';
            await frame();
          }
          if (!element.isConnected) return 'detached';
          const same = (a, b) => a.left === b.left && a.top === b.top && a.width === b.width && a.height === b.height;
          let box = element.getBoundingClientRect();
          for (let i = 0; i < 60; i++) {
            await frame();
            const now = element.getBoundingClientRect();
            if (same(box, now)) break;
            box = now;
          }
          if (!element.isConnected) return 'detached';
          if (!visible()) return 'hidden';
          if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth)
            element.scrollIntoView({ block: 'center', inline: 'nearest', behavior: 'instant' });
          const problem = (
        """ + Problem + """
          )(element);
          if (problem) return 'is not seen: ' + problem;
          const placeholderCut = 
        """ + PlaceholderCut + """
        ;
          // Text past its box's edge: sideways (an ellipsis, a one-line cell) or below a box that clips it
          // (a comment clamped to two lines); a box that scrolls down is not cutting anything off.
          const overflows = e => {
            const style = getComputedStyle(e);
            return (e.scrollWidth > e.clientWidth + 1 && style.overflowX !== 'visible')
              || (e.scrollHeight > e.clientHeight + 1 && (style.overflowY === 'hidden' || style.overflowY === 'clip'));
          };
          const checks = {
            Cut: () => {
              for (const e of [element, ...element.querySelectorAll('*')]) {
                if (e instanceof HTMLInputElement) {
                  const problem = placeholderCut(e);
                  if (problem) return problem;
                  continue;
                }
                if (overflows(e))
                  return `"${(e.textContent || '').trim().slice(0, 40)}" needs ${e.scrollWidth}×${e.scrollHeight} px and has ${e.clientWidth}×${e.clientHeight} px`;
              }
              return null;
            },
            LostTitle: () => {
              const cut = [element, ...element.querySelectorAll('*')].some(overflows);
              if (!cut) return null;
              const text = (element.textContent || '').trim();
              const titled = element.closest('[title]');
              const title = titled ? titled.getAttribute('title') : null;
              return title !== null && title.includes(text) ? null : `"${text.slice(0, 40)}…" is cut and its title is ${title === null ? 'missing' : `"${title.slice(0, 40)}…"`}`;
            },
          };
          const lost = textCheck ? checks[textCheck]() : null;
          return lost ? (textCheck === 'Cut' ? 'is cut: ' : 'has its text cut: ') + lost : null;
        }
        """;

    /// <summary>What <see cref="ScrolledIntoViewThenProblem"/> answers when the page replaced the element while it waited (its 'detached').</summary>
    private const string Detached = "detached";

    /// <summary>
    /// What <see cref="ScrolledIntoViewThenProblem"/> answers when the element is in the page but has no box (its 'hidden'):
    /// the list it belonged to closed while its successor opened elsewhere (a picker's list of the newest items giving way to
    /// the typed text's matches, the item kept a moment in the closed list).
    /// </summary>
    private const string Hidden = "hidden";

    /// <summary>
    /// Waits until <paramref name="locator"/> (one element) is visible, scrolls it into view, then fails with
    /// <paramref name="what"/> and the reason unless a person would see it.
    /// </summary>
    public static Task ExpectSeenAsync(this ILocator locator, string what) => locator.ExpectSeenAsync(what, textCheck: null);

    /// <summary>
    /// <see cref="ExpectSeenAsync(ILocator, string)"/> and then, in the same round trip, the text check named
    /// <paramref name="textCheck"/> (null for none; see <see cref="ScrolledIntoViewThenProblem"/>).
    /// </summary>
    private static async Task ExpectSeenAsync(this ILocator locator, string what, string? textCheck)
    {
        // A render of the server's next answer may replace or hide the element between two steps (a picker's list of
        // the newest items giving way to the typed text's matches): the locator then finds the new one, and the
        // check starts again. Anything else fails at once.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var problem = await locator.EvaluateAsync<string?>(ScrolledIntoViewThenProblem, textCheck);
                if (problem is Detached or Hidden && attempt < 3)
                {
                    continue;
                }

                Assert.True(problem is null, $"{what} {(problem == Hidden ? "is not seen: it has no box (hidden, or an empty box) for 10 s" : problem)}");
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
    /// <see cref="ExpectSeenAsync(ILocator, string)"/>, and the element's text is not cut: neither it nor anything in it
    /// overflows its own box (an ellipsis, a badge pushed out of a one-line cell), and the placeholder of an
    /// empty box in it fits the box (a browser cuts a placeholder off without an ellipsis, and no overflow
    /// shows it). For labels, badges and filter boxes, which say what a thing is; free text such as a
    /// comment may be cut on purpose, with its whole in a title (<see cref="ExpectSeenWithWholeTextInTitleAsync"/>).
    /// </summary>
    public static Task ExpectSeenWholeAsync(this ILocator locator, string what) => locator.ExpectSeenAsync(what, "Cut");

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
    /// <see cref="ExpectSeenAsync(ILocator, string)"/>, and when the element's text is cut (an ellipsis in a grid cell, on purpose),
    /// its whole text is still there for a person: in the element's title, or a title around it.
    /// </summary>
    public static Task ExpectSeenWithWholeTextInTitleAsync(this ILocator locator, string what) => locator.ExpectSeenAsync(what, "LostTitle");

    /// <summary>Whether the page scrolls sideways: a person then has to hunt for content off the right edge.</summary>
    public static Task<bool> ScrollsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1");
}
