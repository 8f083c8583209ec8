using System.Data.Common;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// Writes entries and their audit rows inside the caller's transaction, for one actor, source and
/// time. EF Core's Add + SaveChanges tracks every entity (≈5 s per 100k rows here), and a
/// multi-row INSERT with thousands of named parameters costs SQLite a name lookup per bind; one
/// prepared single-row statement, re-bound per line, is SQLite's own bulk path (what the sqlite3
/// shell's .import does): no parse per line and no round trip, since SQLite runs in-process.
/// <c>ON CONFLICT DO NOTHING</c> lets the unique (Type, Value) index answer Added (one row
/// changed) or AlreadyListed (none) without a lookup and leaves an existing comment untouched (I3).
/// </summary>
internal sealed class ExceptionEntryWriter : IDisposable
{
    private readonly DbCommand insertEntry;
    private readonly DbCommand insertAudit;
    private readonly DbParameter type, value, comment, commentFolded, auditAction, auditType, auditValue;

    public ExceptionEntryWriter(DbConnection connection, DbTransaction transaction, EntrySource source, string actor, DateTime at)
    {
        insertEntry = connection.CreateCommand();
        insertEntry.Transaction = transaction;
        insertEntry.CommandText = """
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy")
            VALUES (@type, @value, @comment, @commentFolded, @source, @at, @actor)
            ON CONFLICT ("Type", "Value") DO NOTHING
            """;
        type = Add(insertEntry, "@type");
        value = Add(insertEntry, "@value");
        comment = Add(insertEntry, "@comment");
        commentFolded = Add(insertEntry, "@commentFolded");
        Add(insertEntry, "@source", source.ToString());
        Add(insertEntry, "@at", at);
        Add(insertEntry, "@actor", actor);
        insertEntry.Prepare();

        insertAudit = connection.CreateCommand();
        insertAudit.Transaction = transaction;
        insertAudit.CommandText = """
            INSERT INTO "AuditEntries" ("At", "Actor", "Action", "Source", "EntryType", "Value")
            VALUES (@at, @actor, @action, @source, @type, @value)
            """;
        Add(insertAudit, "@at", at);
        Add(insertAudit, "@actor", actor);
        Add(insertAudit, "@source", source.ToString());
        auditAction = Add(insertAudit, "@action");
        auditType = Add(insertAudit, "@type");
        auditValue = Add(insertAudit, "@value");
        insertAudit.Prepare();
    }

    /// <summary>Adds the entry unless (Type, Value) is listed already, auditing it (X6). True when it was added.</summary>
    public bool TryAdd(ContactPoint point, string? entryComment)
    {
        type.Value = point.Type.ToString();
        value.Value = point.Value;
        comment.Value = (object?)entryComment ?? DBNull.Value;
        commentFolded.Value = (object?)entryComment?.ToLowerInvariant() ?? DBNull.Value;
        if (insertEntry.ExecuteNonQuery() == 0)
        {
            return false;
        }

        Audit(AuditAction.ExceptionAdded, point);
        return true;
    }

    public void Audit(AuditAction action, ContactPoint point)
    {
        auditAction.Value = action.ToString();
        auditType.Value = point.Type.ToString();
        auditValue.Value = point.Value;
        insertAudit.ExecuteNonQuery();
    }

    public void Dispose()
    {
        insertEntry.Dispose();
        insertAudit.Dispose();
    }

    private static DbParameter Add(DbCommand command, string name, object? initial = null)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = initial ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
