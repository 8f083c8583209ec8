using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>Keeps a picture of each page, role and screen size, on every run, for a person to look at.</summary>
public static class Screenshots
{
    public static string Folder { get; } = Path.Combine(RepositoryRoot.Path, "CrmAdmin.Tests", "TestResults", "screenshots");

    /// <summary>Saves the whole page as <c>{page}-{role}-{width}x{height}.png</c> under <see cref="Folder"/>; returns the path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name, string role, Viewport viewport)
    {
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, $"{name}-{role.ToLowerInvariant()}-{viewport.Width}x{viewport.Height}.png");
        // From the top: a full-page picture of a scrolled page shows the fixed app bar in the middle of it.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 10_000 });
        return path;
    }
}
