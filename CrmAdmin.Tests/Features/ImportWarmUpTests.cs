using CrmAdmin.Data;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The import path is run once as the app starts (ImportWarmUp), on both providers: every line kind goes through the
/// writer, and nothing of it outlives the rolled-back transaction (entries, the import's row, its audit, its full report).
/// </summary>
[LongRunning]
public abstract class ImportWarmUpTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ImportWarmUpTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ImportWarmUpTests(DatabaseProvider.Postgres);

    private readonly CrmAdminFactory factory = new(new Dictionary<string, string?> { ["Import:WarmUpAtStart"] = "true" }, provider: provider);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task The_start_writes_every_kind_of_line_and_keeps_none_of_it()
    {
        using var client = await factory.CreateAdminClientAsync();
        await factory.Services.GetRequiredService<ImportWarmUp>().Completion;

        // It wrote: the writer added the four new points before the rollback (a warm-up that skipped the writer warms nothing).
        Assert.Contains(factory.Logs.Entries, e => e.Message.Contains("Warmed the import path") && e.Message.Contains($"{6 + ExceptionImportService.WarmUpRepeatedLines} lines, {4 + ExceptionImportService.WarmUpRepeatedLines} added and rolled back"));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Message.Contains("Could not warm the import path"));

        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync())
        {
            Assert.False(await db.ExceptionEntries.AnyAsync(e => e.Comment == "warm-up"));
            Assert.False(await db.ExceptionImports.AnyAsync());
            Assert.False(await db.ImportReportFiles.AnyAsync());
            Assert.False(await db.AuditEntries.AnyAsync(a => a.Actor == ExceptionImportService.WarmUpActor));
        }

        // The same lines import as new, and the history shows that import only.
        var response = await client.PostAsync("/api/exceptions/import",
            new StringContent("+1 202 555 0100;first\n+1 202 555*;first\nwarm-up@example.com;first\n@example.com;first", Encoding.UTF8, "text/plain"));
        Assert.Equal(4, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("added").GetInt32());
        var history = await client.GetFromJsonAsync<JsonElement>("/api/exceptions/imports");
        Assert.Equal(1, history.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Turned_off_it_writes_nothing_and_logs_nothing()
    {
        await using var off = new CrmAdminFactory(new Dictionary<string, string?> { ["Import:WarmUpAtStart"] = "false" }, provider: provider);
        using var client = await off.CreateAdminClientAsync();

        Assert.True(off.Services.GetRequiredService<ImportWarmUp>().Completion.IsCompletedSuccessfully);
        Assert.DoesNotContain(off.Logs.Entries, e => e.Message.Contains("Warmed the import path"));
    }
}
