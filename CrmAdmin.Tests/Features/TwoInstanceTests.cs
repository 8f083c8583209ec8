using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Data;
using CrmAdmin.Data.Postgres;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Two app instances on one PostgreSQL database, as behind a load balancer (SPEC §10): a line or CRM
/// setting an administrator changes on one governs the other's very next decision (its facts carry the
/// database's ReferenceDataVersion, so no notification has to arrive first), a permission taken away is
/// refused within a second, and a sign-in on one is accepted by the other. Here the notification usually arrives
/// first as well; RoutingReferenceDataTests hold the version check alone, with changes no one announces.
/// </summary>
public sealed class TwoInstanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(1);

    private readonly CrmAdminFactory a = new(provider: DatabaseProvider.Postgres);
    private CrmAdminFactory b = default!;
    private HttpClient adminOnA = default!;
    private HttpClient adminOnB = default!;

    public async Task InitializeAsync()
    {
        adminOnA = await a.CreateAdminClientAsync();
        b = new CrmAdminFactory(sharing: a);
        adminOnB = await b.CreateAdminClientAsync();
        // Each instance hears the other from here on.
        await a.Services.GetRequiredService<PostgresDataChangeListener>().Listening;
        await b.Services.GetRequiredService<PostgresDataChangeListener>().Listening;
    }

    public async Task DisposeAsync()
    {
        await b.DisposeAsync();
        await a.DisposeAsync();
    }

    /// <summary>Changes made in turn on A; B's first decision after each answer.</summary>
    private const int Turns = 6;

    [Fact]
    public async Task A_line_changed_on_one_instance_governs_the_others_very_next_call()
    {
        var line = await JsonAsync(await adminOnA.PostAsJsonAsync("/api/telephony/lines",
            new { number = "+1 212 555 0100", name = "Sales", incoming = new { createEntities = true, repeated = false } }));
        var id = line.GetProperty("id").GetInt64();
        Assert.NotEmpty((await CallOnBAsync(id)).GetProperty("created").EnumerateArray());

        for (var turn = 1; turn <= Turns; turn++)
        {
            var creates = turn % 2 == 0;
            (await adminOnA.PutAsJsonAsync($"/api/telephony/lines/{id}",
                new { number = "+1 212 555 0100", name = $"Sales {turn}", incoming = new { createEntities = creates, repeated = false } })).EnsureSuccessStatusCode();

            Assert.True(creates == (await CallOnBAsync(id)).GetProperty("created").GetArrayLength() > 0, $"turn {turn}: B decided with the line as it was");
        }
    }

    [Fact]
    public async Task A_CRM_setting_changed_on_one_instance_governs_the_others_very_next_email()
    {
        Assert.NotEmpty((await EmailOnBAsync()).GetProperty("created").EnumerateArray());

        for (var turn = 1; turn <= Turns; turn++)
        {
            var creates = turn % 2 == 0;
            (await adminOnA.PutAsJsonAsync("/api/settings/crm", new { mode = "Classic", repeatedLeads = false, createFromNewEmails = creates })).EnsureSuccessStatusCode();

            Assert.True(creates == (await EmailOnBAsync()).GetProperty("created").GetArrayLength() > 0, $"turn {turn}: B decided with the settings as they were");
        }
    }

    [Fact]
    public async Task A_permission_taken_away_on_one_instance_is_refused_by_the_other_within_a_second()
    {
        await a.CreateUserAsync("viewer@test.local", "Viewer");
        using var viewerOnB = await b.CreateApiClientAsync("viewer@test.local", CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await viewerOnB.GetAsync("/api/exceptions")).StatusCode);

        (await adminOnA.PutAsJsonAsync("/api/permissions", new[] { new { role = "Viewer", exceptions = "None" } })).EnsureSuccessStatusCode();

        await EventuallyAsync(async () => (await viewerOnB.GetAsync("/api/exceptions")).StatusCode == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_instance_whose_listening_connection_was_cut_hears_the_others_changes_again()
    {
        await a.CreateUserAsync("viewer@test.local", "Viewer");
        using var viewerOnB = await b.CreateApiClientAsync("viewer@test.local", CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.OK, (await viewerOnB.GetAsync("/api/exceptions")).StatusCode);

        // As a failover or an administrator's pg_terminate_backend would: both instances' listening sessions end.
        var cut = await ListenersAsync(terminate: true);
        Assert.Equal(2, cut.Count(l => l.Terminated));
        var watch = Stopwatch.StartNew();
        while ((await ListenersAsync(terminate: false)).Count(l => !cut.Any(c => c.Pid == l.Pid)) < 2)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "The instances did not listen again within 10 s.");
            await Task.Delay(50);
        }

        (await adminOnA.PutAsJsonAsync("/api/permissions", new[] { new { role = "Viewer", exceptions = "None" } })).EnsureSuccessStatusCode();

        await EventuallyAsync(async () => (await viewerOnB.GetAsync("/api/exceptions")).StatusCode == HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_token_and_a_sign_in_cookie_issued_by_one_instance_are_accepted_by_the_other()
    {
        var token = await a.TokenAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);
        using var bearerOnB = b.CreateApiClient();
        bearerOnB.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await bearerOnB.GetAsync("/api/users")).StatusCode);

        using var browserOnA = a.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var signIn = await CrmAdminFactory.PostSignInAsync(a.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }),
            CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CrmAdmin.Auth=", StringComparison.Ordinal)).Split(';')[0];
        using var cookieOnB = b.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/users");
        request.Headers.Add("Cookie", cookie);

        Assert.Equal(HttpStatusCode.OK, (await cookieOnB.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task An_imports_full_report_made_on_one_instance_is_downloaded_from_the_other()
    {
        var report = await JsonAsync(await adminOnA.PostAsync("/api/exceptions/import",
            new StringContent("+1 415 555 0100\nnot a number;first\nalso bad;second", Encoding.UTF8, "text/plain")));

        var download = await adminOnB.GetAsync(report.GetProperty("reportUrl").GetString());

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var lines = (await download.Content.ReadAsStringAsync()).TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("line,input,status,type,value,reason", lines[0]);
        Assert.StartsWith("2,not a number;first,Invalid,", lines[1]);
        Assert.StartsWith("3,also bad;second,Invalid,", lines[2]);
    }

    /// <summary>The sessions listening on the changes' channel in the instances' database; with <paramref name="terminate"/>, ended.</summary>
    private async Task<List<ListenerSession>> ListenersAsync(bool terminate)
    {
        await using var db = await a.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        var sql = $"""
            SELECT pid AS "Pid", {(terminate ? "pg_terminate_backend(pid)" : "false")} AS "Terminated" FROM pg_stat_activity
            WHERE datname = current_database() AND query = 'LISTEN {PostgresDataChangeListener.Channel}'
            """;
        return await db.Database.SqlQueryRaw<ListenerSession>(sql).ToListAsync();
    }

    private sealed record ListenerSession(int Pid, bool Terminated);

    private async Task<JsonElement> CallOnBAsync(long lineId) =>
        await JsonAsync(await adminOnB.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+1 415 555 0142", dryRun = true }));

    private async Task<JsonElement> EmailOnBAsync() =>
        await JsonAsync(await adminOnB.PostAsJsonAsync("/api/routing/email", new { from = "new.customer@example.com", dryRun = true }));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Asks again every 20 ms; fails unless the condition holds within <see cref="Within"/>.</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < Within, $"The other instance still decided the old way after {watch.ElapsedMilliseconds} ms.");
            await Task.Delay(20);
        }
    }
}
