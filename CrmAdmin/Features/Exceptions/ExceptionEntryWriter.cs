using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// Writes entries and their audit rows inside the caller's transaction, for one actor, source and
/// time. EF Core's Add + SaveChanges tracks every entity (≈5 s per 100k rows here). A batch goes in
/// as one <c>INSERT … SELECT</c> over a JSON array: SQLite keeps its cursors on the seven b-trees
/// open across the batch, where one prepared statement per row re-opens and re-seeks them every
/// time (0.9 s against 0.4 s per 100k rows into a million). <c>ON CONFLICT DO NOTHING</c> lets the
/// unique (Type, Value) index tell Added from AlreadyListed without a lookup and leaves an existing
/// comment untouched (I3).
/// Ids only grow (AUTOINCREMENT) and the writer lock is held (the caller's transaction began
/// IMMEDIATE), so the entries added since the writer started are exactly those above the id
/// sequence it found: that is how a batch's added points and <see cref="AuditAdded"/>'s rows are
/// known without <c>RETURNING</c>, which cost 0.2 s per 100k rows.
/// </summary>
internal sealed class ExceptionEntryWriter : IDisposable
{
    private readonly DbCommand insertEntries;
    private readonly DbCommand insertAudit;
    private readonly DbCommand auditAdded;
    private readonly DbCommand addedSince;
    private readonly DbParameter rows, auditAction, auditType, auditValue, auditDetails, addedAfterId;
    private long lastId;
    private readonly ArrayBufferWriter<byte> json = new(64 * 1024);

    public ExceptionEntryWriter(DbConnection connection, DbTransaction transaction, EntrySource source, string actor, DateTime at)
    {
        insertEntries = connection.CreateCommand();
        insertEntries.Transaction = transaction;
        // json_each yields the array in order, so ids, and with them the audit, follow the input.
        insertEntries.CommandText = """
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy")
            SELECT "value" ->> 0, "value" ->> 1, "value" ->> 2, "value" ->> 3, @source, @at, @actor
            FROM json_each(@rows) WHERE true
            ON CONFLICT ("Type", "Value") DO NOTHING
            """;
        rows = Add(insertEntries, "@rows");
        Add(insertEntries, "@source", source.ToString());
        Add(insertEntries, "@at", at);
        Add(insertEntries, "@actor", actor);
        insertEntries.Prepare();

        insertAudit = connection.CreateCommand();
        insertAudit.Transaction = transaction;
        insertAudit.CommandText = """
            INSERT INTO "AuditEntries" ("At", "Actor", "Action", "Source", "EntryType", "Value", "Details")
            VALUES (@at, @actor, @action, @source, @type, @value, @details)
            """;
        Add(insertAudit, "@at", at);
        Add(insertAudit, "@actor", actor);
        Add(insertAudit, "@source", source.ToString());
        auditAction = Add(insertAudit, "@action");
        auditType = Add(insertAudit, "@type");
        auditValue = Add(insertAudit, "@value");
        auditDetails = Add(insertAudit, "@details");
        insertAudit.Prepare();

        long addedAfter;
        using (var sequence = connection.CreateCommand())
        {
            sequence.Transaction = transaction;
            sequence.CommandText = """SELECT COALESCE(MAX("seq"), 0) FROM "sqlite_sequence" WHERE "name" = 'ExceptionEntries'""";
            addedAfter = Convert.ToInt64(sequence.ExecuteScalar());
        }

        lastId = addedAfter;
        addedSince = connection.CreateCommand();
        addedSince.Transaction = transaction;
        addedSince.CommandText = """SELECT "Type", "Value" FROM "ExceptionEntries" WHERE "Id" > @after""";
        addedAfterId = Add(addedSince, "@after");

        auditAdded = connection.CreateCommand();
        auditAdded.Transaction = transaction;
        auditAdded.CommandText = $"""
            INSERT INTO "AuditEntries" ("At", "Actor", "Action", "Source", "EntryType", "Value")
            SELECT @at, @actor, '{AuditAction.ExceptionAdded}', @source, "Type", "Value"
            FROM "ExceptionEntries" WHERE "Id" > @addedAfter ORDER BY "Id"
            """;
        Add(auditAdded, "@at", at);
        Add(auditAdded, "@actor", actor);
        Add(auditAdded, "@source", source.ToString());
        Add(auditAdded, "@addedAfter", addedAfter);
    }

    /// <summary>Adds the entry unless (Type, Value) is listed already. True when it was added.</summary>
    public bool TryAdd(ContactPoint point, string? entryComment) => AddRange([(point, entryComment)]).Count == 1;

    /// <summary>
    /// Adds each entry whose (Type, Value) is not listed yet, in order; the points must be distinct.
    /// Returns which were added. Call <see cref="AuditAdded"/> before committing.
    /// </summary>
    public AddedEntries AddRange(IReadOnlyCollection<(ContactPoint Point, string? Comment)> entries)
    {
        if (entries.Count == 0)
        {
            return new AddedEntries(0, null);
        }

        json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartArray();
            foreach (var (point, comment) in entries)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(point.Type.ToString());
                writer.WriteStringValue(point.Value);
                writer.WriteStringValue(comment);
                writer.WriteStringValue(comment?.ToLowerInvariant());
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        rows.Value = Encoding.UTF8.GetString(json.WrittenSpan);
        var count = insertEntries.ExecuteNonQuery();
        var batchAfter = lastId;
        lastId += count;
        // All added or none (an import of new entries, a re-import) needs no reading back; a batch
        // of both reads back just the rows it added.
        if (count == 0 || count == entries.Count)
        {
            return new AddedEntries(count, null);
        }

        var added = new HashSet<ContactPoint>(count);
        addedAfterId.Value = batchAfter;
        using var reader = addedSince.ExecuteReader();
        while (reader.Read())
        {
            added.Add(new ContactPoint(Enum.Parse<EntryType>(reader.GetString(0)), reader.GetString(1)));
        }

        return new AddedEntries(count, added);
    }

    /// <summary>Writes the audit row of every entry this writer added (X6), in the order they were added.</summary>
    public void AuditAdded() => auditAdded.ExecuteNonQuery();

    public void Audit(AuditAction action, ContactPoint point) => Audit(action, point, null);

    /// <summary>An audit row about the whole change (an import's summary), not one entry.</summary>
    public void Audit(AuditAction action, string details) => Audit(action, null, details);

    private void Audit(AuditAction action, ContactPoint? point, string? details)
    {
        auditAction.Value = action.ToString();
        auditType.Value = point?.Type.ToString() ?? (object)DBNull.Value;
        auditValue.Value = point?.Value ?? (object)DBNull.Value;
        auditDetails.Value = details ?? (object)DBNull.Value;
        insertAudit.ExecuteNonQuery();
    }

    public void Dispose()
    {
        insertEntries.Dispose();
        insertAudit.Dispose();
        auditAdded.Dispose();
        addedSince.Dispose();
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

/// <summary>
/// Which entries of a batch were added: <see cref="Some"/> names them when only some were; otherwise
/// all were (Count &gt; 0) or none.
/// </summary>
internal readonly record struct AddedEntries(int Count, HashSet<ContactPoint>? Some)
{
    public bool Contains(ContactPoint point) => Some?.Contains(point) ?? Count > 0;
}
