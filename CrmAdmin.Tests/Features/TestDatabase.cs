using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>A real SQLite file with the app's migrations applied, deleted afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable, IDbContextFactory<CrmDbContext>
{
    private readonly DbContextOptions<CrmDbContext> options;

    private TestDatabase(string file)
    {
        File = file;
        // No pooling, so the file is really closed when a test ends and can be removed.
        ConnectionString = $"Data Source={file};Pooling=False";
        options = CrmDataExtensions.ContextOptions(DatabaseProvider.Sqlite, ConnectionString);
    }

    public string File { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var database = new TestDatabase(Path.Combine(Path.GetTempPath(), $"crmadmin-test-{Guid.NewGuid():N}.db"));
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public CrmDbContext CreateDbContext() => new(options);

    public async Task ExecuteAsync(string sql)
    {
        await using var db = CreateDbContext();
        await db.Database.ExecuteSqlRawAsync(sql);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            System.IO.File.Delete(File + suffix);
        }

        return ValueTask.CompletedTask;
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
