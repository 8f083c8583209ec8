using System.Diagnostics;
using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CrmAdmin.Benchmarks;

/// <summary>
/// The same million entries and 100,000 contacts as <see cref="BenchDatabase"/>, in a PostgreSQL
/// database built through the app's PostgreSQL migrations; each measurement runs on a copy
/// (CREATE DATABASE … TEMPLATE). CRMADMIN_BENCH_POSTGRES is a maintenance connection string.
/// </summary>
public static class PostgresBenchDatabase
{
    public const string Base = "crm_bench_base_1m";

    public static string Server =>
        Environment.GetEnvironmentVariable("CRMADMIN_BENCH_POSTGRES") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException("Set CRMADMIN_BENCH_POSTGRES (scripts/benchmark.sh starts a throwaway server and sets it).");

    public static string ConnectionStringOf(string database) => new NpgsqlConnectionStringBuilder(Server) { Database = database }.ConnectionString;

    public static async Task EnsureAsync()
    {
        if (await ScalarAsync($"SELECT count(*) FROM pg_database WHERE datname = '{Base}'") is 1L)
        {
            // A base kept on the server from an older build lacks the newer migrations. The app would apply them
            // to every copy at start, and some leave work behind (a new search table's backlog of a million rows)
            // that would run during the measurement, so it is built again instead.
            await using (var kept = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Postgres, ConnectionStringOf(Base))))
            {
                if (!(await kept.Database.GetPendingMigrationsAsync()).Any())
                {
                    return;
                }
            }

            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"""DROP DATABASE "{Base}" WITH (FORCE)""");
        }

        var watch = Stopwatch.StartNew();
        const string building = Base + "_building";
        await ExecuteAsync($"""DROP DATABASE IF EXISTS "{building}" WITH (FORCE)""");
        await ExecuteAsync($"""CREATE DATABASE "{building}" """);
        var connectionString = new NpgsqlConnectionStringBuilder(ConnectionStringOf(building)) { Pooling = false }.ConnectionString;
        await using (var db = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Postgres, connectionString)))
        {
            await db.Database.MigrateAsync();
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            // Indexes are built once after the rows, not row by row: minutes faster for the trigram ones.
            var indexes = new List<string>();
            await using (var read = new NpgsqlCommand("""
                SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('ExceptionEntries', 'ExceptionSearch') AND indexname NOT LIKE 'PK%'
                """, connection))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    indexes.Add(reader.GetString(0));
                    indexes.Add(reader.GetString(1));
                }
            }

            for (var i = 0; i < indexes.Count; i += 2)
            {
                await RunAsync(connection, $"""DROP INDEX "{indexes[i]}" """);
            }

            await CopyEntriesAsync(connection);
            // What the app's search indexer does behind an import, at once: the measurements start indexed.
            await RunAsync(connection, """
                INSERT INTO "ExceptionSearch" ("EntryId", "Type", "CommentFolded", "Value") SELECT "Id", "Type", "CommentFolded", "Value" FROM "ExceptionEntries";
                INSERT INTO "ExceptionSearchComments" ("CommentFolded", "Type")
                SELECT DISTINCT "CommentFolded", "Type" FROM "ExceptionEntries" WHERE "CommentFolded" IS NOT NULL;
                DELETE FROM "ExceptionSearchBacklog";
                """);
            for (var i = 1; i < indexes.Count; i += 2)
            {
                await RunAsync(connection, indexes[i]);
            }

            await CopyCrmAsync(connection);
            await RunAsync(connection, "VACUUM ANALYZE");
        }

        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"""ALTER DATABASE "{building}" RENAME TO "{Base}" """);
        Console.WriteLine($"Generated PostgreSQL {Base}: {BenchDatabase.Entries:N0} entries, {BenchDatabase.Contacts:N0} contacts with leads and deals in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A fresh copy of the base database to change; its connection string.</summary>
    public static async Task<string> CopyAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"""DROP DATABASE IF EXISTS "{name}" WITH (FORCE)""");
        await ExecuteAsync($"""CREATE DATABASE "{name}" TEMPLATE "{Base}" STRATEGY FILE_COPY""");
        return ConnectionStringOf(name);
    }

    private static async Task CopyEntriesAsync(NpgsqlConnection connection)
    {
        string[] topics = ["spam robot", "telemarketing", "newsletter", "supplier", "partner", "former employee", "test number", "competitor"];
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var copy = await connection.BeginBinaryImportAsync(
            """COPY "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount") FROM STDIN (FORMAT BINARY)""");
        for (var i = 0; i < BenchDatabase.Entries; i++)
        {
            var phone = i % 2 == 0;
            var comment = $"{topics[i % topics.Length]} batch {i / 1000}";
            await copy.StartRowAsync();
            await copy.WriteAsync(phone ? "Phone" : "Email", NpgsqlDbType.Text);
            await copy.WriteAsync(phone ? BenchDatabase.EntryPhone(i) : $"sender{i}@list{i % 997}.example.com", NpgsqlDbType.Text);
            await copy.WriteAsync(comment, NpgsqlDbType.Text);
            await copy.WriteAsync(comment, NpgsqlDbType.Text);
            await copy.WriteAsync("Settings", NpgsqlDbType.Text);
            await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync("generator", NpgsqlDbType.Text);
            await copy.WriteAsync(0, NpgsqlDbType.Integer);
        }

        await copy.CompleteAsync();
    }

    private static async Task CopyCrmAsync(NpgsqlConnection connection)
    {
        var at = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var contacts = await connection.BeginBinaryImportAsync("""COPY "Contacts" ("Id", "Name", "CreatedAt") FROM STDIN (FORMAT BINARY)"""))
        {
            for (var i = 1; i <= BenchDatabase.Contacts; i++)
            {
                await contacts.WriteRowAsync(default, (long)i, $"Customer {i}", at);
            }

            await contacts.CompleteAsync();
        }

        await using (var points = await connection.BeginBinaryImportAsync("""COPY "EntityContactPoints" ("OwnerType", "OwnerId", "Type", "Value") FROM STDIN (FORMAT BINARY)"""))
        {
            for (var i = 1; i <= BenchDatabase.Contacts; i++)
            {
                await points.WriteRowAsync(default, "Contact", (long)i, "Phone", BenchDatabase.ContactPhone(i));
                await points.WriteRowAsync(default, "Contact", (long)i, "Email", $"customer{i}@example.net");
                await points.WriteRowAsync(default, "Lead", (long)i, "Phone", BenchDatabase.ContactPhone(i));
            }

            await points.CompleteAsync();
        }

        // Every contact has a lead (a third still open, the rest converted) and a deal (half open).
        await using (var leads = await connection.BeginBinaryImportAsync(
            """COPY "Leads" ("Id", "Title", "ContactId", "Status", "ConvertedToContact", "ConvertedToDeal", "ClosedAt", "CreatedAt", "IsRepeated") FROM STDIN (FORMAT BINARY)"""))
        {
            for (var i = 1; i <= BenchDatabase.Contacts; i++)
            {
                var open = i % 3 == 0;
                await leads.WriteRowAsync(default, (long)i, $"Lead {i}", (long)i, open ? "Open" : "Converted", false, true, open ? null : (object)at.AddDays(30), at, false);
            }

            await leads.CompleteAsync();
        }

        await using (var deals = await connection.BeginBinaryImportAsync(
            """COPY "Deals" ("Id", "Title", "ContactId", "Stage", "ClosedAt", "CreatedAt", "IsRepeated") FROM STDIN (FORMAT BINARY)"""))
        {
            for (var i = 1; i <= BenchDatabase.Contacts; i++)
            {
                await deals.WriteRowAsync(default, (long)i, $"Deal {i}", (long)i, i % 2 == 0 ? "Open" : "Won", i % 2 == 0 ? null : (object)at.AddDays(60), at, false);
            }

            await deals.CompleteAsync();
        }

        await RunAsync(connection, """
            SELECT setval(pg_get_serial_sequence('"Contacts"', 'Id'), (SELECT max("Id") FROM "Contacts"));
            SELECT setval(pg_get_serial_sequence('"Leads"', 'Id'), (SELECT max("Id") FROM "Leads"));
            SELECT setval(pg_get_serial_sequence('"Deals"', 'Id'), (SELECT max("Id") FROM "Deals"));
            INSERT INTO "TelephonyLines" ("Number", "Name", "IncomingCreate", "IncomingRepeated", "OutgoingCreate", "OutgoingRepeated")
            VALUES ('+12125550100', 'Main line', true, false, false, false);
            """);
    }

    public static async Task<object?> ScalarAsync(string sql, string? database = null)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database is null ? Server : ConnectionStringOf(database)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public static async Task ExecuteAsync(string sql, string? database = null) => await ScalarAsync(sql, database);

    private static async Task RunAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }
}
