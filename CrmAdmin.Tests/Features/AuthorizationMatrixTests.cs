using System.Net;
using System.Net.Http.Json;
using System.Text;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Operations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// P3 for every endpoint and page the app maps, taken from its own endpoint data source:
/// each must be listed here with who may use it, must carry that policy, and must answer
/// anonymous, Viewer, Supervisor, Administrator and a role with None accordingly. A new
/// endpoint fails these tests until it is given a policy and listed.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.Fixture app) : IClassFixture<AuthorizationMatrixTests.Fixture>
{
    public enum Need
    {
        Anonymous,
        /// <summary>Anyone signed in, whatever their role's level (the default policy).</summary>
        SignedIn,
        View,
        Edit,
        Administer,
    }

    public const string Viewer = "viewer@test.local";
    public const string Supervisor = "supervisor@test.local";
    public const string Intern = "intern@test.local";

    /// <summary>Who may call each API endpoint, by "METHOD route pattern".</summary>
    public static readonly Dictionary<string, Need> Api = new()
    {
        ["POST /api/auth/token"] = Need.Anonymous,
        ["POST /api/auth/refresh"] = Need.Anonymous,
        ["POST /api/auth/sign-out"] = Need.SignedIn,
        ["GET /api/users"] = Need.Administer,
        ["POST /api/users"] = Need.Administer,
        ["PUT /api/users/{id}"] = Need.Administer,
        ["POST /api/users/{id}/reset-password"] = Need.Administer,
        ["DELETE /api/users/{id}"] = Need.Administer,
        ["GET /api/audit"] = Need.Administer,
        ["GET /api/permissions"] = Need.Administer,
        ["PUT /api/permissions"] = Need.Administer,
        ["GET /api/exceptions/"] = Need.View,
        ["GET /api/exceptions/export"] = Need.View,
        ["POST /api/exceptions/import"] = Need.Edit,
        ["GET /api/exceptions/import-reports/{id}.csv"] = Need.Edit,
        ["DELETE /api/exceptions/{id:long}"] = Need.Edit,
        ["GET /api/exceptions/imports"] = Need.View,
        ["POST /api/exceptions/imports/{id:long}/undo"] = Need.Edit,
        ["DELETE /api/exceptions/expired"] = Need.Edit,
        ["POST /api/contacts"] = Need.Edit,
        ["POST /api/companies"] = Need.Edit,
        ["POST /api/leads"] = Need.Edit,
        ["POST /api/deals"] = Need.Edit,
        ["GET /api/contacts/{id:long}"] = Need.View,
        ["GET /api/companies/{id:long}"] = Need.View,
        ["GET /api/leads/{id:long}"] = Need.View,
        ["GET /api/deals/{id:long}"] = Need.View,
        ["POST /api/leads/{id:long}/convert"] = Need.Edit,
        ["PUT /api/leads/{id:long}"] = Need.Edit,
        ["PUT /api/deals/{id:long}"] = Need.Edit,
        ["GET /api/settings/crm"] = Need.View,
        ["PUT /api/settings/crm"] = Need.Administer,
        ["GET /api/telephony/lines"] = Need.View,
        ["POST /api/telephony/lines"] = Need.Administer,
        ["PUT /api/telephony/lines/{id:long}"] = Need.Administer,
        ["DELETE /api/telephony/lines/{id:long}"] = Need.Administer,
        ["POST /api/routing/call"] = Need.View,
        ["POST /api/routing/email"] = Need.View,
        ["POST /api/routing/chat"] = Need.View,
        ["POST /api/routing/form"] = Need.View,
        ["POST /api/leads/{id:long}/add-to-exceptions"] = Need.Edit,
        ["POST /api/deals/{id:long}/add-to-exceptions"] = Need.Edit,
        ["GET /api/recycle-bin"] = Need.View,
        ["POST /api/recycle-bin/{id:long}/restore"] = Need.Edit,
        ["GET /api/admin/backup"] = Need.Administer,
        ["GET /api/stats/blocked"] = Need.View,
        ["POST /Account/Logout"] = Need.Anonymous,
        ["ANY /health"] = Need.Anonymous,
        // Policy ReadMetrics: an administrator, or a scraper on Metrics:AllowedNetworks (none here).
        ["ANY /metrics"] = Need.Administer,
        ["GET /openapi/{documentName}.json"] = Need.Anonymous,
    };

    /// <summary>Who may open each page.</summary>
    public static readonly Dictionary<string, Need> Pages = new()
    {
        ["/"] = Need.View,
        ["/crm/settings/exceptions"] = Need.View,
        ["/crm/settings/access-permissions"] = Need.Administer,
        ["/crm/settings/crm"] = Need.View,
        ["/crm/leads"] = Need.View,
        ["/crm/deals"] = Need.View,
        ["/crm/contacts"] = Need.View,
        ["/crm/companies"] = Need.View,
        ["/crm/leads/{Id:long}"] = Need.View,
        ["/crm/deals/{Id:long}"] = Need.View,
        ["/crm/contacts/{Id:long}"] = Need.View,
        ["/crm/companies/{Id:long}"] = Need.View,
        ["/telephony/lines"] = Need.View,
        ["/telephony/lines/{LineId:long}/exceptions"] = Need.View,
        ["/simulator"] = Need.View,
        ["/crm/recycle-bin"] = Need.View,
        ["/crm/settings/audit-log"] = Need.Administer,
        ["/crm/settings/users"] = Need.Administer,
        ["/Account/Login"] = Need.Anonymous,
        ["/Account/AccessDenied"] = Need.Anonymous,
        ["/not-found"] = Need.Anonymous,
        ["/Error"] = Need.Anonymous,
    };

    public static readonly string[] Principals = ["anonymous", Intern, Viewer, Supervisor, CrmAdminFactory.AdminEmail];

    private static readonly Dictionary<Need, string?> PolicyOf = new()
    {
        [Need.View] = Policies.ViewExceptions,
        [Need.Edit] = Policies.EditExceptions,
        [Need.Administer] = Policies.Administer,
    };

    private static bool Allowed(Need need, string who) => need switch
    {
        Need.Anonymous => true,
        Need.SignedIn => who != "anonymous",
        Need.View => who is Viewer or Supervisor or CrmAdminFactory.AdminEmail,
        Need.Edit => who is Supervisor or CrmAdminFactory.AdminEmail,
        _ => who == CrmAdminFactory.AdminEmail,
    };

    [Fact]
    public void Every_endpoint_is_listed_and_carries_the_listed_policy()
    {
        var problems = new List<string>();
        foreach (var endpoint in app.Endpoints())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var isPage = endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;
            var key = isPage ? pattern : $"{string.Join(",", endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])} {pattern}";
            if (!(isPage ? Pages : Api).TryGetValue(key, out var need))
            {
                problems.Add($"{key}: not listed in the authorization matrix (give it a policy and list it)");
                continue;
            }

            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
            var authorized = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any();
            if (need switch
                {
                    Need.Anonymous => !anonymous,
                    Need.SignedIn => anonymous || !authorized,
                    _ => anonymous || !policies.Contains(key == "ANY /metrics" ? OperationsExtensions.ReadMetrics : PolicyOf[need]!),
                })
            {
                problems.Add($"{key}: expected {need}, has {(anonymous ? "AllowAnonymous" : string.Join(",", policies))}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void The_matrix_lists_nothing_the_app_does_not_map()
    {
        var mapped = app.Endpoints().Select(e => e.RoutePattern.RawText).ToHashSet();
        Assert.All(Pages.Keys, page => Assert.Contains(page, mapped));
        Assert.All(Api.Keys.Select(k => k[(k.IndexOf(' ') + 1)..]), pattern => Assert.Contains(pattern, mapped));
    }

    public static TheoryData<string, string> ApiCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in Api.Keys)
        {
            foreach (var who in Principals)
            {
                data.Add(endpoint, who);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ApiCases))]
    public async Task Api_answers_each_principal_as_its_level_says_and_a_refusal_changes_nothing(string endpoint, string who)
    {
        var need = Api[endpoint];
        // Signing out ends every session of the user: that case signs out a user of the same role made for it, so the
        // principal's own token and browser serve the other cases.
        using var client = endpoint == "POST /api/auth/sign-out" ? await app.ClientOfNewUserLikeAsync(who) : await app.ClientForAsync(who);
        var before = await app.SnapshotAsync();

        using var response = await client.SendAsync(app.SampleRequest(endpoint));

        var status = (int)response.StatusCode;
        Assert.True(status is < 300 or >= 400 || endpoint.StartsWith("POST /Account"), $"{endpoint} as {who} redirected ({status}): an API refuses with 401/403");
        if (Allowed(need, who))
        {
            Assert.True(status is not (401 or 403), $"{endpoint} as {who}: {status}, expected to be allowed");
        }
        else
        {
            Assert.Equal(who == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(before, await app.SnapshotAsync());
            if (who != "anonymous" && endpoint.Split(' ')[1].StartsWith("/api", StringComparison.Ordinal))
            {
                // Refused by the endpoint's policy or by the service, the client is told why, the same way.
                var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                Assert.StartsWith("Your role does not allow this (", problem.GetProperty("detail").GetString());
            }
        }
    }

    public static TheoryData<string, string> PageCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var page in Pages.Keys)
        {
            foreach (var who in Principals)
            {
                data.Add(page, who);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PageCases))]
    public async Task Pages_open_for_their_level_send_strangers_to_sign_in_and_others_to_access_denied(string page, string who)
    {
        var browser = app.BrowserFor(who);

        using var response = await browser.GetAsync(page.Replace("{Id:long}", "1").Replace("{LineId:long}", "1"));

        if (Allowed(Pages[page], who))
        {
            Assert.True(response.StatusCode is HttpStatusCode.OK || page is "/not-found" or "/Error", $"{page} as {who}: {(int)response.StatusCode}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var target = response.Headers.Location!.ToString();
            Assert.Contains(who == "anonymous" ? AccessServiceCollectionExtensions.LoginPath : AccessServiceCollectionExtensions.AccessDeniedPath, target);
        }
    }

    /// <summary>One app for the whole matrix, with a user per role and a role with no access.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly CrmAdminFactory factory = new();
        private readonly Dictionary<string, string> tokens = [];
        private readonly Dictionary<string, HttpClient> browsers = [];
        private long existingEntryId;
        // A refresh token is good for one exchange (a second one ends the viewer's sessions), so each refresh case has its own.
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> viewerRefreshTokens = new();

        public IEnumerable<RouteEndpoint> Endpoints() =>
            factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => !IsFrameworkEndpoint(e));

        /// <summary>Static files and Blazor's own circuit endpoints are the framework's, not the app's.</summary>
        private static bool IsFrameworkEndpoint(RouteEndpoint e)
        {
            var pattern = e.RoutePattern.RawText ?? "";
            return pattern.StartsWith("/_blazor") || pattern.StartsWith("_blazor") || pattern.StartsWith("/_framework") || pattern.StartsWith("_framework") ||
                   pattern == "{**path:file}" || e.Metadata.Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal));
        }

        public async Task InitializeAsync()
        {
            using var admin = await factory.CreateAdminClientAsync();
            await admin.PutAsync("/api/permissions", Json("[]"));
            await factory.CreateUserAsync(Viewer, "Viewer");
            await factory.CreateUserAsync(Supervisor, "Supervisor");
            await factory.Services.GetRequiredService<AccessService>().AddRoleAsync(
                await factory.PrincipalOfAsync(CrmAdminFactory.AdminEmail), "Intern", CrmAdmin.Domain.Access.AccessLevel.None,
                CrmAdmin.Domain.Exceptions.EntrySource.Settings);
            await factory.CreateUserAsync(Intern, "Intern");
            await admin.PostAsync("/api/exceptions/import", new StringContent("+14155550100;kept", Encoding.UTF8, "text/plain"));
            await admin.PostAsync("/api/telephony/lines", Json("""{"number":"+1 212 555 0000","name":"Main line"}"""));
            existingEntryId = await ScalarAsync("SELECT Id FROM ExceptionEntries LIMIT 1");
            foreach (var _ in Principals)
            {
                viewerRefreshTokens.Enqueue((await factory.TokenAnswerAsync(Viewer, CrmAdminFactory.UserPassword)).GetProperty("refreshToken").GetString()!);
            }

            browsers["anonymous"] = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            foreach (var who in Principals.Where(p => p != "anonymous"))
            {
                var password = who == CrmAdminFactory.AdminEmail ? CrmAdminFactory.AdminPassword : CrmAdminFactory.UserPassword;
                tokens[who] = await factory.TokenAsync(who, password);
                browsers[who] = await factory.CreateSignedInBrowserAsync(who, password);
            }
        }

        public Task<HttpClient> ClientForAsync(string who)
        {
            var client = factory.CreateApiClient();
            if (tokens.TryGetValue(who, out var token))
            {
                client.DefaultRequestHeaders.Authorization = new("Bearer", token);
            }

            return Task.FromResult(client);
        }

        /// <summary>A bearer client of a new user with <paramref name="who"/>'s role (anonymous stays anonymous).</summary>
        public async Task<HttpClient> ClientOfNewUserLikeAsync(string who)
        {
            if (who == "anonymous")
            {
                return await ClientForAsync(who);
            }

            var role = who switch
            {
                Intern => "Intern",
                Viewer => "Viewer",
                Supervisor => "Supervisor",
                _ => "Administrator",
            };
            var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@test.local";
            await factory.CreateUserAsync(email, role);
            var client = factory.CreateApiClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", await factory.TokenAsync(email, CrmAdminFactory.UserPassword));
            return client;
        }

        /// <summary>One browser per principal (signed in, except "anonymous"), shared by the page cases.</summary>
        public HttpClient BrowserFor(string who) => browsers[who];

        /// <summary>A request a real client would send: valid enough that only authorization can refuse it.</summary>
        public HttpRequestMessage SampleRequest(string endpoint)
        {
            var (method, path) = (endpoint[..endpoint.IndexOf(' ')], endpoint[(endpoint.IndexOf(' ') + 1)..]);
            // Cases that change data name ones that do not exist (an import, a line, a user): the allowed role's
            // case answers 404 and the other cases keep their data.
            var id = endpoint is "POST /api/exceptions/imports/{id:long}/undo" or "DELETE /api/telephony/lines/{id:long}" ? long.MaxValue : existingEntryId;
            var request = new HttpRequestMessage(new HttpMethod(method == "ANY" ? "GET" : method), path
                .Replace("{id:long}", id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Replace("{id}", "no-such-user")
                .Replace("{documentName}", "v1"));
            request.Content = endpoint switch
            {
                "POST /api/auth/token" => Json($$"""{"email":"{{Viewer}}","password":"{{CrmAdminFactory.UserPassword}}"}"""),
                "POST /api/auth/refresh" => Json($$"""{"refreshToken":"{{(viewerRefreshTokens.TryDequeue(out var unspent) ? unspent
                    : throw new InvalidOperationException("More refresh cases than refresh tokens made: one per principal"))}}"}"""),
                "POST /api/users" => Json($$"""{"email":"new-{{Guid.NewGuid():N}}@test.local","password":"{{CrmAdminFactory.UserPassword}}","role":"Viewer"}"""),
                "PUT /api/users/{id}" => Json("""{"locked":false}"""),
                "PUT /api/permissions" => Json("""[{"role":"Viewer","exceptions":"View"}]"""),
                "POST /api/exceptions/import" => new StringContent($"+1 415 555 {Random.Shared.Next(1000, 9999)};matrix", Encoding.UTF8, "text/plain"),
                "POST /api/contacts" or "POST /api/companies" => Json("""{"name":"Matrix","phones":["+1 415 555 0177"]}"""),
                "POST /api/leads" or "POST /api/deals" => Json("""{"title":"Matrix"}"""),
                "POST /api/leads/{id:long}/convert" => Json("""{"to":["Contact"]}"""),
                "PUT /api/leads/{id:long}" => Json("""{"status":"Junk"}"""),
                "PUT /api/deals/{id:long}" => Json("""{"stage":"Won"}"""),
                "PUT /api/settings/crm" => Json("""{"mode":"Classic","repeatedLeads":false,"createFromNewEmails":true}"""),
                "POST /api/telephony/lines" or "PUT /api/telephony/lines/{id:long}" => Json("""{"number":"+1 212 555 0000","name":"Matrix line"}"""),
                "POST /api/routing/call" => Json("""{"lineId":1,"direction":"Incoming","number":"+14155550100"}"""),
                "POST /api/routing/email" => Json("""{"from":"someone@example.com"}"""),
                "POST /api/recycle-bin/{id:long}/restore" => Json("""{"removeExceptions":true}"""),
                "POST /api/routing/chat" or "POST /api/routing/form" => Json("""{"phone":"+14155550100"}"""),
                _ => null,
            };
            return request;
        }

        /// <summary>Everything a refused call could have changed.</summary>
        public async Task<string> SnapshotAsync() => string.Join("|",
            await ScalarAsync("SELECT COUNT(*) FROM ExceptionEntries"),
            await ScalarAsync("SELECT COUNT(*) FROM AuditEntries"),
            await ScalarAsync("SELECT COUNT(*) FROM AspNetUsers"),
            await ScalarTextAsync("SELECT group_concat(Name || '=' || Exceptions, ',') FROM (SELECT * FROM AspNetRoles ORDER BY Name)"),
            await ScalarTextAsync("SELECT group_concat(UserId || RoleId, ',') FROM (SELECT * FROM AspNetUserRoles ORDER BY UserId)"),
            await ScalarTextAsync("SELECT (SELECT COUNT(*) FROM Leads) || '/' || (SELECT COUNT(*) FROM Deals) || '/' || (SELECT COUNT(*) FROM Contacts) || '/' || " +
                                  "(SELECT COUNT(*) FROM Companies) || '/' || (SELECT COUNT(*) FROM Activities) || '/' || (SELECT COUNT(*) FROM TelephonyLines)"),
            await ScalarTextAsync("SELECT Mode || RepeatedLeads || CreateFromNewEmails FROM CrmSettings"),
            await ScalarTextAsync("SELECT (SELECT COUNT(*) FROM RecycleBin) || '/' || (SELECT COUNT(*) FROM Leads WHERE DeletedAt IS NOT NULL)"),
            await ScalarTextAsync("SELECT group_concat(Name || Number || IncomingCreate || IncomingRepeated || OutgoingCreate || OutgoingRepeated, ',') FROM TelephonyLines"));

        private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ScalarObjectAsync(sql), System.Globalization.CultureInfo.InvariantCulture);

        private async Task<string> ScalarTextAsync(string sql) => Convert.ToString(await ScalarObjectAsync(sql), System.Globalization.CultureInfo.InvariantCulture) ?? "";

        private async Task<object?> ScalarObjectAsync(string sql)
        {
            await using var connection = new SqliteConnection($"Data Source={factory.DatabaseFile};Pooling=False");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return await command.ExecuteScalarAsync();
        }

        private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

        public async Task DisposeAsync()
        {
            foreach (var browser in browsers.Values)
            {
                browser.Dispose();
            }

            await factory.DisposeAsync();
        }
    }
}
