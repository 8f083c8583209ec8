using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;

namespace CrmAdmin.Tests.Features;

public sealed class BackupTests : IAsyncLifetime
{
    private readonly CrmAdminFactory factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task An_administrator_downloads_a_consistent_copy_while_imports_go_on()
    {
        using var admin = await factory.CreateAdminClientAsync();
        await admin.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 0100;before the backup", Encoding.UTF8, "text/plain"));
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var lines = string.Join("\n", Enumerable.Range(0, 500).Select(n => $"user{i}-{n}@example.com;during"));
                (await admin.PostAsync("/api/exceptions/import", new StringContent(lines, Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
            }
        });

        var response = await admin.GetAsync("/api/admin/backup");
        await writing;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith(".db", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var copy = Path.Combine(Path.GetTempPath(), $"crmadmin-restored-{Guid.NewGuid():N}.db");
        try
        {
            await File.WriteAllBytesAsync(copy, await response.Content.ReadAsByteArrayAsync());
            await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False;Mode=ReadOnly");
            await connection.OpenAsync();
            Assert.Equal("ok", await ScalarAsync(connection, "PRAGMA integrity_check"));
            Assert.Equal("before the backup", await ScalarAsync(connection, "SELECT Comment FROM ExceptionEntries WHERE Value = '+14155550100'"));
            // Imports are one transaction each: the copy holds whole imports only.
            var during = Convert.ToInt64(await ScalarAsync(connection, "SELECT COUNT(*) FROM ExceptionEntries WHERE Comment = 'during'"));
            Assert.Equal(0, during % 500);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public async Task Only_administrators_may_download_it()
    {
        await factory.CreateUserAsync("supervisor@test.local", "Supervisor");
        using var supervisor = await factory.CreateApiClientAsync("supervisor@test.local", CrmAdminFactory.UserPassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.GetAsync("/api/admin/backup")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateApiClient().GetAsync("/api/admin/backup")).StatusCode);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
