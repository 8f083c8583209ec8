using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Data;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// SPEC §9: input minimal APIs cannot bind (a query value of the wrong kind, a JSON field of the wrong
/// type, malformed JSON, no body) is a 400 problem document naming the field and what it expects, as the
/// app's own validation problems are, on every endpoint group, in Production as in Development. Binding
/// happens before the database is touched, so one provider is enough.
/// </summary>
public sealed class MalformedRequestTests(SharedApp.OnSqlite app) : IClassFixture<SharedApp.OnSqlite>
{
    // Every case is refused before the database is touched: one app serves them all.
    private readonly CrmAdminFactory factory = app.Factory;
    private readonly HttpClient admin = app.Admin;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static TheoryData<string, string, string?, string, string> WrongInput() => new()
    {
        // Query parameters: Exceptions, Routing (raw email), Exceptions' list.
        { "POST", "/api/exceptions/import?expiresInDays=abc", "+14155550100", "Invalid value", "expiresInDays: a whole number from 1 to 3650." },
        { "POST", "/api/exceptions/import?expiresAt=tomorrow", "+14155550100", "Invalid value", "expiresAt: a date and time such as 2026-12-31T18:00:00Z." },
        { "GET", "/api/exceptions/?skip=ten", null, "Invalid value", "skip: a whole number from 0 to 2147483647." },
        { "GET", "/api/exceptions/?type=Fax", null, "Invalid value", "type: one of Phone, Email, EmailDomain, EmailDomainTree, PhonePrefix." },
        { "GET", "/api/exceptions/imports?take=1.5", null, "Invalid value", "take: a whole number from 1 to 200." },
        // JSON fields of the wrong type: CRM settings and telephony lines, routing, access.
        { "POST", "/api/telephony/lines", """{"number":"+1 212 555 0101","name":"Sales","incoming":{"createEntities":true,"repeated":"yes"}}""",
            "Invalid value", "incoming.repeated: true or false." },
        { "POST", "/api/telephony/lines", """{"number":12125550101,"name":"Sales"}""", "Invalid value", "number: a string." },
        { "PUT", "/api/settings/crm", """{"mode":"Classic","repeatedLeads":1,"createFromNewEmails":true}""", "Invalid value", "repeatedLeads: true or false." },
        { "POST", "/api/routing/call", """{"lineId":"one","direction":"Incoming","number":"+14155550100"}""", "Invalid value", "lineId: a whole number from 1 to 9223372036854775807." },
        { "POST", "/api/routing/call", """{"lineId":1,"direction":"Sideways","number":"+14155550100"}""", "Invalid value", "direction: one of Incoming, Outgoing." },
        { "POST", "/api/routing/email", """{"from":"a@example.com","references":"<one@example.com>"}""", "Invalid value", "references: a JSON array." },
        { "POST", "/api/users", """{"email":["a@test.local"],"password":"Passw0rd!","role":"Viewer"}""", "Invalid value", "email: a string." },
        { "PUT", "/api/permissions", """[{"role":"Viewer","exceptions":{}}]""", "Invalid value", "[0].exceptions: one of None, View, Edit." },
        { "POST", "/api/leads", """{"title":"Lead","phones":[5]}""", "Invalid value", "phones[0]: a string." },
        // Malformed JSON and no body.
        { "POST", "/api/routing/email", """{"from":""", "Malformed JSON", "The request body is not valid JSON (line 1, byte 9)." },
        { "PUT", "/api/permissions", "[{\"role\":\"Viewer\",\n\"exceptions\" \"View\"}]", "Malformed JSON", "The request body is not valid JSON (line 2, byte 14)." },
        { "POST", "/api/telephony/lines", "{number: 1}", "Malformed JSON", "The request body is not valid JSON (line 1, byte 2)." },
        { "POST", "/api/routing/call", "", "Request body missing", "The request body is empty: send a JSON object." },
    };

