using System.Net;
using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
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

    public const string Supervisor = "supervisor@test.local";
    public const string Viewer = "viewer@test.local";

    public BrowserFixture()
    {
        // Open pages re-check access every second here, so the tests need not wait the production interval.
        App = new(new Dictionary<string, string?> { ["Access:RevalidationSeconds"] = "1" }, testServices: services =>
        {
            services.AddSingleton<CircuitHandler>(Latency);
            services.ConfigureDbContext<CrmDbContext>(options => options.AddInterceptors(Latency.Queries));
        });
    }

    public CrmAdminFactory App { get; }

    /// <summary>Slows the app down for a flow that must hold on a busy server (off unless a test switches it on).</summary>
    public ServerLatency Latency { get; } = new();

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        BaseUrl = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        App.ClientOptions.BaseAddress = new Uri(BaseUrl);

        await App.CreateUserAsync(Supervisor, "Supervisor");
        await App.CreateUserAsync(Viewer, "Viewer");
        using (var admin = await App.CreateAdminClientAsync())
        {
            var line = await admin.PostAsync("/api/telephony/lines", new StringContent(
                "{\"number\":\"+1 212 555 0100\",\"name\":\"Sales line\"}", System.Text.Encoding.UTF8, "application/json"));
            line.EnsureSuccessStatusCode();
        }

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

    public static string PasswordOf(string email) => email == CrmAdminFactory.AdminEmail ? CrmAdminFactory.AdminPassword : CrmAdminFactory.UserPassword;

    /// <summary>The test user who holds a built-in role (<see cref="Roles"/>).</summary>
    public static string EmailOf(string role) => role switch
    {
        Roles.Administrator => CrmAdminFactory.AdminEmail,
        Roles.Supervisor => Supervisor,
        Roles.Viewer => Viewer,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "No test user holds this role."),
    };

    /// <summary>
    /// A fresh browser context per test, 1400×1000, with the cookies of the administrator's one sign-in (<see cref="NewPageSignedInBeforeAsync"/>:
    /// signing in through the form for each test cost 1–2 s of a CPU-bound run); a screenshot is kept when the test fails.
    /// </summary>
    public Task RunAsync(string name, Func<IPage, Task> test) => RunAsAsync(name, CrmAdminFactory.AdminEmail, new Viewport(1400, 1000), test);

    public Task RunAsAsync(string name, string email, Func<IPage, Task> test) => RunAsAsync(name, email, null, test);

    /// <summary>
    /// Runs <paramref name="test"/> in a fresh browser context of <paramref name="viewport"/>'s size
    /// (1400×1000 when null), signed in as <paramref name="email"/>; fails on any Content-Security-Policy refusal.
    /// </summary>
    public async Task RunAsAsync(string name, string email, Viewport? viewport, Func<IPage, Task> test)
    {
        var page = viewport is null ? await NewSignedInPageAsync(email) : await NewPageSignedInBeforeAsync(email, viewport);
        try
        {
            await RunOnAsync(page, name, test);
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>
    /// Runs <paramref name="test"/> on the page this fixture keeps for <paramref name="email"/> at <paramref name="viewport"/>'s
    /// size, opened on first use (<see cref="NewPageSignedInBeforeAsync"/>) and reused by the next test of the same user and
    /// size; fails on any Content-Security-Policy refusal, as <see cref="RunAsAsync(string, string, Viewport?, Func{IPage, Task})"/>.
    /// For tests that open a route and look (the page catalog): opening it starts a new page and Blazor circuit, so a test
    /// finds only the browser's cache and storage of the one before, not its page. A new context cost 0.5 s a test, and its
    /// empty cache fetched the styles and scripts again. The page is left on about:blank, which ends its circuit; a failed
    /// test's context is closed, so the next starts afresh.
    /// </summary>
    public async Task RunOnKeptPageAsync(string name, string email, Viewport viewport, Func<IPage, Task> test)
    {
        var key = (email, viewport);
        if (!keptPages.TryGetValue(key, out var page))
        {
            page = keptPages[key] = await NewPageSignedInBeforeAsync(email, viewport);
        }

        try
        {
            await RunOnAsync(page, name, test);
            await page.GotoAsync("about:blank");
        }
        catch
        {
            keptPages.Remove(key);
            await page.Context.CloseAsync();
            throw;
        }
    }

    private readonly Dictionary<(string Email, Viewport Viewport), IPage> keptPages = [];

    /// <summary>Runs <paramref name="test"/> on <paramref name="page"/>, failing on any Content-Security-Policy refusal; keeps a screenshot when it fails.</summary>
    private static async Task RunOnAsync(IPage page, string name, Func<IPage, Task> test)
    {
        var refused = new List<string>();
        // Every flow also proves the Content-Security-Policy lets the app work: any refusal fails the test.
        void OnConsole(object? sender, IConsoleMessage message)
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                refused.Add(message.Text);
            }
        }

        page.Console += OnConsole;
        try
        {
            await test(page);
            Assert.Empty(refused);
        }
        catch
        {
            await KeepScreenshotAsync(page, name);
            throw;
        }
        finally
        {
            page.Console -= OnConsole;
        }
    }

    /// <summary>A page in its own browser context (its own cookies), signed in through the sign-in form.</summary>
    public async Task<IPage> NewSignedInPageAsync(string email)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        await page.GotoAsync("/Account/Login");
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(PasswordOf(email));
        await page.Locator("button[type=submit]").ClickAsync();
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        return page;
    }

    /// <summary>
    /// A page in a fresh browser context of the given size, carrying the cookies of an earlier sign-in
    /// as <paramref name="email"/> (one sign-in per user per collection: the page catalog opens many pages).
    /// </summary>
    public async Task<IPage> NewPageSignedInBeforeAsync(string email, Viewport viewport)
    {
        await signIns.WaitAsync();
        try
        {
            if (!signedIn.ContainsKey(email))
            {
                var first = await NewSignedInPageAsync(email);
                signedIn[email] = await first.Context.StorageStateAsync();
                await first.Context.CloseAsync();
            }
        }
        finally
        {
            signIns.Release();
        }

        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            AcceptDownloads = true,
            ViewportSize = new ViewportSize { Width = viewport.Width, Height = viewport.Height },
            StorageState = signedIn[email],
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        return page;
    }

    private readonly SemaphoreSlim signIns = new(1, 1);
    private readonly Dictionary<string, string> signedIn = [];

    public static async Task KeepScreenshotAsync(IPage page, string name)
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
