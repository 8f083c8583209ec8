using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.WebSockets;
using CrmAdmin.Features.Hardening;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

public sealed class HardeningTests : IAsyncLifetime
{
    private readonly CrmAdminFactory factory = new(new Dictionary<string, string?> { ["Security:TokenRequestsPerMinute"] = "3" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/api/exceptions")]
    [InlineData("/health")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await factory.CreateApiClient().GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("script-src 'self';", csp);
    }

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/crm/leads/not-a-number")]
    public async Task An_unknown_address_answers_404_with_the_page_not_found_page(string path)
    {
        var browser = await factory.CreateSignedInBrowserAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);

        var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_api_address_answers_404_as_problem_details()
    {
        var response = await (await factory.CreateAdminClientAsync()).GetAsync("/api/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_sign_in_cookie_is_HttpOnly_SameSite_and_Secure_over_https()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false, HandleCookies = false,
        });
        var form = await client.GetAsync("/Account/Login");
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").First(c => c.Contains("Antiforgery"));
        var token = System.Text.RegularExpressions.Regex.Match(await form.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["_handler"] = "login",
                ["Input.Email"] = CrmAdminFactory.AdminEmail, ["Input.Password"] = CrmAdminFactory.AdminPassword,
            }),
        };
        post.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);

        var signedIn = await client.SendAsync(post);

        var auth = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CrmAdmin.Auth="));
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", auth, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sign_in_form_posted_without_its_antiforgery_token_is_refused()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = CrmAdminFactory.AdminEmail, ["Input.Password"] = CrmAdminFactory.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith("CrmAdmin.Auth="));
    }

    [Fact]
    public void The_SignalR_receive_limit_is_not_raised_because_pastes_are_streamed()
    {
        var hub = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.SignalR.HubOptions>>().Value;

        Assert.True(hub.MaximumReceiveMessageSize is null or <= 32 * 1024, $"raised to {hub.MaximumReceiveMessageSize}");
    }

    [Fact]
    public async Task The_token_endpoint_is_rate_limited_with_a_problem_document()
    {
        var api = factory.CreateApiClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await api.PostAsJsonAsync("/api/auth/token", new { email = "nobody@test.local", password = "x" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var limited = await api.PostAsJsonAsync("/api/auth/token", new { email = CrmAdminFactory.AdminEmail, password = CrmAdminFactory.AdminPassword });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Refreshes_have_a_limit_of_their_own_that_sign_ins_do_not_use_up()
    {
        var api = factory.CreateApiClient();
        for (var i = 0; i < 4; i++)
        {
            await api.PostAsJsonAsync("/api/auth/token", new { email = "nobody@test.local", password = "x" });
        }

        var refreshes = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            refreshes.Add(await api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "not a refresh token" }));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests],
            refreshes.Select(r => r.StatusCode));
        var refused = await refreshes[^1].Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Too many token refreshes", refused.GetProperty("title").GetString());
        // Typed as every other problem the API answers.
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", refused.GetProperty("type").GetString());
        var signIn = await api.PostAsJsonAsync("/api/auth/token", new { email = "nobody@test.local", password = "x" });
        Assert.Equal("Too many sign-in attempts", (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_server_error_answers_a_problem_without_stack_trace_or_sql()
    {
        using var admin = await new CrmAdminFactory().CreateAdminClientAsync();
        // A PUT with a body that cannot be bound is a client error; no internals either way.
        var response = await admin.PutAsync("/api/settings/crm", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("   at ", body);
        Assert.DoesNotContain("SELECT", body);
    }

    [Fact]
    public async Task A_circuit_WebSocket_from_a_foreign_origin_is_refused()
    {
        await using var server = new CrmAdminFactory();
        server.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        server.StartServer();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var socketUri = new UriBuilder(address) { Scheme = "ws", Path = "/_blazor" }.Uri;

        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "https://evil.example");
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(socketUri, CancellationToken.None));

        Assert.True(refused.Message.Contains("403"), refused.Message);
        using var http = new HttpClient { BaseAddress = address };
        var sameOrigin = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        sameOrigin.Headers.Add("Origin", address.GetLeftPart(UriPartial.Authority));
        Assert.NotEqual(HttpStatusCode.Forbidden, (await http.SendAsync(sameOrigin)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1")
        {
            Headers = { { "Origin", "https://evil.example" } },
        })).StatusCode);
    }
}
