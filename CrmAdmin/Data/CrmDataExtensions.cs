using System.ComponentModel.DataAnnotations;
using CrmAdmin.Data.Postgres;
using CrmAdmin.Data.Sqlite;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Data;

public static class CrmDataExtensions
{
    /// <summary>
    /// The database (SPEC §10): <c>Database:Provider</c> picks SQLite (default: a file in the app's
    /// App_Data folder unless ConnectionStrings:CrmAdmin says otherwise) or PostgreSQL, and with it
    /// the provider's implementations of the few provider-specific services. Throws
    /// <see cref="OptionsValidationException"/> naming the setting when the options are invalid (<see cref="DatabaseOptions"/>).
    /// </summary>
    public static IServiceCollection AddCrmData(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = BindDatabaseOptions(configuration);
        // Checked here too, not only at start (ValidateOnStart): PostgreSQL's data sources are built while the services are
        // registered, and an empty connection string failed there first with Npgsql's "Value cannot be null (Parameter 'Host')".
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true))
        {
            throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions), problems.Select(p => p.ErrorMessage ?? ""));
        }

        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .Configure(o => o.ConnectionString = configuration.GetConnectionString("CrmAdmin"))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        if (options.Provider == DatabaseProvider.Postgres)
        {
            services.AddCrmPostgres(options.ConnectionString ?? "");
        }
        else
        {
            // Default Timeout: how long a write waits for another writer before the request is told 503 (seconds).
            var connectionString = string.IsNullOrWhiteSpace(options.ConnectionString)
                ? $"Data Source={Path.Combine(environment.ContentRootPath, "App_Data", "crmadmin.db")};Default Timeout=5"
                : options.ConnectionString;
            services.AddCrmSqlite(connectionString);
        }

        services.AddSingleton<DataChangeInterceptor>();
        // Identity's stores take the context from the request's scope.
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContext());
        services.AddHealthChecks().AddDbContextCheck<CrmDbContext>("database");
        // The keys behind sign-in cookies, antiforgery tokens and bearer tokens live in the database,
        // so every instance on it accepts what another issued, and a restart signs nobody out.
        services.AddDataProtection().SetApplicationName("CrmAdmin").PersistKeysToDbContext<CrmDbContext>();
        return services;
    }

    /// <summary>The "Database" section with the connection string, as AddCrmData reads it to choose the provider.</summary>
    /// <exception cref="OptionsValidationException">Database:Provider names neither provider.</exception>
    public static DatabaseOptions BindDatabaseOptions(IConfiguration configuration)
    {
        DatabaseOptions options;
        try
        {
            options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        }
        catch (InvalidOperationException unknown)
        {
            // The binder's own message names the type's full name and the value; the setting and its choices say more.
            throw new OptionsValidationException(DatabaseOptions.Section, typeof(DatabaseOptions),
                [$"Database:Provider must be {nameof(DatabaseProvider.Sqlite)} or {nameof(DatabaseProvider.Postgres)}, not \"{configuration[$"{DatabaseOptions.Section}:Provider"]}\". ({unknown.Message})"]);
        }

        options.ConnectionString = configuration.GetConnectionString("CrmAdmin");
        return options;
    }

    /// <summary>
    /// The one way a CrmDbContext is configured (the app, the design-time factory, the tests): the
    /// provider, and migrations taken from that provider's folder only (<see cref="ProviderMigrationsAssembly"/>).
    /// </summary>
    public static DbContextOptionsBuilder UseCrmDatabase(this DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString) =>
        Shared(provider == DatabaseProvider.Postgres ? builder.UseNpgsql(connectionString) : builder.UseSqlite(connectionString));

    /// <inheritdoc cref="UseCrmDatabase(DbContextOptionsBuilder, DatabaseProvider, string)"/>
    public static DbContextOptionsBuilder UseCrmDatabase(this DbContextOptionsBuilder builder, Npgsql.NpgsqlDataSource dataSource) =>
        Shared(builder.UseNpgsql(dataSource));

    // The list counts a filter's matches with an unordered, capped read (ExceptionListService.CountLimit): order
    // would make the database sort every match before the cap. EF Core warned of it on every such request.
    private static DbContextOptionsBuilder Shared(DbContextOptionsBuilder builder) =>
        builder.ReplaceService<IMigrationsAssembly, ProviderMigrationsAssembly>()
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.RowLimitingOperationWithoutOrderByWarning));

    /// <summary>Options for a context made by hand (tools, tests, benchmarks), configured as the app's.</summary>
    public static DbContextOptions<CrmDbContext> ContextOptions(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<CrmDbContext>();
        builder.UseCrmDatabase(provider, connectionString);
        return builder.Options;
    }

    /// <summary>
    /// Holds the start-up work (migrations, the first administrator, roles and demo data) to one instance
    /// at a time until the returned handle is disposed. Two instances started together on one PostgreSQL
    /// database both found the roles missing, both created them, and the second stopped on the unique
    /// index. PostgreSQL: a transaction-scoped advisory lock on a connection of its own, so it is released
    /// with the transaction even if the process dies. SQLite: one process per file, nothing to hold.
    /// </summary>
    public static async Task<IAsyncDisposable> LockStartupAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        if (services.GetService<Npgsql.NpgsqlDataSource>() is not { } dataSource)
        {
            return NoLock.Instance;
        }

        var connection = await dataSource.OpenConnectionAsync(ct);
        var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new Npgsql.NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            command.Parameters.AddWithValue("key", StartupLockKey);
            await command.ExecuteNonQueryAsync(ct);
        }

        return new HeldLock(connection, transaction);
    }

    /// <summary>The advisory lock's key: "CRMAdmin" start-up, the same in every instance of the app.</summary>
    private const long StartupLockKey = 0x43524D_41646D696E;

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class HeldLock(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Ending the transaction releases the lock.
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Creates the database if missing and applies the provider's migrations before the app serves requests.</summary>
    public static async Task InitializeCrmDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var factory = services.GetRequiredService<IDbContextFactory<CrmDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (db.Database.IsSqlite())
        {
            await SqliteDatabase.PrepareFolderAsync(db);
        }

        if (db.Database.IsNpgsql())
        {
            // Npgsql's migrator learns whether its history table exists by reading it, and EF Core logs the "relation
            // does not exist" of a new database at Error level (npgsql/efcore.pg#3407): every first start showed an
            // error. The table made first, with the migrator's own script, leaves nothing to fail.
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), ct);
        }

        // A migration may build an index over the whole list, which takes as long as the list is large: with PostgreSQL's
        // statements limited to 30 s, the index of short comment texts over 1.4 million distinct comments (45 s) stopped the
        // start-up. Nothing else runs before the migrations are done, so there they have no limit. (SQLite's timeout only
        // bounds waiting for another process's lock, which should still fail, and never stops a statement that runs.)
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CrmDataExtensions))
                .LogInformation("Applying {Count} database migrations ({Migrations}); on a large list this may take minutes.", pending.Count, string.Join(", ", pending));
        }

        if (db.Database.IsNpgsql())
        {
            db.Database.SetCommandTimeout(TimeSpan.Zero);
        }

        await db.Database.MigrateAsync(ct);
        if (db.Database.IsSqlite())
        {
            await SqliteDatabase.AfterMigrationsAsync(db, ct);
        }
    }
}
