using System.Diagnostics;
using CrmAdmin.Data;
using CrmAdmin.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Benchmarks;

/// <summary>
/// Builds the database the targets speak of: 1,000,000 exception entries (half phones, half emails,
/// each with a comment) and 100,000 contacts with leads and deals, through the app's own migrations.
/// </summary>
public static class BenchDatabase
{
    public const int Entries = 1_000_000;
    public const int Contacts = 100_000;

    public static string DefaultPath => Path.Combine(Path.GetTempPath(), "crmadmin-bench", "base-1m.db");

    public static async Task<string> EnsureAsync(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var building = path + ".building";
        File.Delete(building);
        var watch = Stopwatch.StartNew();
        await using (var db = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Sqlite, $"Data Source={building};Pooling=False")))
        {
            await db.Database.MigrateAsync();
        }

        await using var connection = new SqliteConnection($"Data Source={building};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
        await using (var transaction = connection.BeginTransaction())
        {
            await InsertEntriesAsync(connection, transaction);
            await InsertCrmAsync(connection, transaction);
            // The app's indexer would fill the search index batch by batch after start; a
            // benchmark measures the steady state, so the generator builds it in one go.
            await ExecuteAsync(connection, """
                INSERT INTO ExceptionSearch (ExceptionSearch) VALUES ('rebuild');
                INSERT INTO ExceptionValueSearch (ExceptionValueSearch) VALUES ('rebuild');
                INSERT INTO ExceptionPhoneSearch (ExceptionPhoneSearch) VALUES ('rebuild');
                INSERT INTO ExceptionSearchComments (CommentFolded, Type)
                SELECT DISTINCT CommentFolded, Type FROM ExceptionEntries WHERE CommentFolded IS NOT NULL;
                INSERT INTO ExceptionSearchCommentEntries (CommentId, EntryId)
                SELECT c.Id, e.Id FROM ExceptionEntries AS e JOIN ExceptionSearchComments AS c ON c.CommentFolded = e.CommentFolded AND c.Type = e.Type;
                UPDATE ExceptionSearchState SET IndexedUpTo = (SELECT max(Id) FROM ExceptionEntries);
                """, transaction);
            await ExecuteAsync(connection, SqlitePhoneDigitWindows.Insert("""SELECT "Id", "Type", "Value" FROM "ExceptionEntries" """), transaction);
            await transaction.CommitAsync();
        }

        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;");
        await connection.CloseAsync();
        SqliteConnection.ClearAllPools();
        File.Move(building, path);
        Console.WriteLine($"Generated {path}: {Entries:N0} entries, {Contacts:N0} contacts with leads and deals in {watch.Elapsed.TotalSeconds:0.0} s");
        return path;
    }

    /// <summary>A copy to change, so every run starts from the same million rows.</summary>
    public static string Copy(string source, string name)
    {
        var target = Path.Combine(Path.GetDirectoryName(source)!, name);
        // A pooled connection of the previous run would keep writing to the deleted file's inode.
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(target + suffix);
        }

        File.Copy(source, target);
        // Written out now: otherwise the kernel writes the copy's 400 MB back while the next
        // measurement runs, and that measurement's own syncs wait behind it.
        using (var copy = new FileStream(target, FileMode.Open, FileAccess.ReadWrite))
        {
            copy.Flush(flushToDisk: true);
        }

        return target;
    }

    /// <summary>The phone of entry i (distinct from every number the benchmarks add or call).</summary>
    public static string EntryPhone(int i) => $"+1{200 + i / 10_000_000 % 700:000}{i % 10_000_000:0000000}";

    public static string ContactPhone(int i) => $"+44207{i:000000}";

    private static async Task InsertEntriesAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO ExceptionEntries (Type, Value, Comment, CommentFolded, Source, CreatedAt, CreatedBy, HitCount)
            VALUES ($type, $value, $comment, $comment, 'Settings', $at, 'generator', 0)
            """;
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Text);
        var comment = insert.Parameters.Add("$comment", SqliteType.Text);
        insert.Parameters.AddWithValue("$at", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        insert.Prepare();
        string[] topics = ["spam robot", "telemarketing", "newsletter", "supplier", "partner", "former employee", "test number", "competitor"];
        for (var i = 0; i < Entries; i++)
        {
            var phone = i % 2 == 0;
            type.Value = phone ? "Phone" : "Email";
            value.Value = phone ? EntryPhone(i) : $"sender{i}@list{i % 997}.example.com";
            comment.Value = $"{topics[i % topics.Length]} batch {i / 1000}";
            await insert.ExecuteNonQueryAsync();
        }
    }

    private static async Task InsertCrmAsync(SqliteConnection connection, SqliteTransaction transaction)
    {
        var at = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        await using var contact = Command(connection, transaction, "INSERT INTO Contacts (Id, Name, CreatedAt) VALUES ($id, $name, $at)", "$id", "$name");
        await using var point = Command(connection, transaction, "INSERT INTO EntityContactPoints (OwnerType, OwnerId, Type, Value) VALUES ($owner, $id, $type, $value)", "$owner", "$id", "$type", "$value");
        await using var lead = Command(connection, transaction,
            "INSERT INTO Leads (Id, Title, ContactId, Status, ConvertedToContact, ConvertedToDeal, ClosedAt, CreatedAt, IsRepeated) VALUES ($id, $title, $contact, $status, 0, 1, $closed, $at, 0)",
            "$id", "$title", "$contact", "$status", "$closed");
        await using var deal = Command(connection, transaction,
            "INSERT INTO Deals (Id, Title, ContactId, Stage, ClosedAt, CreatedAt, IsRepeated) VALUES ($id, $title, $contact, $stage, $closed, $at, 0)",
            "$id", "$title", "$contact", "$stage", "$closed");
        foreach (var command in new[] { contact, lead, deal })
        {
            command.Parameters.AddWithValue("$at", at);
        }

        for (var i = 1; i <= Contacts; i++)
        {
            await RunAsync(contact, i, $"Customer {i}");
            await RunAsync(point, "Contact", i, "Phone", ContactPhone(i));
            await RunAsync(point, "Contact", i, "Email", $"customer{i}@example.net");
            // Every contact has a lead (a third still open, the rest converted) and a deal (half open).
            var open = i % 3 == 0;
            await RunAsync(lead, i, $"Lead {i}", i, open ? "Open" : "Converted", open ? DBNull.Value : at.AddDays(30));
            await RunAsync(point, "Lead", i, "Phone", ContactPhone(i));
            await RunAsync(deal, i, $"Deal {i}", i, i % 2 == 0 ? "Open" : "Won", i % 2 == 0 ? DBNull.Value : at.AddDays(60));
        }

        await ExecuteAsync(connection, "INSERT INTO TelephonyLines (Number, Name, IncomingCreate, IncomingRepeated, OutgoingCreate, OutgoingRepeated) VALUES ('+12125550100', 'Main line', 1, 0, 0, 0)", transaction);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(name, SqliteType.Text);
        }

        return command;
    }

    private static Task<int> RunAsync(SqliteCommand command, params object[] values)
    {
        var parameters = command.Parameters.Cast<SqliteParameter>().Where(p => p.ParameterName != "$at").ToList();
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i];
        }

        return command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
