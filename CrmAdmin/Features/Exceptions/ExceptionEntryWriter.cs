using System.Data.Common;
using System.Text;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// Writes many entries in one round trip per batch, inside the caller's transaction. EF Core's
/// Add + SaveChanges tracks every entity (≈5 s per 100k rows here); this multi-row
/// <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> lets the unique (Type, Value) index decide
/// Added versus AlreadyListed (I2, I3) without a lookup per line, and leaves an existing entry's
/// comment untouched. The SQL is the same on SQLite and PostgreSQL.
/// </summary>
internal sealed class ExceptionEntryWriter(DbConnection connection, DbTransaction transaction)
{
    public const int BatchSize = 500;

    public sealed record NewEntry(ContactPoint Point, string? Comment);

    /// <summary>Inserts the entries that are not listed yet and returns which ones those were.</summary>
    public async Task<HashSet<ContactPoint>> InsertNewAsync(
        IReadOnlyList<NewEntry> entries, EntrySource source, string actor, DateTime at, CancellationToken ct)
    {
        var added = new HashSet<ContactPoint>(entries.Count);
        for (var start = 0; start < entries.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, entries.Count - start);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            var sql = new StringBuilder(
                """INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy") VALUES """);
            AddParameter(insert, "@src", source.ToString());
            AddParameter(insert, "@at", at);
            AddParameter(insert, "@by", actor);
            for (var i = 0; i < count; i++)
            {
                var entry = entries[start + i];
                sql.Append(i == 0 ? "" : ",").Append($"(@t{i},@v{i},@c{i},@f{i},@src,@at,@by)");
                AddParameter(insert, $"@t{i}", entry.Point.Type.ToString());
                AddParameter(insert, $"@v{i}", entry.Point.Value);
                AddParameter(insert, $"@c{i}", entry.Comment);
                AddParameter(insert, $"@f{i}", entry.Comment?.ToLowerInvariant());
            }

            sql.Append(""" ON CONFLICT ("Type", "Value") DO NOTHING RETURNING "Type", "Value";""");
            insert.CommandText = sql.ToString();

            var batchAdded = new List<ContactPoint>(count);
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    batchAdded.Add(new ContactPoint(Enum.Parse<EntryType>(reader.GetString(0)), reader.GetString(1)));
                }
            }

            await AuditAsync(batchAdded, AuditAction.ExceptionAdded, source, actor, at, ct);
            added.UnionWith(batchAdded);
        }

        return added;
    }

    /// <summary>One audit row per contact point (X6), batched like the entries themselves.</summary>
    public async Task AuditAsync(
        IReadOnlyList<ContactPoint> points, AuditAction action, EntrySource source, string actor, DateTime at, CancellationToken ct)
    {
        for (var start = 0; start < points.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, points.Count - start);
            await using var audit = connection.CreateCommand();
            audit.Transaction = transaction;
            var sql = new StringBuilder(
                """INSERT INTO "AuditEntries" ("At", "Actor", "Action", "Source", "EntryType", "Value", "Details") VALUES """);
            AddParameter(audit, "@at", at);
            AddParameter(audit, "@by", actor);
            AddParameter(audit, "@action", action.ToString());
            AddParameter(audit, "@src", source.ToString());
            for (var i = 0; i < count; i++)
            {
                sql.Append(i == 0 ? "" : ",").Append($"(@at,@by,@action,@src,@t{i},@v{i},NULL)");
                AddParameter(audit, $"@t{i}", points[start + i].Type.ToString());
                AddParameter(audit, $"@v{i}", points[start + i].Value);
            }

            audit.CommandText = sql.ToString();
            await audit.ExecuteNonQueryAsync(ct);
        }
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
