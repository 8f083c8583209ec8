using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CrmAdmin.Tests.Features;

public sealed class FailSafeTests : IAsyncLifetime
{
    private readonly string file = Path.Combine(Path.GetTempPath(), $"crmadmin-failsafe-{Guid.NewGuid():N}.db");
    private CrmAdminFactory factory = default!;
    private HttpClient admin = default!;
    private long lineId;

    public async Task InitializeAsync()
    {
        // A one-second wait for the write lock, so a locked database is reported quickly.
        factory = new CrmAdminFactory(new Dictionary<string, string?> { ["ConnectionStrings:CrmAdmin"] = $"Data Source={file};Pooling=False;Default Timeout=1" });
        admin = await factory.CreateAdminClientAsync();
        var line = await (await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "+12125550000", name = "Main" })).Content.ReadFromJsonAsync<JsonElement>();
        lineId = line.GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            System.IO.File.Delete(file + suffix);
        }
    }

    [Fact]
    public async Task A_routing_decision_while_the_database_is_locked_answers_503_in_time_and_creates_nothing()
    {
        await using var holder = new SqliteConnection($"Data Source={file};Pooling=False");
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO Companies (Name, CreatedAt) VALUES ('lock holder', '2026-01-01');";
            await begin.ExecuteNonQueryAsync();
        }

        var watch = Stopwatch.StartNew();
        var response = await admin.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+14155550100", dryRun = false });
        watch.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"answered after {watch.Elapsed}");
        await using (var rollback = holder.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync();
        }

        Assert.Equal(0, await CountAsync("Leads"));
        var retried = await admin.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = "+14155550100", dryRun = false });
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(1, await CountAsync("Leads"));
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
