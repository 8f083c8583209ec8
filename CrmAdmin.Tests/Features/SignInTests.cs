using CrmAdmin.Data;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Hardening;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests.Features;

public abstract class SignInTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : SignInTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : SignInTests(DatabaseProvider.Postgres);

    private const string Viewer = "viewer@test.local";
    private readonly CrmAdminFactory factory = new(provider: provider);

    public async Task InitializeAsync() => await factory.CreateUserAsync(Viewer, "Viewer");

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private HttpClient NewBrowser() => factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task After_five_wrong_passwords_the_right_one_is_refused_for_a_while_and_the_lockout_is_logged()
    {
        var browser = NewBrowser();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await CrmAdminFactory.PostSignInAsync(browser, Viewer, "Wrong-password1");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var right = await CrmAdminFactory.PostSignInAsync(browser, Viewer, CrmAdminFactory.UserPassword);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("locked out") && e.Message.Contains(Viewer));
        var token = await factory.CreateApiClient().PostAsJsonAsync("/api/auth/token", new { email = Viewer, password = CrmAdminFactory.UserPassword });
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_on_the_token_endpoint_count_towards_the_same_lockout()
    {
        var api = factory.CreateApiClient();
        for (var i = 0; i < 5; i++)
        {
            var wrong = await api.PostAsJsonAsync("/api/auth/token", new { email = Viewer, password = "Wrong-password1" });
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
        }

        var right = await CrmAdminFactory.PostSignInAsync(NewBrowser(), Viewer, CrmAdminFactory.UserPassword);

        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task P4_wrong_passwords_counted_at_the_same_time_each_count_towards_the_lockout()
    {
        // Two sign-ins at once, made certain: the late one read the account before four other failures were counted (its
        // context keeps that copy), so its count is written under a stale concurrency stamp and refused at first.
        await using var late = factory.Services.CreateAsyncScope();
        Assert.NotNull(await late.ServiceProvider.GetRequiredService<UserManager<CrmUser>>().FindByEmailAsync(Viewer));
        for (var i = 0; i < 4; i++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            Assert.Null(await scope.ServiceProvider.GetRequiredService<PasswordSignIn>().CheckAsync(Viewer, "Wrong-password1"));
        }

        Assert.Null(await late.ServiceProvider.GetRequiredService<PasswordSignIn>().CheckAsync(Viewer, "Wrong-password1"));

        // Counted on top of the four: the fifth failure locks the account, and the right password is refused.
        var right = await CrmAdminFactory.PostSignInAsync(NewBrowser(), Viewer, CrmAdminFactory.UserPassword);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("locked out") && e.Message.Contains(Viewer));
    }

    [Fact]
    public async Task A_wrong_password_says_so_without_telling_which_part_was_wrong()
    {
        var response = await CrmAdminFactory.PostSignInAsync(NewBrowser(), "nobody@test.local", "Wrong-password1");

        Assert.Contains("The email or password is wrong.", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example")]
    public async Task Sign_in_never_redirects_to_another_site(string returnUrl)
    {
        var response = await CrmAdminFactory.PostSignInAsync(NewBrowser(), Viewer, CrmAdminFactory.UserPassword, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
    }

    [Fact]
    public async Task Sign_in_returns_to_the_page_that_asked_for_it()
    {
        var response = await CrmAdminFactory.PostSignInAsync(NewBrowser(), Viewer, CrmAdminFactory.UserPassword, "/crm/settings/exceptions");

        Assert.EndsWith("/crm/settings/exceptions", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task There_is_no_self_registration()
    {
        var browser = NewBrowser();

        Assert.NotEqual(HttpStatusCode.OK, (await browser.GetAsync("/Account/Register")).StatusCode);
        Assert.DoesNotContain("Register", await browser.GetStringAsync("/Account/Login"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().PostAsJsonAsync("/api/users",
            new { email = "me@test.local", password = CrmAdminFactory.UserPassword, role = "Administrator" })).StatusCode);
    }

    [Fact]
    public async Task Sign_out_ends_the_session_and_needs_the_antiforgery_token()
    {
        var browser = await factory.CreateSignedInBrowserAsync(Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);

        var forged = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Redirect, forged.StatusCode);

        var page = await browser.GetStringAsync("/crm/settings/exceptions");
        var token = Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var signOut = await browser.PostAsync("/Account/Logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
    }

    private async Task<JsonElement> RefreshAsync(JsonElement answer)
    {
        var response = await factory.CreateApiClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = answer.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private HttpClient Bearer(JsonElement answer)
    {
        var client = factory.CreateApiClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", answer.GetProperty("accessToken").GetString());
        return client;
    }

    [Fact]
    public async Task The_refresh_token_of_a_token_answer_gets_new_tokens_without_the_password()
    {
        var first = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);

        var refreshed = await RefreshAsync(first);

        using var viewer = Bearer(refreshed);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/exceptions")).StatusCode);
        Assert.False(string.IsNullOrEmpty(refreshed.GetProperty("refreshToken").GetString()));
        // A refreshed token carries the user's level as it stands now, as a new sign-in would.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 0101", Encoding.UTF8, "text/plain"))).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n")]
    public async Task A_refresh_token_is_good_for_one_exchange_and_a_second_use_ends_every_session_of_its_user(string padding)
    {
        var first = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        var refreshed = await RefreshAsync(first);
        var browser = NewBrowser();
        await CrmAdminFactory.PostSignInAsync(browser, Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);

        // The first answer's refresh token again, as a copy of it would be sent (whitespace after it reads as the same token):
        // refused, with its own reason.
        var reused = await factory.CreateApiClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first.GetProperty("refreshToken").GetString() + padding });

        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(AccessEndpoints.ReusedRefreshTokenDetail, (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // Whoever holds the tokens of the first exchange (owner or copier) has lost them, and the user's browser sign-in too.
        using var afterwards = Bearer(refreshed);
        Assert.Equal(HttpStatusCode.Unauthorized, (await afterwards.GetAsync("/api/exceptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().PostAsJsonAsync("/api/auth/refresh",
            new { refreshToken = refreshed.GetProperty("refreshToken").GetString() })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
        Assert.Contains(factory.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("was used a second time", StringComparison.Ordinal));
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync())
        {
            // An administrator sees it in the audit log: a token of this user is in other hands.
            var ended = await db.AuditEntries.SingleAsync(a => a.Action == CrmAdmin.Domain.Audit.AuditAction.SessionsEnded);
            Assert.Equal((Viewer, EntrySource.Api), (ended.Actor, ended.Source));
            Assert.Equal($"{Viewer}: {AccessService.ReusedRefreshTokenReason}", ended.Details);
        }

        // The password still signs in, and its refresh token renews once as any other.
        var again = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        using var renewed = Bearer(await RefreshAsync(again));
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("/api/exceptions")).StatusCode);
    }

    [Fact]
    public async Task P4_a_lockout_by_wrong_passwords_refuses_new_sign_ins_but_an_open_sessions_refresh_token_still_renews()
    {
        var first = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        var api = factory.CreateApiClient();
        for (var i = 0; i < 5; i++)
        {
            await api.PostAsJsonAsync("/api/auth/token", new { email = Viewer, password = "Wrong-password1" });
        }

        // Locked out: the right password gets no new token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.PostAsJsonAsync("/api/auth/token", new { email = Viewer, password = CrmAdminFactory.UserPassword })).StatusCode);

        // Whoever typed the wrong passwords cannot end the session the user had already (P4): its refresh token renews it.
        using var renewed = Bearer(await RefreshAsync(first));
        Assert.Equal(HttpStatusCode.OK, (await renewed.GetAsync("/api/exceptions")).StatusCode);
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public async Task A_bearer_token_is_read_whatever_the_case_of_its_scheme_and_a_401_always_says_how_to_authenticate(string scheme)
    {
        var token = (await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword)).GetProperty("accessToken").GetString();
        using var client = factory.CreateApiClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {token}");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/exceptions")).StatusCode);
        // HTTP has every 401 name its scheme: one without any credentials did not.
        var anonymous = await factory.CreateApiClient().GetAsync("/api/exceptions");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task P4_sign_out_through_the_api_ends_every_session_of_the_caller()
    {
        var first = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        var second = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        var browser = NewBrowser();
        await CrmAdminFactory.PostSignInAsync(browser, Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().PostAsync("/api/auth/sign-out", null)).StatusCode);

        using var caller = Bearer(first);
        var signedOut = await caller.PostAsync("/api/auth/sign-out", null);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await caller.GetAsync("/api/exceptions")).StatusCode);
        using var other = Bearer(second);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/exceptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().PostAsJsonAsync("/api/auth/refresh",
            new { refreshToken = first.GetProperty("refreshToken").GetString() })).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
        // Signed out is not locked: the password signs in again.
        using var again = Bearer(await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/exceptions")).StatusCode);
    }

    [Fact]
    public async Task P5_sign_out_through_the_api_by_cookie_needs_the_antiforgery_header_and_clears_the_cookie()
    {
        var browser = NewBrowser();
        await CrmAdminFactory.PostSignInAsync(browser, Viewer, CrmAdminFactory.UserPassword);
        var page = await browser.GetStringAsync("/crm/settings/exceptions");
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);

        var forged = await browser.PostAsync("/api/auth/sign-out", null);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/sign-out");
        request.Headers.Add(ApiAntiforgery.HeaderName, token);
        var signedOut = await browser.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Contains(signedOut.Headers.GetValues("Set-Cookie"), c => c.StartsWith("CrmAdmin.Auth=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/crm/settings/exceptions")).StatusCode);
    }

    [Theory]
    [InlineData("lock")]
    [InlineData("password reset")]
    [InlineData("not a token")]
    [InlineData("an access token")]
    public async Task A_refresh_token_is_refused_after_whatever_ends_the_users_sessions_and_a_token_that_is_not_one(string change)
    {
        var first = await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword);
        var refreshToken = first.GetProperty("refreshToken").GetString();
        var access = factory.Services.GetRequiredService<AccessService>();
        var admin = await factory.PrincipalOfAsync(CrmAdminFactory.AdminEmail);
        var viewerId = (await access.GetUsersAsync(admin)).Single(u => u.Email == Viewer).Id;
        switch (change)
        {
            case "lock":
                await access.SetLockedAsync(admin, viewerId, true, EntrySource.Settings);
                break;
            case "password reset":
                await access.ResetPasswordAsync(admin, viewerId, EntrySource.Settings);
                break;
            case "not a token":
                refreshToken = "CfDJ8" + new string('x', 200);
                break;
            case "an access token":
                refreshToken = first.GetProperty("accessToken").GetString();
                break;
        }

        var refused = await factory.CreateApiClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_token_request_without_a_password_or_refresh_token_is_a_400_naming_it_and_counts_towards_no_lockout()
    {
        var api = factory.CreateApiClient();

        var noPassword = await api.PostAsJsonAsync("/api/auth/token", new { email = Viewer });
        var noEmail = await api.PostAsJsonAsync("/api/auth/token", new { password = CrmAdminFactory.UserPassword });
        var blankEmail = await api.PostAsJsonAsync("/api/auth/token", new { email = "  ", password = CrmAdminFactory.UserPassword });
        var noRefreshToken = await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "" });
        var blankRefreshToken = await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "   " });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (noPassword.StatusCode, noEmail.StatusCode, noRefreshToken.StatusCode));
        Assert.Equal("password: required.", (await noPassword.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal("email: required.", (await noEmail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, blankEmail.StatusCode);
        Assert.Equal("email: required.", (await blankEmail.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.StartsWith("refreshToken: required", (await noRefreshToken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, blankRefreshToken.StatusCode);
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        Assert.Equal(0, await users.GetAccessFailedCountAsync((await users.FindByEmailAsync(Viewer))!));
    }

    [Fact]
    public async Task A_user_locked_by_an_administrator_loses_the_api_at_the_next_request()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/exceptions")).StatusCode);
        var access = factory.Services.GetRequiredService<AccessService>();
        var viewerId = (await access.GetUsersAsync(await factory.PrincipalOfAsync(CrmAdminFactory.AdminEmail))).Single(u => u.Email == Viewer).Id;

        await access.SetLockedAsync(await factory.PrincipalOfAsync(CrmAdminFactory.AdminEmail), viewerId, true, EntrySource.Settings);

        // The lock renews the security stamp: the token is no longer a sign-in at all (P4).
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/exceptions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().PostAsJsonAsync("/api/auth/token",
            new { email = Viewer, password = CrmAdminFactory.UserPassword })).StatusCode);
    }

    [Fact]
    public async Task A_level_change_applies_to_an_existing_token_at_its_next_request()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        var import = () => viewer.PostAsync("/api/exceptions/import", new StringContent("+14155550100", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.Forbidden, (await import()).StatusCode);

        using var admin = await factory.CreateAdminClientAsync();
        (await admin.PutAsJsonAsync("/api/permissions", new[] { new { role = "Viewer", exceptions = "Edit" } })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.OK, (await import()).StatusCode);
    }
}
