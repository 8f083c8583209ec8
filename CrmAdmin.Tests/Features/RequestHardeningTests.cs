using CrmAdmin.Data;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>P5 and SPEC §9: values outside an enum and over-long strings and lists are a 400 naming what is wrong, and change nothing.</summary>
public abstract class RequestHardeningTests(SharedApp app)
{
    public sealed class OnSqlite(OnSqlite.App app) : RequestHardeningTests(app), IClassFixture<OnSqlite.App>
    {
        public sealed class App() : MainLineApp(DatabaseProvider.Sqlite);
    }

    public sealed class OnPostgres(OnPostgres.App app) : RequestHardeningTests(app), IClassFixture<OnPostgres.App>
    {
        public sealed class App() : MainLineApp(DatabaseProvider.Postgres);
    }

    /// <summary>
    /// The class's one app (each test compares the state before and after, so they may share it), with the telephony line the
    /// routing cases call on.
    /// </summary>
    public abstract class MainLineApp(DatabaseProvider provider) : SharedApp(provider)
    {
        protected override async Task ArrangeAsync(HttpClient admin) =>
            (await admin.PostAsync("/api/telephony/lines", Json("""{"number":"+1 212 555 0000","name":"Main line"}"""))).EnsureSuccessStatusCode();
    }

    private readonly CrmAdminFactory factory = app.Factory;
    private readonly HttpClient admin = app.Admin;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Many(char c, int count) => new(c, count);

