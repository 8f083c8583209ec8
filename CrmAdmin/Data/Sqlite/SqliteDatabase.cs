using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Hardening;
using CrmAdmin.Features.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Sqlite;

/// <summary>SQLite's registrations and start-up steps: one file, one app instance (SPEC §10's default).</summary>
public static class SqliteDatabase
{
    /// <summary>
    /// The context on SQLite with its durability settings, the process settings and the WAL
    /// checkpointer, which mean nothing to any other provider and are registered only here.
    /// </summary>
    public static IServiceCollection AddCrmSqlite(this IServiceCollection services, string connectionString)
    {
        SqliteProcessSettings.Apply();
        // Pooled: a routed call creates a context for a few queries, and building one from scratch
        // (services, change tracker) cost as much as a query did.
        services.AddSingleton<SqliteWriterQueue>();
        services.AddPooledDbContextFactory<CrmDbContext>((provider, options) => options
            .UseCrmDatabase(DatabaseProvider.Sqlite, connectionString)
            .AddInterceptors(new SqliteDurabilityInterceptor(), provider.GetRequiredService<SqliteWriterQueue>(),
                provider.GetRequiredService<DataChangeInterceptor>()));
        // One instance: a change is signalled in the process only.
        services.AddSingleton(provider => new DataChanges(null, provider.GetRequiredService<ILogger<DataChanges>>()));
        services.AddHostedService<WalCheckpointer>();
        services.AddSingleton<IExceptionEntryWriters, SqliteExceptionEntryWriters>();
        services.AddSingleton<IExceptionTextSearch, SqliteExceptionSearch>();
        services.AddSingleton<ExceptionSearchIndexer>();
        services.AddHostedService(provider => provider.GetRequiredService<ExceptionSearchIndexer>());
        services.AddSingleton<ICustomerFactsReader, SqliteCustomerFactsReader>();
        services.AddSingleton<IDatabaseBackup, SqliteBackup>();
        return services;
    }

    /// <summary>SQLite creates the file but not its folder.</summary>
    public static Task PrepareFolderAsync(CrmDbContext db)
    {
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(file));
        if (!string.IsNullOrEmpty(folder) && file != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }

        return Task.CompletedTask;
    }

    /// <summary>WAL lets the grid read while an import writes; the mode is stored in the file.</summary>
    public static Task AfterMigrationsAsync(CrmDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
}
