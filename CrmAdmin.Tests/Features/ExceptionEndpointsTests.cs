using CrmAdmin.Data;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrmAdmin.Tests.Features;

[LongRunning]
public abstract class ExceptionEndpointsTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ExceptionEndpointsTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ExceptionEndpointsTests(DatabaseProvider.Postgres);

    private readonly CrmAdminFactory factory = new(new Dictionary<string, string?> { ["Import:MaxBytes"] = "20000" }, provider: provider);
    private HttpClient client = default!;

    public async Task InitializeAsync() => client = await factory.CreateAdminClientAsync();

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private Task<HttpResponseMessage> ImportTextAsync(string text, string mediaType = "text/plain") =>
        client.PostAsync("/api/exceptions/import", new StringContent(text, Encoding.UTF8, mediaType));

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    [Fact]
    public async Task Import_as_plain_text_answers_counts_and_every_line_that_was_not_added()
    {
        var response = await ImportTextAsync("+1 415 555 0100;robot\nfoo\n+14155550100\nsales@example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(2, body.GetProperty("added").GetInt32());
        Assert.Equal(0, body.GetProperty("alreadyListed").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicateInInput").GetInt32());
        Assert.Equal(1, body.GetProperty("invalid").GetInt32());
        var lines = body.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal(["Invalid", "DuplicateInInput"], lines.Select(l => l.GetProperty("status").GetString()));
        Assert.Equal(2, lines[0].GetProperty("line").GetInt32());
        Assert.Equal("foo", lines[0].GetProperty("input").GetString());
        Assert.Contains("country code", lines[0].GetProperty("reason").GetString());
        Assert.Equal("Phone", lines[1].GetProperty("type").GetString());
        Assert.Equal("+14155550100", lines[1].GetProperty("value").GetString());
    }

    [Theory]
    [InlineData("", "Nothing to import: the text has no lines.")]
    [InlineData("\n\n   \r\n\t\r", "Nothing to import: the text has no lines.")]
    [InlineData("\uFEFF  \n", "Nothing to import: the text has no lines.")]
    [InlineData("type,value,comment,source,createdAt,createdBy\r\n\r\n", "Nothing to import: the text has only a header row (line 1: type,value,comment,source,createdAt,createdBy), no lines below it.")]
    public async Task An_import_with_no_lines_is_a_400_problem_and_records_no_import(string text, string detail)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(text)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "empty.csv");

        var responses = new[] { await ImportTextAsync(text), await client.PostAsync("/api/exceptions/import", form) };

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await JsonAsync(response);
            Assert.Equal("Nothing to import", problem.GetProperty("title").GetString());
            Assert.Equal(detail, problem.GetProperty("detail").GetString());
        }

        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/api/exceptions/imports")).GetProperty("items").EnumerateArray());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/exceptions")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_csv_with_column_names_above_the_values_skips_the_header_and_says_so()
    {
        var response = await ImportTextAsync("Telefon;Kommentar\r\n+1 415 555 0193;Werbung\r\nsales@example.com;Lieferant", "text/csv");

        var body = await JsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body.GetProperty("added").GetInt32());
        Assert.Equal(0, body.GetProperty("invalid").GetInt32());
        Assert.Empty(body.GetProperty("lines").EnumerateArray());
        Assert.Equal(1, body.GetProperty("headerSkipped").GetProperty("line").GetInt32());
        Assert.Equal("Telefon;Kommentar", body.GetProperty("headerSkipped").GetProperty("input").GetString());
        var history = (await client.GetFromJsonAsync<JsonElement>("/api/exceptions/imports")).GetProperty("items")[0];
        Assert.Equal(2, history.GetProperty("added").GetInt32());
    }

    [Fact]
    public async Task Import_as_a_multipart_file_uses_the_same_parser()
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("\uFEFF+44 20 7946 0958;london\r\n@example.org"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", "list.txt");

        var body = await JsonAsync(await client.PostAsync("/api/exceptions/import", form));

        Assert.Equal(2, body.GetProperty("added").GetInt32());
    }

    [Fact]
    public async Task Export_is_csv_with_a_header_and_imports_back_into_an_empty_list()
    {
        await ImportTextAsync("+1 415 555 0100;=cmd\n@example.org;domain, with comma");

        var export = await client.GetAsync("/api/exceptions/export");
        var csv = await export.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", export.Content.Headers.ContentDisposition?.DispositionType);
        Assert.StartsWith("type,value,comment,source,createdAt,createdBy", csv.TrimStart('\uFEFF'));
        await using var other = new CrmAdminFactory(provider: provider);
        using var otherClient = await other.CreateAdminClientAsync();
        var reimport = await JsonAsync(await otherClient.PostAsync("/api/exceptions/import", new StringContent(csv, Encoding.UTF8, "text/csv")));
        Assert.Equal((2, 0), (reimport.GetProperty("added").GetInt32(), reimport.GetProperty("invalid").GetInt32()));
        var listed = await JsonAsync(await otherClient.GetAsync("/api/exceptions?sortBy=Value&descending=false"));
        Assert.Equal(["+14155550100", "@example.org"], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()));
        Assert.Equal(["=cmd", "domain, with comma"], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("comment").GetString()));
    }

    [Fact]
    public async Task List_filters_pages_and_answers_camelCase_with_enums_as_strings()
    {
        await ImportTextAsync("+1 415 555 0100;spam\n+1 415 555 0101;spam\nsales@example.com;supplier");

        var body = await JsonAsync(await client.GetAsync("/api/exceptions?type=Phone&value=415%20555&comment=SPAM&skip=1&take=1"));

        Assert.Equal(2, body.GetProperty("total").GetInt32());
        var item = Assert.Single(body.GetProperty("items").EnumerateArray());
        Assert.Equal("Phone", item.GetProperty("type").GetString());
        Assert.Equal("Api", item.GetProperty("source").GetString());
        Assert.Equal(CrmAdminFactory.AdminEmail, item.GetProperty("createdBy").GetString());
        Assert.EndsWith("Z", item.GetProperty("createdAt").GetString());
        foreach (var property in new[] { "id", "value", "comment", "createdBy" })
        {
            Assert.True(item.TryGetProperty(property, out _), property);
        }
    }

    [Fact]
    public async Task Delete_answers_204_then_404_as_problem_details()
    {
        await ImportTextAsync("+14155550100");
        var id = (await JsonAsync(await client.GetAsync("/api/exceptions"))).GetProperty("items")[0].GetProperty("id").GetInt64();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/exceptions/{id}")).StatusCode);
        var again = await client.DeleteAsync($"/api/exceptions/{id}");

        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await JsonAsync(await client.GetAsync("/api/exceptions"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_import_over_the_configured_size_is_refused_with_413_and_adds_nothing()
    {
        var big = string.Join("\n", Enumerable.Range(0, 2000).Select(i => $"user{i}@example.com;x"));

        var response = await ImportTextAsync(big);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await JsonAsync(await client.GetAsync("/api/exceptions"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_bad_query_value_is_a_400_problem_not_a_crash()
    {
        var response = await client.GetAsync("/api/exceptions?type=Fax");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Entries_are_still_there_after_the_app_restarts()
    {
        // The database outlives both apps: the first is stopped before the second starts.
        await using var database = new CrmAdminFactory(provider: provider);
        await using (var first = new CrmAdminFactory(sharing: database))
        {
            using var firstClient = await first.CreateAdminClientAsync();
            await firstClient.PostAsync("/api/exceptions/import", new StringContent("+14155550100;kept\n@example.org", Encoding.UTF8, "text/plain"));
        }

        await using var second = new CrmAdminFactory(sharing: database);
        using var secondClient = await second.CreateAdminClientAsync();
        var body = await JsonAsync(await secondClient.GetAsync("/api/exceptions?sortBy=Value&descending=false"));

        Assert.Equal(["+14155550100", "@example.org"], body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task Health_and_the_OpenAPI_document_are_served()
    {
        var anonymous = factory.CreateApiClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
        var openApi = await anonymous.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/exceptions", "/api/exceptions/import", "/api/exceptions/{id}", "/api/exceptions/export" })
        {
            Assert.Contains($"\"{path}\"", openApi);
        }

        // Enums are described by their names, as the API reads and writes them (they once read {}).
        var schemas = JsonDocument.Parse(openApi).RootElement.GetProperty("components").GetProperty("schemas");
        foreach (var (name, values) in new[] { ("CallDirection", Enum.GetNames<CrmAdmin.Domain.Crm.CallDirection>()), ("EntryType", Enum.GetNames<CrmAdmin.Domain.Exceptions.EntryType>()) })
        {
            Assert.Equal("string", schemas.GetProperty(name).GetProperty("type").GetString());
            Assert.Equal(values, schemas.GetProperty(name).GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        }
    }
}
