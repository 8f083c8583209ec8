using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Issue 13's administration API end to end (SPEC §9): users (role, lock, a generated password), deleting a
/// telephony line, the audit log and the Recycle bin by role, each answering refusals as problem details.
/// </summary>
[LongRunning]
public abstract class AdminApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AdminApiTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : AdminApiTests(DatabaseProvider.Postgres);

    private const string Viewer = "viewer@test.local";
    private const string Supervisor = "supervisor@test.local";

    private readonly CrmAdminFactory factory = new(provider: provider);
    private HttpClient admin = default!;

    public async Task InitializeAsync()
    {
        admin = await factory.CreateAdminClientAsync();
        await factory.CreateUserAsync(Viewer, "Viewer");
        await factory.CreateUserAsync(Supervisor, "Supervisor");
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        await factory.DisposeAsync();
    }

    private async Task<string> IdOfAsync(string email) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Single(u => u.GetProperty("email").GetString() == email).GetProperty("id").GetString()!;

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpStatusCode> TokenStatusAsync(string email, string password) =>
        (await factory.CreateApiClient().PostAsJsonAsync("/api/auth/token", new { email, password })).StatusCode;

    [Fact]
    public async Task A_role_change_answers_the_user_and_applies_to_their_next_request()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/exceptions/1")).StatusCode);

        var response = await admin.PutAsJsonAsync($"/api/users/{await IdOfAsync(Viewer)}", new { role = "Supervisor" });

        response.EnsureSuccessStatusCode();
        var user = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((Viewer, "Supervisor", false), (user.GetProperty("email").GetString(), user.GetProperty("role").GetString(), user.GetProperty("isLockedOut").GetBoolean()));
        // P4: the role change ended the viewer's token; a new sign-in carries the new role.
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/exceptions")).StatusCode);
        using var again = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.NotFound, (await again.DeleteAsync("/api/exceptions/999999")).StatusCode);
    }

    [Fact]
    public async Task Demoting_or_locking_oneself_is_a_409_while_another_administrator_exists()
    {
        await factory.CreateUserAsync("second-admin@test.local", "Administrator");
        var me = await IdOfAsync(CrmAdminFactory.AdminEmail);

        var demote = await ProblemAsync(await admin.PutAsJsonAsync($"/api/users/{me}", new { role = "Viewer" }), HttpStatusCode.Conflict);
        var lockOut = await ProblemAsync(await admin.PutAsJsonAsync($"/api/users/{me}", new { locked = true }), HttpStatusCode.Conflict);

        Assert.Equal(AccessService.SelfDemoteReason, demote.GetProperty("detail").GetString());
        Assert.Equal(AccessService.SelfLockReason, lockOut.GetProperty("detail").GetString());
        var mine = (await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Single(u => u.GetProperty("id").GetString() == me);
        Assert.Equal("Administrator", mine.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Demoting_the_last_administrator_is_a_409_an_unknown_user_a_404_and_an_empty_change_a_400()
    {
        var me = await IdOfAsync(CrmAdminFactory.AdminEmail);

        var last = await ProblemAsync(await admin.PutAsJsonAsync($"/api/users/{me}", new { role = "Viewer" }), HttpStatusCode.Conflict);
        await ProblemAsync(await admin.PutAsJsonAsync("/api/users/no-such-user", new { locked = true }), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PostAsync("/api/users/no-such-user/reset-password", null), HttpStatusCode.NotFound);
        await ProblemAsync(await admin.PutAsJsonAsync($"/api/users/{await IdOfAsync(Viewer)}", new { }), HttpStatusCode.BadRequest);
        await ProblemAsync(await admin.PutAsJsonAsync($"/api/users/{await IdOfAsync(Viewer)}", new { role = "Nobody" }), HttpStatusCode.BadRequest);

        Assert.Contains("last active administrator", last.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Creating_a_user_whose_email_is_taken_is_a_409_and_a_bad_role_a_400_and_neither_creates_anyone()
    {
        var before = (await admin.GetFromJsonAsync<JsonElement>("/api/users")).GetArrayLength();

        var taken = await ProblemAsync(await admin.PostAsJsonAsync("/api/users", new { email = Viewer.ToUpperInvariant(), password = "Another!Pass123", role = "Viewer" }), HttpStatusCode.Conflict);
        await ProblemAsync(await admin.PostAsJsonAsync("/api/users", new { email = "new.person@example.com", password = "Another!Pass123", role = "Nobody" }), HttpStatusCode.BadRequest);

        Assert.Contains("exists already", taken.GetProperty("detail").GetString());
        Assert.Equal(before, (await admin.GetFromJsonAsync<JsonElement>("/api/users")).GetArrayLength());
    }

    [Fact]
    public async Task A_reset_answers_a_one_time_password_that_signs_in_and_the_old_one_stops_working()
    {
        var response = await admin.PostAsync($"/api/users/{await IdOfAsync(Viewer)}/reset-password", null);

        response.EnsureSuccessStatusCode();
        var password = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;
        Assert.True(password.Length >= 12, password);
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(Viewer, password));
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(Viewer, CrmAdminFactory.UserPassword));
    }

    [Fact]
    public async Task A_lock_blocks_sign_in_and_ends_the_token_until_unlocked()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        var id = await IdOfAsync(Viewer);

        var locked = await (await admin.PutAsJsonAsync($"/api/users/{id}", new { locked = true })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(locked.GetProperty("isLockedOut").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(Viewer, CrmAdminFactory.UserPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync("/api/exceptions")).StatusCode);

        (await admin.PutAsJsonAsync($"/api/users/{id}", new { locked = false })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, await TokenStatusAsync(Viewer, CrmAdminFactory.UserPassword));
    }

    [Fact]
    public async Task Unlocking_a_user_who_is_not_locked_keeps_their_token()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);

        (await admin.PutAsJsonAsync($"/api/users/{await IdOfAsync(Viewer)}", new { locked = false })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/exceptions")).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_user_ends_their_token_and_is_audited_while_oneself_is_a_409_and_an_unknown_user_a_404()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        var id = await IdOfAsync(Viewer);

        var deleted = await admin.DeleteAsync($"/api/users/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray(), u => u.GetProperty("email").GetString() == Viewer);
        Assert.Equal(SessionRevocation.EndedDetail,
            (await ProblemAsync(await viewer.GetAsync("/api/exceptions"), HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, await TokenStatusAsync(Viewer, CrmAdminFactory.UserPassword));
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=UserDeleted");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), a => a.GetProperty("details").GetString() == Viewer && a.GetProperty("source").GetString() == "Api");

        await ProblemAsync(await admin.DeleteAsync($"/api/users/{id}"), HttpStatusCode.NotFound);
        var self = await ProblemAsync(await admin.DeleteAsync($"/api/users/{await IdOfAsync(CrmAdminFactory.AdminEmail)}"), HttpStatusCode.Conflict);
        Assert.Contains("yourself", self.GetProperty("detail").GetString());
        using var supervisor = await factory.CreateApiClientAsync(Supervisor, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.DeleteAsync($"/api/users/{await IdOfAsync(Supervisor)}")).StatusCode);
        Assert.Contains((await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray(), u => u.GetProperty("email").GetString() == Supervisor);
    }

    [Fact]
    public async Task An_API_401_says_whether_the_sign_in_has_ended_or_there_is_none()
    {
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        using var anonymous = factory.CreateApiClient();
        using var forged = factory.CreateApiClient();
        forged.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        async Task<string?> DetailAsync(HttpClient client) =>
            (await ProblemAsync(await client.GetAsync("/api/exceptions"), HttpStatusCode.Unauthorized)).GetProperty("detail").GetString();

        Assert.Equal(SessionRevocation.SignInDetail, await DetailAsync(anonymous));
        Assert.Equal(SessionRevocation.RefusedTokenDetail, await DetailAsync(forged));

        (await admin.PutAsJsonAsync($"/api/users/{await IdOfAsync(Viewer)}", new { locked = true })).EnsureSuccessStatusCode();

        Assert.Equal(SessionRevocation.EndedDetail, await DetailAsync(viewer));
        // A refused password keeps its own reason.
        var refused = await ProblemAsync(await anonymous.PostAsJsonAsync("/api/auth/token", new { email = Supervisor, password = "Wrong-password1" }), HttpStatusCode.Unauthorized);
        Assert.NotEqual(SessionRevocation.SignInDetail, refused.GetProperty("detail").GetString());
        Assert.NotNull(refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_deleted_line_keeps_its_past_calls_readable_and_routing_to_it_is_a_clear_problem()
    {
        var line = await (await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "+1 212 555 0000", name = "Old sales line" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var lineId = line.GetProperty("id").GetInt64();
        var call = await (await admin.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+1 646 555 0101", dryRun = false }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var leadId = call.GetProperty("created")[0].GetProperty("id").GetInt64();
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/telephony/lines/{lineId}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/telephony/lines/{lineId}")).StatusCode);

        Assert.Empty(await admin.GetFromJsonAsync<JsonElement[]>("/api/telephony/lines") ?? []);
        var activity = Assert.Single((await viewer.GetFromJsonAsync<JsonElement>($"/api/leads/{leadId}")).GetProperty("activities").EnumerateArray());
        Assert.Equal(("+16465550101", "Incoming call from +16465550101 on Old sales line"),
            (activity.GetProperty("from").GetString(), activity.GetProperty("summary").GetString()));
        var routed = await ProblemAsync(await admin.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+1 646 555 0101", dryRun = true }),
            HttpStatusCode.BadRequest);
        Assert.Equal($"There is no telephony line {lineId}.", routed.GetProperty("detail").GetString());
        var withoutLine = await ProblemAsync(await admin.PostAsJsonAsync("/api/routing/call", new { direction = "Incoming", number = "+1 646 555 0101" }),
            HttpStatusCode.BadRequest);
        Assert.StartsWith("lineId: the id of the telephony line the call is on is required", withoutLine.GetProperty("detail").GetString());
        await ProblemAsync(await admin.DeleteAsync($"/api/telephony/lines/{lineId}"), HttpStatusCode.NotFound);
        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=TelephonyLineDeleted");
        Assert.Equal("Old sales line +12125550000", Assert.Single(audit.GetProperty("items").EnumerateArray()).GetProperty("details").GetString());
    }

    [Fact]
    public async Task A_change_of_the_CRM_settings_is_audited_as_the_settings_page_names_what_changed()
    {
        (await admin.PutAsJsonAsync("/api/settings/crm", new { mode = "Classic", repeatedLeads = false, createFromNewEmails = true })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/settings/crm", new { mode = "Simple", repeatedLeads = true, createFromNewEmails = true })).EnsureSuccessStatusCode();

        var audit = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=CrmSettingsChanged&take=1");
        Assert.Equal("Mode: Classic (leads) → Simple (deals with contacts); Repeated leads: off → on",
            audit.GetProperty("items")[0].GetProperty("details").GetString());
    }

    [Fact]
    public async Task A_line_without_a_number_or_name_is_refused_in_words_for_people()
    {
        var noNumber = await ProblemAsync(await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "", name = "Sales" }), HttpStatusCode.BadRequest);
        var noName = await ProblemAsync(await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "+1 212 555 0000", name = " " }), HttpStatusCode.BadRequest);

        Assert.Equal((CrmSettingsService.EnterNumber, CrmSettingsService.EnterName), (noNumber.GetProperty("detail").GetString(), noName.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task The_audit_API_filters_as_the_page_does_and_pages_with_a_total()
    {
        (await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "+1 212 555 0000", name = "Audited line" })).EnsureSuccessStatusCode();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var created = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?action=UserCreated&user=admin@&from={today}&to={today}");
        var byValue = await admin.GetFromJsonAsync<JsonElement>("/api/audit?value=Audited%20line");
        var future = await admin.GetFromJsonAsync<JsonElement>($"/api/audit?from={tomorrow}");
        var firstPage = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=UserCreated&take=1");
        var secondPage = await admin.GetFromJsonAsync<JsonElement>("/api/audit?action=UserCreated&skip=1&take=1");

        Assert.Equal(2, created.GetProperty("total").GetInt32());
        Assert.Equal([Supervisor, Viewer], created.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("details").GetString()!.Split(':')[0]));
        Assert.All(created.GetProperty("items").EnumerateArray(), i => Assert.Equal(("UserCreated", CrmAdminFactory.AdminEmail),
            (i.GetProperty("action").GetString(), i.GetProperty("actor").GetString())));
        Assert.Equal("TelephonyLineChanged", Assert.Single(byValue.GetProperty("items").EnumerateArray()).GetProperty("action").GetString());
        Assert.Equal(0, future.GetProperty("total").GetInt32());
        Assert.Equal((2, 1, 1), (firstPage.GetProperty("total").GetInt32(), firstPage.GetProperty("items").GetArrayLength(), secondPage.GetProperty("items").GetArrayLength()));
        Assert.NotEqual(firstPage.GetProperty("items")[0].GetProperty("id").GetInt64(), secondPage.GetProperty("items")[0].GetProperty("id").GetInt64());
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("take=0", "take")]
    [InlineData("take=201", "take")]
    [InlineData("skip=-1", "skip")]
    [InlineData("action=NoSuchAction", "action")]
    public async Task A_bad_audit_query_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        var problem = await ProblemAsync(await admin.GetAsync($"/api/audit?{query}"), HttpStatusCode.BadRequest);

        Assert.Contains(parameter, problem.GetRawText());
    }

    [Fact]
    public async Task Only_administrators_read_the_audit_log_and_viewers_read_the_Recycle_bin_but_cannot_restore()
    {
        var lead = await (await admin.PostAsJsonAsync("/api/leads", new { title = "Robocall", phones = new[] { "+1 415 555 0302" } }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        (await admin.PostAsync($"/api/leads/{lead.GetProperty("id").GetInt64()}/add-to-exceptions", null)).EnsureSuccessStatusCode();
        using var viewer = await factory.CreateApiClientAsync(Viewer, CrmAdminFactory.UserPassword);
        using var supervisor = await factory.CreateApiClientAsync(Supervisor, CrmAdminFactory.UserPassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/audit")).StatusCode);
        var bin = await viewer.GetFromJsonAsync<JsonElement>("/api/recycle-bin");
        var item = Assert.Single(bin.GetProperty("items").EnumerateArray());
        Assert.Equal("Robocall", item.GetProperty("title").GetString());
        var itemId = item.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/recycle-bin/{itemId}/restore", new { removeExceptions = true })).StatusCode);
        Assert.Single((await viewer.GetFromJsonAsync<JsonElement>("/api/recycle-bin")).GetProperty("items").EnumerateArray());

        (await supervisor.PostAsJsonAsync($"/api/recycle-bin/{itemId}/restore", new { removeExceptions = true })).EnsureSuccessStatusCode();
        Assert.Empty((await viewer.GetFromJsonAsync<JsonElement>("/api/recycle-bin")).GetProperty("items").EnumerateArray());
    }
}