    [Theory]
    [InlineData("PUT", "/api/permissions", "[null]", "permissions[0]: a value, not null.")]
    [InlineData("POST", "/api/leads", """{"title":"Lead","phones":["+14155550100",null]}""", "phones[1]: a value, not null.")]
    [InlineData("POST", "/api/contacts", """{"name":"Ann","emails":[null]}""", "emails[0]: a value, not null.")]
    public async Task A_list_with_a_null_item_is_a_400_naming_the_item_never_a_500(string method, string path, string body, string detail)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(WrongInput))]
    public async Task Input_that_does_not_bind_is_a_400_problem_naming_the_field_and_what_it_expects(string method, string path, string? body, string title, string detail)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : path.Contains("/import") ? new StringContent(body) : Json(body) };

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_kind_on_a_raw_email_is_named_too()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/routing/email?dryRun=maybe")
        {
            Content = new StringContent("From: a@example.com\r\nSubject: Hi\r\n\r\nHello", Encoding.UTF8, "message/rfc822"),
        };

        var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("dryRun: true or false.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_in_a_media_type_the_endpoint_does_not_read_is_a_415_problem_naming_the_type_it_reads()
    {
        var response = await admin.PostAsync("/api/telephony/lines", new StringContent("""{"number":"+1 212 555 0101","name":"Sales"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Content-Type: application/json.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/auth/token", "text/plain")]
    [InlineData("/api/auth/refresh", "application/x-www-form-urlencoded")]
    [InlineData("/api/auth/token", null)]
    public async Task The_sign_in_endpoints_answer_a_body_they_do_not_read_with_a_415_naming_json_not_a_sign_in_first(string path, string? mediaType)
    {
        var body = new StringContent("""{"email":"viewer@test.local","password":"Wrong-password1"}""", Encoding.UTF8);
        body.Headers.ContentType = mediaType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);

        var response = await factory.CreateApiClient().PostAsync(path, body);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Unsupported Media Type", "Content-Type: application/json."), (problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task An_endpoint_that_needs_a_sign_in_still_answers_an_anonymous_body_it_does_not_read_with_a_401()
    {
        var anonymous = factory.CreateApiClient();

        var users = await anonymous.PostAsync("/api/users", new StringContent("{}", Encoding.UTF8, "text/plain"));
        var lines = await anonymous.PostAsync("/api/telephony/lines", new StringContent("{}", Encoding.UTF8, "text/plain"));

        // An anonymous caller learns nothing of an address that needs a sign-in, not even the media types it reads.
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (users.StatusCode, lines.StatusCode));
    }

    [Fact]
    public async Task The_imports_415_names_the_text_types_it_reads_not_json()
    {
        var response = await admin.PostAsync("/api/exceptions/import", Json("""{"value":"+14155550100"}"""));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal("Content-Type: text/plain, text/csv or multipart/form-data.", detail);
    }

    [Theory]
    [InlineData("POST", "/api/telephony/lines", "body: a JSON object, not null.")]
    [InlineData("POST", "/api/routing/call", "body: a JSON object, not null.")]
    [InlineData("PUT", "/api/settings/crm", "body: a JSON object, not null.")]
    [InlineData("POST", "/api/leads", "body: a JSON object, not null.")]
    [InlineData("PUT", "/api/permissions", "body: a JSON array, not null.")]
    public async Task A_null_body_says_what_the_body_must_be(string method, string path, string detail)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("null") });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Invalid value", problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/exceptions/import?expiresInDays=99999999999", "expiresInDays: a whole number from 1 to 3650.")]
    [InlineData("POST", "/api/exceptions/import?expiresInDays=-99999999999", "expiresInDays: a whole number from 1 to 3650.")]
    [InlineData("GET", "/api/exceptions/?skip=99999999999", "skip: a whole number from 0 to 2147483647.")]
    [InlineData("GET", "/api/exceptions/?take=99999999999", "take: a whole number from 1 to 500.")]
    [InlineData("GET", "/api/exceptions/imports?take=99999999999", "take: a whole number from 1 to 200.")]
    [InlineData("GET", "/api/audit?skip=99999999999", "skip: a whole number from 0 to 2147483647.")]
    [InlineData("GET", "/api/audit?take=99999999999", "take: a whole number from 1 to 200.")]
    public async Task A_whole_number_out_of_range_is_told_the_range_not_that_it_is_not_a_number(string method, string path, string detail)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("+14155550100") : null });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/exceptions/?take=1000", "take: a whole number from 1 to 500.")]
    [InlineData("GET", "/api/exceptions/?take=0", "take: a whole number from 1 to 500.")]
    [InlineData("GET", "/api/exceptions/?skip=-1", "skip: a whole number from 0 to 2147483647.")]
    [InlineData("GET", "/api/exceptions/imports?take=201", "take: a whole number from 1 to 200.")]
    [InlineData("POST", "/api/exceptions/import?expiresInDays=0", "expiresInDays: a whole number from 1 to 3650.")]
    [InlineData("POST", "/api/exceptions/import?expiresInDays=3651", "expiresInDays: a whole number from 1 to 3650.")]
    public async Task A_whole_number_that_binds_but_is_out_of_its_range_is_refused_never_clamped(string method, string path, string detail)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("+14155550100") : null });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/exceptions/?type=email", "type: one of ")]
    [InlineData("/api/exceptions/?sortBy=value", "sortBy: one of ")]
    public async Task An_enum_value_in_another_case_is_told_the_names_it_may_take(string path, string detailStart)
    {
        var response = await admin.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(detailStart, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/routing/call", """{"lineId":99999999999999999999,"direction":"Incoming","number":"+14155550100"}""", "lineId: a whole number from 1 to 9223372036854775807.")]
    [InlineData("POST", "/api/leads", """{"title":"Lead","companyId":1e30}""", "companyId: a whole number from 1 to 9223372036854775807.")]
    [InlineData("POST", "/api/routing/call", """{"lineId":1,"direction":"Incoming","number":"+14155550100","initiatedFrom":{"type":"Lead","id":-99999999999999999999}}""", "initiatedFrom.id: a whole number from 1 to 9223372036854775807.")]
    public async Task A_json_id_out_of_range_is_told_the_range(string method, string path, string body, string detail)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/telephony/lines", "{\"number\":\"+1 212 555 0101\",\"name\":\"Sales \xC3\x28\"}", "name")]
    [InlineData("POST", "/api/routing/email", "{\"from\":\"a@example.com\",\"subject\":\"\xFF\xFE\"}", "subject")]
    [InlineData("POST", "/api/contacts", "{\"name\":\"Ann\",\"emails\":[\"ann\xE9@example.com\"]}", "emails[0]")]
    public async Task Invalid_UTF8_inside_a_json_string_is_named_as_such(string method, string path, string latin1Body, string field)
    {
        var bytes = System.Text.Encoding.Latin1.GetBytes(latin1Body);
        var content = new ByteArrayContent(bytes) { Headers = { ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") } };

        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = content });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"{field}: the text is not valid UTF-8; send the body as UTF-8.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("PUT", "/api/telephony/lines/abc", """{"number":"+1 212 555 0101","name":"Sales"}""")]
    [InlineData("DELETE", "/api/exceptions/abc", null)]
    [InlineData("POST", "/api/exceptions/imports/first/undo", null)]
    [InlineData("GET", "/api/leads/1.5", null)]
    [InlineData("POST", "/api/deals/x/add-to-exceptions", null)]
    [InlineData("POST", "/api/recycle-bin/99999999999999999999/restore", """{"removeExceptions":true}""")]
    public async Task A_route_id_that_is_not_a_number_is_a_404_problem_naming_the_parameter(string method, string path, string? body)
    {
        var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = body is null ? null : Json(body) });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Not found", problem.GetProperty("title").GetString());
        Assert.Equal("id: a whole number from 1 to 9223372036854775807, so nothing is at this address.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_refused_binding_shows_none_of_the_frameworks_own_text()
    {
        var response = await admin.PostAsync("/api/routing/call", Json("""{"lineId":"one","direction":"Incoming","number":"+14155550100"}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("CrmAdmin.", text);
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("Failed to", text);
    }

    [Fact]
    public async Task A_server_fault_stays_a_generic_500_problem_that_shows_nothing_of_the_exception()
    {
        await using var failing = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IExceptionTextSearch>(new FailingSearch())));
        using var client = failing.CreateClient();
        client.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;

        var response = await client.GetAsync("/api/exceptions/?value=555");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(FailingSearch.Secret, text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("FailingSearch", text);
    }

    private sealed class FailingSearch : IExceptionTextSearch
    {
        public const string Secret = "connection to db-internal-7 refused";

        public Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
            throw new InvalidOperationException(Secret);

        public Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct) =>
            throw new InvalidOperationException(Secret);

        public Task<ExceptionFilter> WithTypeOfCommentAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
            throw new InvalidOperationException(Secret);

        public IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids) => throw new InvalidOperationException(Secret);
    }
}
