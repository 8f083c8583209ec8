using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// SPEC §9 for the new kinds: a raw email (<c>message/rfc822</c>) routed by its headers, import
/// expiry and its id, the imports history and undo, and the status filter. The parsing is the same on
/// both providers (the services under it are tested on each), so this runs on SQLite.
/// </summary>
public sealed class EntryKindsApiTests : IAsyncLifetime
{
    private readonly CrmAdminFactory factory = new();
    private HttpClient admin = default!;

    public async Task InitializeAsync() => admin = await factory.CreateAdminClientAsync();

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private async Task<JsonElement> ImportAsync(string lines, string query = "")
    {
        var response = await admin.PostAsync("/api/exceptions/import" + query, new StringContent(lines, Encoding.UTF8, "text/plain"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<HttpResponseMessage> PostRawAsync(string message, string query = "") =>
        admin.PostAsync("/api/routing/email" + query, new StringContent(message.ReplaceLineEndings("\r\n"), Encoding.UTF8, "message/rfc822"));

    private async Task<JsonElement> RouteRawAsync(string message, string query = "")
    {
        var response = await PostRawAsync(message, query);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_raw_email_with_an_encoded_word_name_is_routed_by_its_address_and_blocked_by_a_subdomain_tree()
    {
        await ImportAsync("@*.example.com;whole company");

        var outcome = await RouteRawAsync("""
            From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <Ivan@Mail.Example.com>
            To: sales@crm.test
            Subject: =?UTF-8?Q?Cen=C3=ADk?=
            Message-ID: <raw1@mail.example.com>

            Hello
            """);

        Assert.Equal("ivan@mail.example.com", outcome.GetProperty("customer").GetString());
        Assert.True(outcome.GetProperty("blocked").GetBoolean());
        Assert.Equal("EmailDomainTree", outcome.GetProperty("matchedException").GetProperty("type").GetString());
        Assert.Contains(outcome.GetProperty("explanation").EnumerateArray(), e => e.GetString()!.Contains("the subdomain tree @*.example.com"));
    }

    [Fact]
    public async Task A_raw_reply_finds_its_thread_by_the_newest_saved_id_in_References_when_In_Reply_To_was_never_saved()
    {
        var contact = await admin.PostAsJsonAsync("/api/contacts", new { name = "Buyer", emails = new[] { "buyer@example.org" } });
        var contactId = (await contact.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        (await admin.PostAsJsonAsync("/api/routing/email", new { from = "buyer@example.org", messageId = "<m1@example.org>", subject = "Order", dryRun = false })).EnsureSuccessStatusCode();
        await ImportAsync("@example.org;blocked domain");

        var reply = await RouteRawAsync("""
            From: Buyer <buyer@example.org>
            Subject: Re: Re: Order
            Message-ID: <m4@example.org>
            In-Reply-To: <m3@other-client.example>
            References: <m0@example.org> <m1@example.org> <m3@other-client.example>

            Thanks
            """, "?dryRun=false");

        Assert.False(reply.GetProperty("blocked").GetBoolean());
        Assert.Equal(["E1"], reply.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("<m1@example.org>", reply.GetProperty("explanation")[0].GetString());
        Assert.Equal(contactId, reply.GetProperty("loggedTo")[0].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task A_From_with_several_mailboxes_is_routed_by_its_Sender_and_refused_without_one()
    {
        var withSender = await RouteRawAsync("""
            From: ann@example.net, bob@example.net
            Sender: bob@example.net
            Subject: Joint letter

            Hi
            """);
        var withoutSender = await PostRawAsync("""
            From: ann@example.net, bob@example.net
            Subject: Joint letter

            Hi
            """);

        Assert.Equal("bob@example.net", withSender.GetProperty("customer").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, withoutSender.StatusCode);
        Assert.Contains("Sender", (await withoutSender.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("Subject: nobody\r\n\r\nHi", "no From header")]
    [InlineData("From: Undisclosed\r\nSubject: x\r\n\r\nHi", "\"Undisclosed\" is not an email address")]
    [InlineData("From: not-an-address@\r\n\r\nHi", "has no email address")]
    public async Task A_raw_email_without_a_usable_sender_is_a_clear_400(string message, string reason)
    {
        var response = await PostRawAsync(message);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_raw_email_over_the_size_limit_is_refused_with_413()
    {
        var response = await PostRawAsync("From: a@example.com\r\n\r\n" + new string('x', CrmAdmin.Features.FieldLimits.RawMessageBytes));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task I10_I11_an_import_with_expiry_answers_its_id_lists_in_the_history_and_undoes_once()
    {
        var report = await ImportAsync("+1900*;premium\n@*.example.com\nbad", "?expiresInDays=7");
        var importId = report.GetProperty("importId").GetInt64();

        var active = await admin.GetAsync("/api/exceptions?status=active");
        Assert.True(active.IsSuccessStatusCode, await active.Content.ReadAsStringAsync());
        var listed = await active.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, listed.GetProperty("total").GetInt32());
        Assert.All(listed.GetProperty("items").EnumerateArray(), i => Assert.Equal(JsonValueKind.String, i.GetProperty("expiresAt").ValueKind));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions?status=expired")).GetProperty("total").GetInt32());
        var history = await admin.GetFromJsonAsync<JsonElement>("/api/exceptions/imports");
        var item = history.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt64() == importId);
        Assert.Equal((2, 1, "Api"), (item.GetProperty("added").GetInt32(), item.GetProperty("invalid").GetInt32(), item.GetProperty("source").GetString()));

        var undo = await admin.PostAsync($"/api/exceptions/imports/{importId}/undo", null);
        var again = await admin.PostAsync($"/api/exceptions/imports/{importId}/undo", null);
        var missing = await admin.PostAsync($"/api/exceptions/imports/{importId + 99}/undo", null);

        Assert.Equal(2, (await undo.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetInt32());
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions")).GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("?expiresInDays=0")]
    [InlineData("?expiresAt=2001-01-01T00:00:00Z")]
    [InlineData("?expiresInDays=3&expiresAt=2099-01-01T00:00:00Z")]
    public async Task I11_an_unusable_expiry_refuses_the_import_and_adds_nothing(string query)
    {
        var response = await admin.PostAsync("/api/exceptions/import" + query, new StringContent("+1900*", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions")).GetProperty("total").GetInt32());
    }
}
