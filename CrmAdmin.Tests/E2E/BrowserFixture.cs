using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// The app on a real Kestrel port over its own SQLite file, and Debian's headless Chromium driven by
/// Playwright (Playwright cannot download its own browser here). One of each per test collection.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CRMADMIN_CHROMIUM") ?? "/usr/bin/chromium";

    private IPlaywright? playwright;

    public CrmAdminFactory App { get; } = new();
    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            // Without the background-networking flags Chromium keeps dialing out on a closed network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh browser context per test; a screenshot is kept when the test fails.</summary>
    public async Task RunAsync(string name, Func<IPage, Task> test)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        try
        {
            await test(page);
        }
        catch
        {
            await KeepScreenshotAsync(page, name);
            throw;
        }
    }

    private static async Task KeepScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot.Path, "CrmAdmin.Tests", "TestResults", "e2e");
        Directory.CreateDirectory(folder);
        try
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true, Timeout = 5_000 });
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            // The test's own failure is what matters; a page too broken to photograph must not hide it.
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
        await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