    [Theory]
    [InlineData("PUT", "/api/permissions", """[{"role":"Viewer","exceptions":7}]""")]
    [InlineData("PUT", "/api/permissions", """[{"role":"Viewer","exceptions":-1}]""")]
    [InlineData("PUT", "/api/permissions", """[{"role":"Viewer","exceptions":2}]""")]
    [InlineData("PUT", "/api/permissions", """[{"role":"Viewer","exceptions":"7"}]""")]
    [InlineData("PUT", "/api/permissions", """[{"role":"Viewer","exceptions":"View, Edit"}]""")]
    [InlineData("PUT", "/api/settings/crm", """{"mode":99,"repeatedLeads":true,"createFromNewEmails":true}""")]
    [InlineData("PUT", "/api/settings/crm", """{"mode":"1","repeatedLeads":true,"createFromNewEmails":true}""")]
    [InlineData("POST", "/api/leads", """{"title":"Enum lead","status":7}""")]
    [InlineData("POST", "/api/leads", """{"title":"Enum lead","status":"Converted","convertedTo":[5]}""")]
    [InlineData("POST", "/api/deals", """{"title":"Enum deal","stage":"9"}""")]
    [InlineData("POST", "/api/routing/call", """{"lineId":1,"direction":3,"number":"+14155550100","dryRun":false}""")]
    [InlineData("POST", "/api/routing/call", """{"lineId":1,"direction":"Outgoing","number":"+14155550100","initiatedFrom":{"type":8,"id":1}}""")]
    [InlineData("POST", "/api/users", """{"email":"enum@test.local","password":"Passw0rd!","role":1}""")]
    [InlineData("GET", "/api/exceptions/?type=7", null)]
    [InlineData("GET", "/api/exceptions/?sortBy=-1", null)]
    [InlineData("GET", "/api/exceptions/export?type=9", null)]
    public async Task P5_a_value_outside_an_enum_is_a_400_and_changes_nothing(string method, string path, string? body)
    {
        var before = await StateAsync();

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await StateAsync());
    }

    /// <summary>What the enum cases could have changed: the levels, the settings, the entities and the users.</summary>
    private async Task<string> StateAsync() => string.Join("|",
        await admin.GetStringAsync("/api/permissions"),
        await admin.GetStringAsync("/api/settings/crm"),
        await admin.GetStringAsync("/api/users"),
        await CountsAsync());

    [Fact]
    public async Task P5_enums_travel_as_names()
    {
        var permissions = await admin.GetStringAsync("/api/permissions");

        Assert.Contains("\"exceptions\":\"View\"", permissions);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("/api/permissions", Json("""[{"role":"Viewer","exceptions":"view"}]"""))).StatusCode);
    }

    public static TheoryData<string, string, string, int> OverLong()
    {
        var phones = JsonSerializer.Serialize(Enumerable.Range(0, FieldLimits.ContactPointsPerEntity + 1).Select(i => $"+1 415 555 {1000 + i}"));
        var emails = JsonSerializer.Serialize(Enumerable.Range(0, FieldLimits.ContactPointsPerEntity + 1).Select(i => $"p{i}@example.com"));
        return new TheoryData<string, string, string, int>
        {
            { "/api/routing/email", $$"""{"from":"a@example.com","subject":"{{Many('s', FieldLimits.Subject + 1)}}","dryRun":false}""", "subject", FieldLimits.Subject },
            { "/api/routing/email", $$"""{"from":"a@example.com","messageId":"<{{Many('m', FieldLimits.MessageId)}}>","dryRun":false}""", "messageId", FieldLimits.MessageId },
            { "/api/routing/email", $$"""{"from":"a@example.com","inReplyTo":"<{{Many('r', FieldLimits.MessageId)}}>"}""", "inReplyTo", FieldLimits.MessageId },
            { "/api/routing/email", $$"""{"from":"{{Many('f', FieldLimits.Email)}}@example.com"}""", "from", FieldLimits.Email },
            { "/api/routing/call", $$"""{"lineId":1,"direction":"Incoming","number":"+1{{Many('5', FieldLimits.RawPhone)}}"}""", "number", FieldLimits.RawPhone },
            { "/api/routing/chat", $$"""{"phone":"+14155550100","name":"{{Many('n', FieldLimits.PersonName + 1)}}","dryRun":false}""", "name", FieldLimits.PersonName },
            { "/api/routing/form", $$"""{"email":"{{Many('e', FieldLimits.Email)}}@example.com"}""", "email", FieldLimits.Email },
            { "/api/telephony/lines", $$"""{"number":"+1 212 555 0101","name":"{{Many('l', FieldLimits.LineName + 1)}}"}""", "name", FieldLimits.LineName },
            { "/api/telephony/lines", $$"""{"number":"+1{{Many('2', FieldLimits.RawPhone)}}","name":"Long number"}""", "number", FieldLimits.RawPhone },
            { "/api/leads", $$"""{"title":"{{Many('t', FieldLimits.Title + 1)}}"}""", "title", FieldLimits.Title },
            { "/api/deals", $$"""{"title":"{{Many('t', FieldLimits.Title + 1)}}"}""", "title", FieldLimits.Title },
            { "/api/contacts", $$"""{"name":"{{Many('c', FieldLimits.Title + 1)}}"}""", "name", FieldLimits.Title },
            { "/api/companies", $$"""{"name":"Many phones","phones":{{phones}}}""", "phones", FieldLimits.ContactPointsPerEntity },
            { "/api/leads", $$"""{"title":"Many emails","emails":{{emails}}}""", "emails", FieldLimits.ContactPointsPerEntity },
            { "/api/contacts", $$"""{"name":"Long phone","phones":["+1{{Many('4', FieldLimits.RawPhone)}}"]}""", "phones[]", FieldLimits.RawPhone },
            { "/api/users", $$"""{"email":"{{Many('u', FieldLimits.Email)}}@test.local","password":"Passw0rd!","role":"Viewer"}""", "email", FieldLimits.Email },
            { "/api/users", $$"""{"email":"long@test.local","password":"P0!{{Many('p', FieldLimits.Password)}}","role":"Viewer"}""", "password", FieldLimits.Password },
        };
    }

    [Theory]
    [MemberData(nameof(OverLong))]
    public async Task An_over_long_string_or_list_is_a_400_naming_the_field_and_its_limit_and_stores_nothing(string path, string body, string field, int limit)
    {
        var before = await CountsAsync();

        var response = await admin.PostAsync(path, Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"{field}: at most {limit:N0} {(field is "phones" or "emails" ? "items" : "characters")}.", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await CountsAsync());
    }

    private async Task<string> CountsAsync()
    {
        await using var db = await factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CrmAdmin.Data.CrmDbContext>>().CreateDbContextAsync();
        return $"{await db.Leads.CountAsync()}/{await db.Deals.CountAsync()}/{await db.Contacts.CountAsync()}/{await db.Companies.CountAsync()}/" +
               $"{await db.Activities.CountAsync()}/{await db.TelephonyLines.CountAsync()}/{await db.Users.CountAsync()}/{await db.AuditEntries.CountAsync()}";
    }

    [Fact]
    public async Task A_subject_within_its_limit_is_kept_and_the_stored_summary_fits_its_column()
    {
        var subject = Many('s', FieldLimits.Subject);

        var response = await admin.PostAsync("/api/routing/email", Json($$"""{"from":"new@example.com","subject":"{{subject}}","dryRun":false}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = await factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CrmAdmin.Data.CrmDbContext>>().CreateDbContextAsync();
        Assert.All(await db.Activities.Select(a => a.Summary).ToListAsync(), summary => Assert.True(summary.Length <= CrmAdmin.Features.Routing.RoutingService.ActivitySummaryLength));
    }

    [Fact]
    public void The_field_limits_are_the_database_columns_lengths()
    {
        using var db = factory.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CrmAdmin.Data.CrmDbContext>>().CreateDbContext();
        int? Column<T>(string property) => db.Model.FindEntityType(typeof(T))!.FindProperty(property)!.GetMaxLength();

        Assert.Equal(FieldLimits.Title, Column<CrmAdmin.Domain.Crm.Lead>("Title"));
        Assert.Equal(FieldLimits.Title, Column<CrmAdmin.Domain.Crm.Deal>("Title"));
        Assert.Equal(FieldLimits.Title, Column<CrmAdmin.Domain.Crm.Contact>("Name"));
        Assert.Equal(FieldLimits.Title, Column<CrmAdmin.Domain.Crm.Company>("Name"));
        Assert.Equal(FieldLimits.LineName, Column<CrmAdmin.Domain.Crm.TelephonyLine>("Name"));
        Assert.Equal(FieldLimits.MessageId, Column<CrmAdmin.Domain.Crm.Activity>("MessageId"));
        Assert.Equal(CrmAdmin.Features.Routing.RoutingService.ActivitySummaryLength, Column<CrmAdmin.Domain.Crm.Activity>("Summary"));
        Assert.Equal(FieldLimits.Email, Column<CrmAdmin.Domain.Crm.EntityContactPoint>("Value"));
        Assert.Equal(FieldLimits.AuditDetails, Column<CrmAdmin.Domain.Audit.AuditEntry>("Details"));
        Assert.Equal(CrmAdmin.Domain.Audit.AuditEntry.MaxDetailsLength, Column<CrmAdmin.Domain.Audit.AuditEntry>("Details"));
        Assert.Equal(CrmAdmin.Domain.Audit.AuditEntry.MaxValueLength, Column<CrmAdmin.Domain.Audit.AuditEntry>("Value"));
        Assert.Equal(CrmAdmin.Domain.Audit.AuditEntry.MaxActorLength, Column<CrmAdmin.Domain.Audit.AuditEntry>("Actor"));
    }
}
