using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Tests;

/// <summary>
/// The PostgreSQL server the tests run against: CRMADMIN_TEST_POSTGRES, a connection string to a
/// maintenance database (scripts/test.sh starts a throwaway server and sets it). The app's
/// migrations are applied once per test run to a template database; every test database is a
/// copy of it (CREATE DATABASE … TEMPLATE), which takes milliseconds, and is dropped afterwards.
/// Without the variable every PostgreSQL test fails: a PostgreSQL test that did not run is not a pass.
/// </summary>
public static class PostgresTestServer
{
    public const string Variable = "CRMADMIN_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static readonly Lazy<Task<int>> ServerVersion = new(ServerVersionAsync);

    /// <summary>The maintenance connection string.</summary>
    /// <exception cref="InvalidOperationException">CRMADMIN_TEST_POSTGRES is not set.</exception>
    public static string Server =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: set {Variable} (e.g. Host=127.0.0.1;Port=55432;Username=crm;Database=postgres), " +
                "or run scripts/test.sh, which starts one.");

    /// <summary>A new database with the app's migrations applied; its connection string.</summary>
    /// <param name="template">A database made a template by <see cref="KeepAsTemplateAsync"/> to copy instead of the migrated one.</param>
    public static async Task<string> CreateDatabaseAsync(string? template = null)
    {
        template ??= await Template.Value;
        var name = $"crm_test_{Guid.NewGuid():N}";
        // PostgreSQL 15 copies a template through the WAL by default (WAL_LOG): 250–390 ms for this one on a busy
        // test run, FILE_COPY (a checkpoint and a file copy) 40–170 ms; a few hundred test databases make that a minute.
        var strategy = await ServerVersion.Value >= 15 ? " STRATEGY FILE_COPY" : "";
        await ExecuteAsync($"""CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy};""");
        return ConnectionStringOf(name);
    }

    /// <summary>
    /// Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still uses it. The drop runs
    /// behind the tests (30–190 ms each, a few hundred of them), one after another; the last ones and the
    /// template are dropped before the test process exits.
    /// </summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        DropLater(new NpgsqlConnectionStringBuilder(connectionString).Database!);
    }

    /// <summary>
    /// Makes a database made by <see cref="CreateDatabaseAsync"/> (and filled since) a template for <see cref="CreateDatabaseAsync"/>:
    /// closes every connection to it, as a copy needs, and drops it before the test process exits. Returns its name.
    /// </summary>
    public static async Task<string> KeepAsTemplateAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        // Anything still connected (a data source the filling made) would make every copy fail.
        await ExecuteAsync($"""SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();""");
        lock (DropsLock)
        {
            keptTemplates.Add(name);
        }

        return name;
    }

    private static readonly List<string> keptTemplates = [];

    private static readonly object DropsLock = new();
    private static Task drops = StartDrops();

    private static Task StartDrops()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Task last;
            lock (DropsLock)
            {
                foreach (var kept in keptTemplates)
                {
                    DropLater(kept);
                }

                if (Template.IsValueCreated && Template.Value.IsCompletedSuccessfully)
                {
                    DropLater(Template.Value.Result);
                }

                last = drops;
            }

            last.Wait(TimeSpan.FromSeconds(30));
        };
        return Task.CompletedTask;
    }

    private static void DropLater(string name)
    {
        lock (DropsLock)
        {
            // A failed drop leaves a database on the test server, never a failed test.
            drops = drops.ContinueWith(_ => ExecuteAsync($"""DROP DATABASE IF EXISTS "{name}" WITH (FORCE);"""), TaskScheduler.Default).Unwrap();
        }
    }

    private static string ConnectionStringOf(string database) =>
        new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString;

    private static async Task<string> CreateTemplateAsync()
    {
        var name = $"crm_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..48];
        await ExecuteAsync($"""CREATE DATABASE "{name}";""");
        // No pooling: CREATE DATABASE … TEMPLATE refuses while any connection to the template is open.
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionStringOf(name)) { Pooling = false }.ConnectionString;
        await using var db = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Postgres, connectionString));
        await db.Database.MigrateAsync();
        return name;
    }

    private static async Task<int> ServerVersionAsync()
    {
        await using var connection = await OpenServerAsync();
        return connection.PostgreSqlVersion.Major;
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenServerAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An unpooled connection to the maintenance database, closed with its statement: no idle connection of the tests stays on the server.</summary>
    private static async Task<NpgsqlConnection> OpenServerAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
