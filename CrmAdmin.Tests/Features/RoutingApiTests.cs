using CrmAdmin.Data;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>The routing service and its applier through the API, on a real SQLite file.</summary>
public abstract class RoutingApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : RoutingApiTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : RoutingApiTests(DatabaseProvider.Postgres);

    private readonly CrmAdminFactory factory = new(provider: provider);
    private HttpClient admin = default!;
    private long lineId;

    public async Task InitializeAsync()
    {
        admin = await factory.CreateAdminClientAsync();
        var line = await PostAsync("/api/telephony/lines", new { number = "+1 212 555 0000", name = "Sales line", incoming = new { createEntities = true, repeated = false }, outgoing = new { createEntities = false, repeated = false } });
        lineId = line.GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<JsonElement> PostAsync(string path, object body, HttpClient? client = null)
    {
        var response = await (client ?? admin).PostAsJsonAsync(path, body);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<JsonElement> CallAsync(string number, bool dryRun, string direction = "Incoming", object? initiatedFrom = null) =>
        PostAsync("/api/routing/call", new { lineId, direction, number, initiatedFrom, dryRun });

    private async Task<string> SnapshotAsync()
    {
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        var parts = new List<string>
        {
            // Recycled entities too: a dry run must not touch them either.
            $"Leads={await db.Leads.IgnoreQueryFilters().CountAsync()}",
            $"Deals={await db.Deals.IgnoreQueryFilters().CountAsync()}",
            $"Contacts={await db.Contacts.IgnoreQueryFilters().CountAsync()}",
            $"Companies={await db.Companies.IgnoreQueryFilters().CountAsync()}",
            $"Activities={await db.Activities.CountAsync()}",
            $"EntityContactPoints={await db.EntityContactPoints.CountAsync()}",
            $"hits={await db.ExceptionEntries.SumAsync(e => (long)e.HitCount)}",
        };
        return string.Join(",", parts);
    }

    [Fact]
    public async Task An_unknown_number_creates_a_lead_with_the_call_in_its_activities_and_the_next_call_is_logged_to_it()
    {
        var before = await SnapshotAsync();
        var dry = await CallAsync("+1 (646) 555-0101", dryRun: true);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal("New lead created (dry run: nothing was changed)", dry.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, dry.GetProperty("created")[0].GetProperty("id").ValueKind);

        var applied = await CallAsync("+1 (646) 555-0101", dryRun: false);

        var leadId = applied.GetProperty("created")[0].GetProperty("id").GetInt64();
        Assert.Equal(["C1", "C5"], applied.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(leadId, applied.GetProperty("loggedTo")[0].GetProperty("id").GetInt64());
        var lead = await admin.GetFromJsonAsync<JsonElement>($"/api/leads/{leadId}");
        Assert.Equal(["+16465550101"], lead.GetProperty("phones").EnumerateArray().Select(p => p.GetString()));
        var activity = Assert.Single(lead.GetProperty("activities").EnumerateArray());
        Assert.Equal(("Call", "Incoming"), (activity.GetProperty("kind").GetString(), activity.GetProperty("direction").GetString()));

        var second = await CallAsync("+16465550101", dryRun: false);
        Assert.Equal(0, second.GetProperty("created").GetArrayLength());
        Assert.Equal(leadId, second.GetProperty("loggedTo")[0].GetProperty("id").GetInt64());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/leads/{leadId}")).GetProperty("activities").GetArrayLength());
    }

    [Fact]
    public async Task A_dry_run_writes_nothing_whatever_it_decides()
    {
        await admin.PostAsync("/api/exceptions/import", new StringContent("+1 646 555 0199;spam", Encoding.UTF8, "text/plain"));
        var before = await SnapshotAsync();

        await CallAsync("+16465550199", dryRun: true);
        await CallAsync("+16465550198", dryRun: true);
        await PostAsync("/api/routing/email", new { from = "someone@example.net", dryRun = true });
        await PostAsync("/api/routing/chat", new { phone = "+16465550197", dryRun = true });

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_blocked_call_names_the_entry_creates_nothing_and_counts_a_hit_when_applied()
    {
        await admin.PostAsync("/api/exceptions/import", new StringContent("+1 646 555 0102;spam robot", Encoding.UTF8, "text/plain"));
        var before = await SnapshotAsync();

        var outcome = await CallAsync("+16465550102", dryRun: false);

        Assert.True(outcome.GetProperty("blocked").GetBoolean());
        Assert.Equal(("+16465550102", "spam robot"), (outcome.GetProperty("matchedException").GetProperty("value").GetString(), outcome.GetProperty("matchedException").GetProperty("comment").GetString()));
        Assert.StartsWith("Blocked by exception +16465550102 — \"spam robot\"", outcome.GetProperty("verdict").GetString());
        Assert.Equal(before.Replace("hits=0", "hits=1"), await SnapshotAsync());
        var entry = (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions?sortBy=HitCount")).GetProperty("items")[0];
        Assert.Equal(1, entry.GetProperty("hitCount").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("lastHitAt").ValueKind);
    }

    [Fact]
    public async Task A_number_that_cannot_be_normalized_is_a_400_problem_and_changes_nothing()
    {
        var before = await SnapshotAsync();

        var response = await admin.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "4155550100", dryRun = false });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("C1", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/routing/call", new { lineId = 999, direction = "Incoming", number = "+14155550100" })).StatusCode);
    }

    [Fact]
    public async Task A_viewer_may_simulate_but_not_apply()
    {
        await factory.CreateUserAsync("viewer@test.local", "Viewer");
        using var viewer = await factory.CreateApiClientAsync("viewer@test.local", CrmAdminFactory.UserPassword);

        Assert.Equal(HttpStatusCode.OK, (await viewer.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+16465550103" })).StatusCode);
        var before = await SnapshotAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+16465550103", dryRun = false })).StatusCode);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Seed_outgoing_after_a_lead_converted_to_a_deal_creates_a_repeated_lead_but_after_a_contact_only_it_does_not()
    {
        await admin.PutAsJsonAsync("/api/settings/crm", new { mode = "Classic", repeatedLeads = true, createFromNewEmails = true });
        await admin.PutAsJsonAsync($"/api/telephony/lines/{lineId}", new { number = "+12125550000", name = "Sales line", incoming = new { createEntities = true, repeated = true }, outgoing = new { createEntities = true, repeated = true } });
        var toDeal = (await PostAsync("/api/contacts", new { name = "Ann", phones = new[] { "+1 646 555 0111" } })).GetProperty("id").GetInt64();
        await PostAsync("/api/leads", new { title = "Old lead", phones = new[] { "+16465550111" }, contactId = toDeal, status = "Converted", convertedTo = new[] { "Deal" }, closedAt = "2026-01-01T00:00:00Z" });
        var toContact = (await PostAsync("/api/contacts", new { name = "Bob", phones = new[] { "+1 646 555 0112" } })).GetProperty("id").GetInt64();
        await PostAsync("/api/leads", new { title = "Old lead", phones = new[] { "+16465550112" }, contactId = toContact, status = "Converted", convertedTo = new[] { "Contact" }, closedAt = "2026-01-01T00:00:00Z" });

        var afterDeal = await CallAsync("+16465550111", dryRun: false, direction: "Outgoing");
        var afterContact = await CallAsync("+16465550112", dryRun: false, direction: "Outgoing");

        Assert.True(afterDeal.GetProperty("repeated").GetBoolean());
        var repeated = await admin.GetFromJsonAsync<JsonElement>($"/api/leads/{afterDeal.GetProperty("created")[0].GetProperty("id").GetInt64()}");
        Assert.Equal(toDeal, repeated.GetProperty("contactId").GetInt64());
        Assert.True(repeated.GetProperty("isRepeated").GetBoolean());
        Assert.False(afterContact.GetProperty("repeated").GetBoolean());
        Assert.Contains("C7", afterContact.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Seed_a_reply_from_an_excepted_address_is_saved_to_its_thread()
    {
        var contact = (await PostAsync("/api/contacts", new { name = "Buyer", emails = new[] { "buyer@example.org" } })).GetProperty("id").GetInt64();
        await PostAsync("/api/routing/email", new { from = "buyer@example.org", messageId = "<m1@example.org>", subject = "Order", dryRun = false });
        await admin.PostAsync("/api/exceptions/import", new StringContent("@example.org;all of them", Encoding.UTF8, "text/plain"));

        var fresh = await PostAsync("/api/routing/email", new { from = "buyer@example.org", subject = "News", dryRun = false });
        var reply = await PostAsync("/api/routing/email", new { from = "buyer@example.org", inReplyTo = "<m1@example.org>", subject = "Re: Order", dryRun = false });

        Assert.True(fresh.GetProperty("blocked").GetBoolean());
        Assert.Equal(0, fresh.GetProperty("loggedTo").GetArrayLength());
        Assert.False(reply.GetProperty("blocked").GetBoolean());
        Assert.Equal(["E1"], reply.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(contact, reply.GetProperty("loggedTo")[0].GetProperty("id").GetInt64());
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/contacts/{contact}")).GetProperty("activities").GetArrayLength());
    }

    [Fact]
    public async Task Seed_a_chat_from_an_excepted_number_is_processed()
    {
        await admin.PostAsync("/api/exceptions/import", new StringContent("+1 646 555 0120;spam", Encoding.UTF8, "text/plain"));

        var chat = await PostAsync("/api/routing/chat", new { phone = "+16465550120", name = "Visitor", dryRun = false });

        Assert.False(chat.GetProperty("blocked").GetBoolean());
        Assert.Equal("Lead", chat.GetProperty("created")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Every_created_entity_names_the_rule_that_created_it_as_logged_entities_do()
    {
        var classicCall = await CallAsync("+16465550140", dryRun: false);
        var newEmail = await PostAsync("/api/routing/email", new { from = "new.buyer@example.net", dryRun = true });
        var chat = await PostAsync("/api/routing/chat", new { phone = "+16465550141", name = "Visitor", dryRun = false });
        await admin.PutAsJsonAsync("/api/settings/crm", new { mode = "Simple", repeatedLeads = true, createFromNewEmails = true });
        await admin.PutAsJsonAsync($"/api/telephony/lines/{lineId}", new { number = "+12125550000", name = "Sales line", incoming = new { createEntities = true, repeated = true }, outgoing = new { createEntities = false, repeated = false } });
        var simpleCall = await CallAsync("+16465550142", dryRun: false);
        await PostAsync("/api/contacts", new { name = "Known", phones = new[] { "+1 646 555 0143" } });
        var repeatedCall = await CallAsync("+16465550143", dryRun: true);

        Assert.Equal([("Lead", "C5")], Created(classicCall));
        Assert.Equal([("Lead", "C5")], Created(newEmail));
        Assert.Equal([("Lead", "C5")], Created(chat));
        Assert.Equal([("Contact", "C5"), ("Deal", "C5")], Created(simpleCall));
        Assert.Equal([("Deal", "C6")], Created(repeatedCall));
        foreach (var outcome in new[] { classicCall, newEmail, chat, simpleCall, repeatedCall })
        {
            var rules = outcome.GetProperty("rules").EnumerateArray().Select(r => r.GetString()).ToList();
            Assert.All(outcome.GetProperty("created").EnumerateArray(), c => Assert.Contains(c.GetProperty("rule").GetString(), rules));
        }

        static List<(string?, string?)> Created(JsonElement outcome) =>
            outcome.GetProperty("created").EnumerateArray().Select(c => (c.GetProperty("type").GetString(), c.GetProperty("rule").GetString())).ToList();
    }

    [Fact]
    public async Task Sentences_and_titles_show_an_IDN_domain_in_Unicode_while_the_fields_keep_the_stored_form()
    {
        var created = await PostAsync("/api/routing/email", new { from = "Käufer@Bücher.example", dryRun = true });
        await admin.PostAsync("/api/exceptions/import", new StringContent("@*.пример.рф;resellers", Encoding.UTF8, "text/plain"));
        var blocked = await PostAsync("/api/routing/email", new { from = "post@mail.пример.рф", dryRun = true });

        Assert.Equal("käufer@xn--bcher-kva.example", created.GetProperty("customer").GetString());
        Assert.Contains("käufer@bücher.example", Sentences(created));
        // A title is text for people, composed with the address as written (the customer field is what clients match on).
        Assert.Equal("Email from käufer@bücher.example", created.GetProperty("created")[0].GetProperty("title").GetString());
        Assert.Equal("@*.xn--e1afmkfd.xn--p1ai", blocked.GetProperty("matchedException").GetProperty("value").GetString());
        Assert.Contains("post@mail.пример.рф matches the subdomain tree @*.пример.рф", Sentences(blocked));
        Assert.StartsWith("Blocked by exception @*.пример.рф", blocked.GetProperty("verdict").GetString());
        Assert.All([created, blocked], outcome => Assert.DoesNotContain("xn--", Sentences(outcome)));

        static string Sentences(JsonElement outcome) =>
            string.Join(" ", outcome.GetProperty("explanation").EnumerateArray().Select(e => e.GetString())) + " " + outcome.GetProperty("verdict").GetString();
    }

    [Fact]
    public async Task Simple_mode_creates_a_contact_and_a_deal_found_through_the_contact_next_time()
    {
        await admin.PutAsJsonAsync("/api/settings/crm", new { mode = "Simple", repeatedLeads = false, createFromNewEmails = true });

        var first = await CallAsync("+16465550130", dryRun: false);
        var second = await CallAsync("+16465550130", dryRun: false);

        Assert.Equal(["Contact", "Deal"], first.GetProperty("created").EnumerateArray().Select(c => c.GetProperty("type").GetString()));
        Assert.Equal(["C1", "C3"], second.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(2, second.GetProperty("loggedTo").GetArrayLength());
    }

    [Fact]
    public async Task Entities_are_created_with_normalized_phones_and_refused_with_a_reason()
    {
        var id = (await PostAsync("/api/companies", new { name = "Acme", phones = new[] { "0044 20 7946 0958" }, emails = new[] { "Info@Acme.example" } })).GetProperty("id").GetInt64();
        var company = await admin.GetFromJsonAsync<JsonElement>($"/api/companies/{id}");

        Assert.Equal("+442079460958", company.GetProperty("phones")[0].GetString());
        Assert.Equal("info@acme.example", company.GetProperty("emails")[0].GetString());
        var bad = await admin.PostAsJsonAsync("/api/contacts", new { name = "X", phones = new[] { "555 0100" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("must start with +", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/deals/999")).StatusCode);
    }
}
