using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// A real database with the app's migrations applied, removed afterwards: a SQLite file copied from the migrated template
/// (<see cref="SqliteTestTemplate"/>), or a PostgreSQL database copied from its own (<see cref="PostgresTestServer"/>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable, IDbContextFactory<CrmDbContext>
{
    private readonly DbContextOptions<CrmDbContext> options;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? file)
    {
        Provider = provider;
        ConnectionString = connectionString;
        File = file;
        options = CrmDataExtensions.ContextOptions(provider, connectionString);
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? File { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        if (provider == DatabaseProvider.Postgres)
        {
            return new TestDatabase(provider, await PostgresTestServer.CreateDatabaseAsync(), null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"crmadmin-test-{Guid.NewGuid():N}.db");
        await SqliteTestTemplate.CopyToAsync(file);
        // No pooling, so the file is really closed when a test ends and can be removed.
        return new TestDatabase(provider, $"Data Source={file};Pooling=False", file);
    }

    public CrmDbContext CreateDbContext() => new(options);

    public async Task ExecuteAsync(string sql)
    {
        await using var db = CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    public async ValueTask DisposeAsync()
    {
        if (File is null)
        {
            await PostgresTestServer.DropDatabaseAsync(ConnectionString);
            return;
        }

        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            System.IO.File.Delete(File + suffix);
        }
    }
}

/// <summary>A clock that stands still, so CreatedAt and audit times can be asserted exactly.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Default = new(2026, 11, 22, 9, 30, 0, TimeSpan.Zero);

    public FixedClock() : this(Default)
    {
    }

    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
