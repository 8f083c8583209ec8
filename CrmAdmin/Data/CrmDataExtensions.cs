using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data;

public static class CrmDataExtensions
{
    /// <summary>SQLite by default (SPEC §10): a file in the app's App_Data folder unless ConnectionStrings:CrmAdmin says otherwise.</summary>
    public static IServiceCollection AddCrmData(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        SqliteProcessSettings.Apply();
        var connectionString = configuration.GetConnectionString("CrmAdmin");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            // Default Timeout: how long a write waits for another writer before the request is told 503 (seconds).
            connectionString = $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "crmadmin.db")};Default Timeout=5";
        }

        // Pooled: a routed call creates a context for a few queries, and building one from scratch
        // (services, change tracker) cost as much as a query did.
        services.AddPooledDbContextFactory<CrmDbContext>(options => options.UseSqlite(connectionString).AddInterceptors(new SqliteDurabilityInterceptor()));
        // Identity's stores take the context from the request's scope.
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContext());
        services.AddHealthChecks().AddDbContextCheck<CrmDbContext>("database");
        services.AddHostedService<WalCheckpointer>();
        return services;
    }

    /// <summary>Creates the database if missing and applies migrations before the app serves requests.</summary>
    public static async Task InitializeCrmDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<CrmDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (db.Database.IsSqlite())
        {
            var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder) && file != ":memory:")
            {
                Directory.CreateDirectory(folder);
            }
        }

        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            // WAL lets the grid read while an import writes; the mode is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }
}
