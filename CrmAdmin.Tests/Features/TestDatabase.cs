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

    /// <param name="template">What the database holds besides the migrations (made once per test run and provider); nothing when null.</param>
    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, TestDatabaseTemplate? template = null)
    {
        var copied = template is null ? null : await template.NameAsync(provider);
        if (provider == DatabaseProvider.Postgres)
        {
            return new TestDatabase(provider, await PostgresTestServer.CreateDatabaseAsync(copied), null);
        }

        var file = Path.Combine(Path.GetTempPath(), $"crmadmin-test-{Guid.NewGuid():N}.db");
        await SqliteTestTemplate.CopyToAsync(file, copied);
        // No pooling, so the file is really closed when a test ends and can be removed.
        return new TestDatabase(provider, $"Data Source={file};Pooling=False", file);
    }

    /// <summary>Makes this database a template for <see cref="CreateAsync"/> (every connection to it closed); its file or database name.</summary>
    internal async Task<string> KeepAsTemplateAsync() =>
        File is null ? await PostgresTestServer.KeepAsTemplateAsync(ConnectionString) : SqliteTestTemplate.KeepAsTemplate(File);

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

/// <summary>
/// A migrated database filled by <paramref name="fill"/> once per test run and provider, on first use, then copied for each
/// test (<see cref="TestDatabase.CreateAsync"/>): for what every test of a kind needs and would otherwise write again, such as users.
/// </summary>
public sealed class TestDatabaseTemplate(Func<TestDatabase, Task> fill)
{
    private readonly Lazy<Task<string>> sqlite = new(() => MakeAsync(DatabaseProvider.Sqlite, fill));
    private readonly Lazy<Task<string>> postgres = new(() => MakeAsync(DatabaseProvider.Postgres, fill));

    /// <summary>The template's SQLite file or PostgreSQL database name.</summary>
    internal Task<string> NameAsync(DatabaseProvider provider) => (provider == DatabaseProvider.Postgres ? postgres : sqlite).Value;

    private static async Task<string> MakeAsync(DatabaseProvider provider, Func<TestDatabase, Task> fill)
    {
        var database = await TestDatabase.CreateAsync(provider);
        await fill(database);
        return await database.KeepAsTemplateAsync();
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
