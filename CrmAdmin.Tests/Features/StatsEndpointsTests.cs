using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Data;

namespace CrmAdmin.Tests.Features;

/// <summary>GET /api/stats/blocked (SPEC §9) over HTTP: what applied decisions blocked, per UTC day, with problem details for a bad range.</summary>
public abstract class StatsEndpointsTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : StatsEndpointsTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : StatsEndpointsTests(DatabaseProvider.Postgres);

    private readonly CrmAdminFactory factory = new(provider: provider);
    private HttpClient client = default!;

    public async Task InitializeAsync()
    {
        client = await factory.CreateAdminClientAsync();
        (await client.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 0100;robocaller\nspam@example.com;spammer", Encoding.UTF8, "text/plain")))
            .EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    [Fact]
    public async Task Applied_blocked_calls_and_emails_are_counted_today_and_dry_runs_are_not()
    {
        var line = await JsonAsync(await client.PostAsJsonAsync("/api/telephony/lines", new { number = "+12125550000", name = "Main" }));
        var lineId = line.GetProperty("id").GetInt64();
        for (var i = 0; i < 3; i++)
        {
            (await client.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+14155550100", dryRun = false })).EnsureSuccessStatusCode();
        }

        (await client.PostAsJsonAsync("/api/routing/email", new { from = "spam@example.com", dryRun = false })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/routing/email", new { from = "spam@example.com" })).EnsureSuccessStatusCode();
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");

        var response = await client.GetAsync($"/api/stats/blocked?from={today}&to={today}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        var day = Assert.Single(body.GetProperty("days").EnumerateArray());
        Assert.Equal((today, 3, 1), (day.GetProperty("day").GetString(), day.GetProperty("calls").GetInt32(), day.GetProperty("emails").GetInt32()));
        var top = body.GetProperty("top").EnumerateArray().ToList();
        Assert.Equal([("+14155550100", 3, "Phone"), ("spam@example.com", 1, "Email")],
            top.Select(t => (t.GetProperty("value").GetString(), t.GetProperty("hits").GetInt32(), t.GetProperty("type").GetString())));
        Assert.True(top[0].GetProperty("entryId").GetInt64() > 0);
    }

    [Fact]
    public async Task Without_a_range_the_last_30_days_are_answered()
    {
        var body = await JsonAsync(await client.GetAsync("/api/stats/blocked"));

        var days = body.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("day").GetString()).ToList();
        Assert.Equal(30, days.Count);
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), days[^1]);
    }

    [Theory]
    [InlineData("from=2026-11-30&to=2026-11-01", "after")]
    [InlineData("from=2024-01-01&to=2026-01-01", "366")]
    [InlineData("from=30.11.2026", "yyyy-MM-dd")]
    [InlineData("to=2026-13-01", "yyyy-MM-dd")]
    public async Task A_bad_range_is_a_problem_document_saying_what_is_wrong(string query, string detail)
    {
        var response = await client.GetAsync($"/api/stats/blocked?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, (await JsonAsync(response)).GetProperty("detail").GetString());
    }
}
