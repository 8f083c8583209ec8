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

    /// <summary>The maintenance connection string.</summary>
    /// <exception cref="InvalidOperationException">CRMADMIN_TEST_POSTGRES is not set.</exception>
    public static string Server =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: set {Variable} (e.g. Host=127.0.0.1;Port=55432;Username=crm;Database=postgres), " +
                "or run scripts/test.sh, which starts one.");

    /// <summary>A new database with the app's migrations applied; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var template = await Template.Value;
        var name = $"crm_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"""CREATE DATABASE "{name}" TEMPLATE "{template}";""");
        return ConnectionStringOf(name);
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        await ExecuteAsync($"""DROP DATABASE IF EXISTS "{name}" WITH (FORCE);""");
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

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
