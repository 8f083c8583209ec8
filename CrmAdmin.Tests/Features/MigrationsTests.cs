using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Each provider has its own migrations folder (docs/decisions/001): a database sees only its
/// provider's history, is fully migrated, and matches the model (no change left without a migration).
/// </summary>
public abstract class MigrationsTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : MigrationsTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : MigrationsTests(DatabaseProvider.Postgres);

    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync(provider);

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Each_provider_applies_only_its_own_migrations_and_none_is_pending()
    {
        await using var db = database.CreateDbContext();
        var all = db.Database.GetMigrations().ToList();

        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges());
        if (provider == DatabaseProvider.Sqlite)
        {
            // The ids databases were created with before the folders were split.
            Assert.Equal(
                ["20261122122457_InitialCreate", "20261122124502_Identity", "20261122125906_CrmEntitiesAndRouting", "20261122131731_RecycleBin",
                 "20261122141233_ExceptionSearchIndex", "20261122142501_DropAuditValueIndex"], all.Take(6));
        }
        else
        {
            Assert.DoesNotContain(all, id => id.StartsWith("20261122", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_first_start_on_an_empty_database_migrates_it_and_logs_no_error()
    {
        var folder = Directory.CreateTempSubdirectory("crmadmin-empty-").FullName;
        var connectionString = provider == DatabaseProvider.Postgres
            ? await PostgresTestServer.CreateDatabaseAsync(template: "template0")
            : $"Data Source={Path.Combine(folder, "crm.db")}";
        var logs = new LogSink();
        try
        {
            await using (var app = CrmDataServices.Build(provider, connectionString, logs, folder))
            {
                await app.InitializeCrmDatabaseAsync();
                await using var db = await app.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            }

            // Npgsql's migrator probed its history table by reading it, and EF Core logged the failure at Error level.
            Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        }
        finally
        {
            if (provider == DatabaseProvider.Postgres)
            {
                await PostgresTestServer.DropDatabaseAsync(connectionString);
            }

            Directory.Delete(folder, recursive: true);
        }
    }
}
