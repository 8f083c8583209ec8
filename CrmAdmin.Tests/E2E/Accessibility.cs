using Deque.AxeCore.Commons;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>axe-core, run in the real browser on the page as it stands.</summary>
public static class Accessibility
{
    private static readonly string[] Failing = ["serious", "critical"];

    // axe-core as Deque bundles it with its .NET bindings (Deque.AxeCore.Commons), read once.
    private static readonly Lazy<string> AxeSource = new(() => new BundledAxeScriptProvider().GetScript());

    /// <summary>One rule axe found broken: its impact ("minor" … "critical"), what it asks for, and the first five elements with why (deserialized by Playwright, hence settable properties).</summary>
    public sealed record Violation
    {
        public string Id { get; init; } = "";
        public string Impact { get; init; } = "";
        public string Help { get; init; } = "";
        public string HelpUrl { get; init; } = "";
        public int Count { get; init; }
        public ViolatingNode[] Nodes { get; init; } = [];
    }

    /// <summary>An element a <see cref="Violation"/> names: its CSS selector path, its HTML and axe's messages.</summary>
    public sealed record ViolatingNode
    {
        public string Target { get; init; } = "";
        public string Html { get; init; } = "";
        public string Why { get; init; } = "";
    }

    /// <summary>
    /// Runs every axe-core rule on <paramref name="page"/>'s document and returns the violations, the first five
    /// elements of each. The app has no frames, so <c>axe.run</c> on the document sees all of it. Deque's own
    /// <c>page.RunAxe</c> runs axe frame by frame and then finishes the report in a second, blank page it opens for
    /// the purpose: 2.6–4.3 s a run on a 2-core machine, where <c>axe.run</c> itself takes 0.4 s.
    /// </summary>
    public static async Task<Violation[]> RunAxeAsync(IPage page)
    {
        // Evaluated, not added as a script tag: the app's Content-Security-Policy refuses inline scripts.
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe?.run === 'function'"))
        {
            await page.EvaluateAsync(AxeSource.Value);
        }

        return await page.EvaluateAsync<Violation[]>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.map(v => ({
                id: v.id, impact: v.impact ?? '', help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
                nodes: v.nodes.slice(0, 5).map(n => ({
                  target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : t).join(' '),
                  html: n.html,
                  why: [...n.any, ...n.all, ...n.none].map(c => c.message).join('; '),
                })),
              }));
            }
            """);
    }

    /// <summary>Fails with a readable list (rule, impact, help, the first elements and why) when axe finds a serious or critical violation.</summary>
    public static async Task ExpectNoSeriousViolationsAsync(IPage page, string where)
    {
        // Colours are checked as they end up: a snackbar caught mid fade-in (its text at 1.5:1) is not what a person reads.
        // Endless ones (a spinner) are left running, and the wait is bounded. A snackbar can also appear while axe runs, after
        // the wait (a loaded machine: its text at 2.4:1), so violations are checked a second time, after its animation.
        List<Violation> violations = [];
        for (var attempt = 0; attempt < 2 && (attempt == 0 || violations.Count > 0); attempt++)
        {
            await page.EvaluateAsync("""
                () => Promise.race([
                  Promise.all(document.getAnimations()
                    .filter(a => (a.effect?.getComputedTiming().endTime ?? Infinity) !== Infinity)
                    .map(a => a.finished.catch(() => null))),
                  new Promise(done => setTimeout(done, 3000)),
                ])
                """);
            violations = (await RunAxeAsync(page)).Where(v => Failing.Contains(v.Impact)).ToList();
        }

        if (violations.Count == 0)
        {
            return;
        }

        var report = string.Join("\n", violations.Select(v =>
            $"- {v.Impact} · {v.Id} ({v.Count} element(s)): {v.Help} ({v.HelpUrl})\n" + string.Join("\n", v.Nodes.Select(n =>
                $"    {n.Target}: {Shorten(n.Html)}\n      {n.Why}"))));
        Assert.Fail($"axe found {violations.Count} serious or critical accessibility violation(s) on {where}:\n{report}");
    }

    private static string Shorten(string? html) => html is null ? "" : html.Length <= 160 ? html : html[..160] + "…";
}
