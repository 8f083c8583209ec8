using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>P4 and P5 in a real browser: another site's page cannot change anything through the sign-in cookie, and an open page ends with its session.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SessionSecurityFlowTests(BrowserFixture browser)
{
    /// <summary>
    /// A second site on another port of the same host (the same site to the browser, so the Lax
    /// sign-in cookie goes with its requests): one page auto-submits a text/plain form to the
    /// import, the other posts a multipart file to it with fetch.
    /// </summary>
    private static async Task<(WebApplication Site, string Url)> StartAttackerAsync(string target)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var site = builder.Build();
        site.MapGet("/form", () => Results.Content($$"""
            <!DOCTYPE html><html><body>
            <form id="forged" method="POST" enctype="text/plain" action="{{target}}/api/exceptions/import">
              <input name="+1 415 555 8801;forged" value="by form">
            </form>
            <script>document.getElementById('forged').submit();</script>
            </body></html>
            """, "text/html"));
        site.MapGet("/multipart", () => Results.Content($$"""
            <!DOCTYPE html><html><body>
            <script>
              const data = new FormData();
              data.append('file', new Blob(['+1 415 555 8802;forged multipart\n'], { type: 'text/plain' }), 'list.txt');
              fetch('{{target}}/api/exceptions/import', { method: 'POST', body: data, mode: 'no-cors', credentials: 'include' })
                .finally(() => document.title = 'sent');
            </script>
            </body></html>
            """, "text/html"));
        await site.StartAsync();
        return (site, site.Urls.First());
    }

    private async Task<IReadOnlyList<string>> ValuesAsync(string comment)
    {
        using var admin = await browser.App.CreateAdminClientAsync();
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/exceptions/?comment={Uri.EscapeDataString(comment)}&take=50");
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()!).ToList();
    }

    [Fact]
    public Task P5_a_forged_form_and_a_foreign_multipart_post_from_another_origin_are_refused_and_add_nothing() =>
        browser.RunAsAsync(nameof(P5_a_forged_form_and_a_foreign_multipart_post_from_another_origin_are_refused_and_add_nothing), BrowserFixture.Supervisor, async page =>
        {
            var target = browser.BaseUrl.TrimEnd('/');
            var (site, attacker) = await StartAttackerAsync(target);
            await using var _ = site;
            var other = await page.Context.NewPageAsync();

            var form = await other.RunAndWaitForResponseAsync(() => other.GotoAsync($"{attacker}/form"),
                r => r.Url.EndsWith("/api/exceptions/import", StringComparison.Ordinal));
            var multipart = await other.RunAndWaitForResponseAsync(() => other.GotoAsync($"{attacker}/multipart"),
                r => r.Url.EndsWith("/api/exceptions/import", StringComparison.Ordinal));

            Assert.Equal(403, form.Status);
            Assert.Equal(403, multipart.Status);
            Assert.Empty(await ValuesAsync("forged"));

            // The site's own page, with the token its meta element holds, is let through.
            var status = await page.EvaluateAsync<int>("""
                async () => (await fetch('/api/exceptions/import', {
                  method: 'POST',
                  headers: { 'Content-Type': 'text/plain', 'X-CSRF-TOKEN': document.querySelector('meta[name="csrf-token"]').content },
                  body: '+1 415 555 8803;own page csrf'
                })).status
                """);
            Assert.Equal(200, status);
            Assert.Equal(["+14155558803"], await ValuesAsync("own page csrf"));
        });

    [Fact]
    public async Task P4_an_open_page_is_signed_out_within_30_seconds_of_a_password_reset()
    {
        const string email = "circuit@test.local";
        await browser.App.CreateUserAsync(email, "Viewer");
        var page = await browser.NewSignedInPageAsync(email);
        try
        {
            await page.GotoAsync("/crm/settings/exceptions");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            var access = browser.App.Services.GetRequiredService<AccessService>();
            var admin = await browser.App.PrincipalOfAsync(CrmAdminFactory.AdminEmail);
            var userId = (await access.GetUsersAsync(admin)).Single(u => u.Email == email).Id;
            var clock = Stopwatch.StartNew();

            await access.ResetPasswordAsync(admin, userId, "N3w-password!", EntrySource.Settings);

            await page.WaitForURLAsync("**/Account/Login**", new PageWaitForURLOptions { Timeout = 30_000 });
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"signed out after {clock.Elapsed}");
            await page.ReloadAsync();
            Assert.Contains("/Account/Login", page.Url);
        }
        catch
        {
            await BrowserFixture.KeepScreenshotAsync(page, nameof(P4_an_open_page_is_signed_out_within_30_seconds_of_a_password_reset));
            throw;
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
