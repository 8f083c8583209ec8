using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>axe-core, run in the real browser on the page as it stands.</summary>
public static class Accessibility
{
    private static readonly string[] Failing = ["serious", "critical"];

    /// <summary>Fails with a readable list (rule, impact, help, the first elements and why) when axe finds a serious or critical violation.</summary>
    public static async Task ExpectNoSeriousViolationsAsync(IPage page, string where)
    {
        // Colours are checked as they end up: a snackbar caught mid fade-in (its text at 1.5:1) is not what a person reads.
        // Endless ones (a spinner) are left running, and the wait is bounded.
        await page.EvaluateAsync("""
            () => Promise.race([
              Promise.all(document.getAnimations()
                .filter(a => (a.effect?.getComputedTiming().endTime ?? Infinity) !== Infinity)
                .map(a => a.finished.catch(() => null))),
              new Promise(done => setTimeout(done, 3000)),
            ])
            """);
        // Only violations are read: axe still runs every rule, but details only the violations' nodes (a MudBlazor page's
        // passes listed every node: 1.6–2.8 s a run, about a fifth less without them).
        var result = await page.RunAxe(new AxeRunOptions { ResultTypes = [ResultType.Violations] });
        var violations = result.Violations.Where(v => Failing.Contains(v.Impact)).ToList();
        if (violations.Count == 0)
        {
            return;
        }

        var report = string.Join("\n", violations.Select(v =>
            $"- {v.Impact} · {v.Id}: {v.Help} ({v.HelpUrl})\n" + string.Join("\n", v.Nodes.Take(5).Select(n =>
                $"    {n.Target}: {Shorten(n.Html)}\n      {string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}"))));
        Assert.Fail($"axe found {violations.Count} serious or critical accessibility violation(s) on {where}:\n{report}");
    }

    private static string Shorten(string? html) => html is null ? "" : html.Length <= 160 ? html : html[..160] + "…";
}
