using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Data;

namespace CrmAdmin.Tests.Features;

/// <summary>Lead conversion, lead status and deal stage over the API (SPEC §5, §9), and routing (C7) from what conversion records.</summary>
public abstract class LeadConversionApiTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : LeadConversionApiTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : LeadConversionApiTests(DatabaseProvider.Postgres);

    private readonly CrmAdminFactory factory = new(provider: provider);
    private HttpClient admin = default!;

    public async Task InitializeAsync() => admin = await factory.CreateAdminClientAsync();

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, HttpStatusCode expected, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        var response = await (client ?? admin).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    private async Task<long> CreateLeadAsync(string title, string phone) =>
        (await SendAsync(HttpMethod.Post, "/api/leads", new { title, phones = new[] { phone } }, HttpStatusCode.Created)).GetProperty("id").GetInt64();

    [Fact]
    public async Task Converting_a_lead_answers_the_new_contact_and_deal_which_its_card_links_and_a_second_conversion_is_a_conflict()
    {
        var lead = await CreateLeadAsync("Grace Hopper", "+1 415 555 0142");

        var converted = await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = new[] { "Contact", "Deal" } }, HttpStatusCode.OK);

        var contactId = converted.GetProperty("contactId").GetInt64();
        var dealId = converted.GetProperty("dealId").GetInt64();
        var card = await SendAsync(HttpMethod.Get, $"/api/leads/{lead}", null, HttpStatusCode.OK);
        var contact = await SendAsync(HttpMethod.Get, $"/api/contacts/{contactId}", null, HttpStatusCode.OK);
        var deal = await SendAsync(HttpMethod.Get, $"/api/deals/{dealId}", null, HttpStatusCode.OK);
        Assert.Equal("Converted", card.GetProperty("leadStatus").GetString());
        Assert.Equal(["Contact", "Deal"], card.GetProperty("convertedTo").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal((contactId, "Grace Hopper"), (card.GetProperty("contact").GetProperty("id").GetInt64(), card.GetProperty("contact").GetProperty("title").GetString()));
        Assert.Equal(dealId, card.GetProperty("deal").GetProperty("id").GetInt64());
        Assert.Equal(["+14155550142"], contact.GetProperty("phones").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(("Open", contactId), (deal.GetProperty("dealStage").GetString(), deal.GetProperty("contactId").GetInt64()));

        var again = await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = new[] { "Deal" } }, HttpStatusCode.Conflict);
        Assert.Contains("already converted", again.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Conversion_and_status_changes_answer_problem_details_for_unknown_bad_and_forbidden_requests()
    {
        var lead = await CreateLeadAsync("Enquiry", "+1 415 555 0143");
        await factory.CreateUserAsync("viewer@conversion.test", "Viewer");
        using var viewer = await factory.CreateApiClientAsync("viewer@conversion.test", CrmAdminFactory.UserPassword);

        await SendAsync(HttpMethod.Post, $"/api/leads/{lead + 1000}/convert", new { to = new[] { "Contact" } }, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = Array.Empty<string>() }, HttpStatusCode.BadRequest);
        await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = new[] { "Company" } }, HttpStatusCode.BadRequest);
        await SendAsync(HttpMethod.Put, $"/api/leads/{lead}", new { status = "Converted" }, HttpStatusCode.BadRequest);
        await SendAsync(HttpMethod.Put, $"/api/leads/{lead + 1000}", new { status = "Junk" }, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Put, "/api/deals/98765", new { stage = "Won" }, HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = new[] { "Contact" } }, HttpStatusCode.Forbidden, viewer);
        await SendAsync(HttpMethod.Put, $"/api/leads/{lead}", new { status = "Junk" }, HttpStatusCode.Forbidden, viewer);

        await SendAsync(HttpMethod.Put, $"/api/leads/{lead}", new { status = "Junk" }, HttpStatusCode.NoContent);
        var junk = await SendAsync(HttpMethod.Post, $"/api/leads/{lead}/convert", new { to = new[] { "Contact" } }, HttpStatusCode.Conflict);
        await SendAsync(HttpMethod.Put, $"/api/leads/{lead}", new { status = "Open" }, HttpStatusCode.NoContent);
        Assert.Equal("Open", (await SendAsync(HttpMethod.Get, $"/api/leads/{lead}", null, HttpStatusCode.OK)).GetProperty("leadStatus").GetString());
        Assert.Contains("junk", junk.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task After_conversion_to_a_deal_an_outgoing_call_creates_a_repeated_lead_and_after_conversion_to_a_contact_only_it_does_not()
    {
        await SendAsync(HttpMethod.Put, "/api/settings/crm", new { mode = "Classic", repeatedLeads = true, createFromNewEmails = true }, HttpStatusCode.OK);
        var line = (await SendAsync(HttpMethod.Post, "/api/telephony/lines", new
        {
            number = "+1 212 555 0000", name = "Sales line",
            incoming = new { createEntities = true, repeated = true }, outgoing = new { createEntities = true, repeated = true },
        }, HttpStatusCode.Created)).GetProperty("id").GetInt64();
        var toDeal = await CreateLeadAsync("Deal customer", "+1 415 555 0150");
        var toContact = await CreateLeadAsync("Contact customer", "+1 415 555 0151");
        var deal = (await SendAsync(HttpMethod.Post, $"/api/leads/{toDeal}/convert", new { to = new[] { "Contact", "Deal" } }, HttpStatusCode.OK)).GetProperty("dealId").GetInt64();
        var contact = (await SendAsync(HttpMethod.Post, $"/api/leads/{toContact}/convert", new { to = new[] { "Contact" } }, HttpStatusCode.OK)).GetProperty("contactId").GetInt64();
        await SendAsync(HttpMethod.Put, $"/api/deals/{deal}", new { stage = "Won" }, HttpStatusCode.NoContent);

        var afterDeal = await SendAsync(HttpMethod.Post, "/api/routing/call",
            new { lineId = line, direction = "Outgoing", number = "+1 415 555 0150", dryRun = false }, HttpStatusCode.OK);
        var afterContact = await SendAsync(HttpMethod.Post, "/api/routing/call",
            new { lineId = line, direction = "Outgoing", number = "+1 415 555 0151", dryRun = false }, HttpStatusCode.OK);

        Assert.Contains("C7", afterDeal.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.True(afterDeal.GetProperty("repeated").GetBoolean());
        var repeated = await SendAsync(HttpMethod.Get, $"/api/leads/{afterDeal.GetProperty("created")[0].GetProperty("id").GetInt64()}", null, HttpStatusCode.OK);
        Assert.True(repeated.GetProperty("isRepeated").GetBoolean());
        Assert.Equal("Deal customer", repeated.GetProperty("contact").GetProperty("title").GetString());

        Assert.Equal(["C1", "C4", "C7"], afterContact.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Empty(afterContact.GetProperty("created").EnumerateArray());
        Assert.Contains(afterContact.GetProperty("loggedTo").EnumerateArray(),
            e => e.GetProperty("type").GetString() == "Contact" && e.GetProperty("id").GetInt64() == contact && e.GetProperty("rule").GetString() == "C4");
    }
}
