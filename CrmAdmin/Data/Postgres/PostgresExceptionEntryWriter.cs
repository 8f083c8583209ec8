using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CrmAdmin.Data.Postgres;

/// <summary>PostgreSQL's <see cref="IExceptionEntryWriters"/>: see <see cref="PostgresExceptionEntryWriter"/>.</summary>
internal sealed class PostgresExceptionEntryWriters : IExceptionEntryWriters
{
    public IExceptionEntryWriter Open(CrmDbContext db, EntrySource source, string actor, DateTime at, long? importId = null) =>
        new PostgresExceptionEntryWriter(db, source, actor, at, importId);
}

/// <summary>
/// Writes entries the PostgreSQL way, inside the caller's transaction, one batch at a time.
/// <para>A batch goes by binary COPY straight into the list, and its ExceptionAdded audit rows (X6) by a
/// second COPY, in the entries' order, under a savepoint. While no batch of an import has met a listed
/// value, that is all: an import of new entries costs little more than a plain COPY of the rows. A COPY
/// that meets one fails with a unique violation of the Value index (PostgreSQL's X1 key,
/// <see cref="ExceptionEntryConfiguration.KeyByValueAlone"/>) and is rolled back to the savepoint. From
/// then on, and always for a single add or restore, each batch's values are first looked up in that
/// index: those found are AlreadyListed (an existing entry and its comment stay untouched, I3), and the
/// rest are COPYed (a re-import, a partly new list).</para>
/// <para>When a value the lookup did not see is listed by the time the COPY reaches it (another
/// instance's or request's uncommitted add, which the COPY waits for), the COPY fails with a unique
/// violation; the batch is rolled back to the savepoint and written the general way: binary COPY into a
/// temporary staging table, then one <c>INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING</c> in a
/// <c>WITH</c> whose rows a second <c>INSERT</c> turns into the audit rows. So a concurrent import of the
/// same value waits for the other's commit and then finds it listed, never fails. That statement
/// answers with the number added, and names the added points only when some of the batch were listed
/// already (sequences are not transactional, so the ids alone cannot say which rows are this batch's).
/// The staging table is dropped at commit or rollback, so a failed import leaves nothing behind.</para>
/// <para>Before its first write a writer takes a transaction-scoped advisory lock that every writer of the list
/// takes, on every instance: writers of several entries, each in one transaction, could otherwise wait for each
/// other's uncommitted values in opposite orders, and PostgreSQL would end one on "deadlock detected".</para>
/// </summary>
internal sealed class PostgresExceptionEntryWriter : IExceptionEntryWriter
{
    private const string Rows = "crm_import_rows";

    // The advisory lock of the list's writers, in the two-key space ("CRMA", 1), apart from the one-key locks
    // of routing decisions (hashes of contact points).
    private const int WritersLockClass = 0x43524D41;
    private const int WritersLockObject = 1;

    private readonly NpgsqlConnection connection;
    private readonly StoreNames<ExceptionEntry> e;
    private readonly StoreNames<AuditEntry> a;
    private readonly EntrySource source;
    private readonly string actor;
    private readonly DateTime at;
    private readonly long? importId;
    private readonly NpgsqlCommand insertAudit;
    private NpgsqlCommand? insertEntries;
    private NpgsqlCommand? selectListed;
    // Single adds and restores look up first: their entry is often listed already, and each failed COPY
    // would leave an error in the server's log.
    private bool copyFirst;
    private bool holdsWritersLock;

    public PostgresExceptionEntryWriter(CrmDbContext db, EntrySource source, string actor, DateTime at, long? importId)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Entries are written inside the caller's transaction.");
        }

        connection = (NpgsqlConnection)db.Database.GetDbConnection();
        e = new StoreNames<ExceptionEntry>(db.Model);
        a = new StoreNames<AuditEntry>(db.Model);
        this.source = source;
        this.actor = actor;
        this.at = at;
        this.importId = importId;
        copyFirst = importId is not null;
        insertAudit = new NpgsqlCommand($"""
            INSERT INTO {a.Table} ({AuditColumns}, {a.Column(x => x.Details)})
            VALUES (@at, @actor, @action, @source, @type, @value, @details)
            """, connection);
        insertAudit.Parameters.AddWithValue("at", at);
        insertAudit.Parameters.AddWithValue("actor", actor);
        insertAudit.Parameters.AddWithValue("source", source.ToString());
        insertAudit.Parameters.Add(new NpgsqlParameter("action", NpgsqlDbType.Text));
        insertAudit.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Text));
        insertAudit.Parameters.Add(new NpgsqlParameter("value", NpgsqlDbType.Text));
        insertAudit.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Text));
    }

    private string AuditColumns =>
        $"{a.Column(x => x.At)}, {a.Column(x => x.Actor)}, {a.Column(x => x.Action)}, {a.Column(x => x.Source)}, {a.Column(x => x.EntryType)}, {a.Column(x => x.Value)}";

    public AddedEntries AddRange(IReadOnlyCollection<NewEntry> entries)
    {
        if (entries.Count == 0)
        {
            return new AddedEntries(0, null);
        }

        if (!holdsWritersLock)
        {
            // One writer of the list at a time, across instances, until its transaction ends (SQLite has one writer
            // anyway). Two imports of the same values in different orders, each one transaction over many batches,
            // waited for each other's uncommitted rows and one ended on "deadlock detected"; a restore of several
            // entries could do the same with an import. The wait can be as long as the other import, so no timeout.
            using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, $2)", connection) { CommandTimeout = 0 };
            command.Parameters.Add(new NpgsqlParameter { Value = WritersLockClass });
            command.Parameters.Add(new NpgsqlParameter { Value = WritersLockObject });
            command.ExecuteNonQuery();
            holdsWritersLock = true;
        }

        // An import is optimistic until a batch meets a listed value: most imports add new entries only, and
        // the lookup of a 10,000-line batch cost PostgreSQL's one backend 20–30 ms, a quarter of a second per
        // 100k lines. A COPY that meets a listed value fails at that row and rolls back to its savepoint.
        if (copyFirst)
        {
            if (TryCopyIntoList(entries))
            {
                return new AddedEntries(entries.Count, null);
            }

            copyFirst = false;
        }

        var listed = ListedValues(entries);
        if (listed.Count == entries.Count)
        {
            return new AddedEntries(0, null);
        }

        var fresh = listed.Count == 0 ? entries : entries.Where(x => !listed.Contains(x.Point.Value)).ToList();
        if (TryCopyIntoList(fresh))
        {
            return new AddedEntries(fresh.Count, listed.Count == 0 ? null : fresh.Select(x => x.Point).ToHashSet());
        }

        return AddThroughStaging(entries);
    }

    /// <summary>Which of the batch's values are listed, as this transaction sees the list.</summary>
    private HashSet<string> ListedValues(IReadOnlyCollection<NewEntry> entries)
    {
        // A join rather than "= ANY(@values)": planning that estimated each of the 10,000 values against the
        // column's statistics, 13–23 ms a batch; the join is planned in about 1 ms and probes the index as often.
        selectListed ??= new NpgsqlCommand(
            $"SELECT e.{e.Column(x => x.Value)} FROM unnest(@values) AS v(value) JOIN {e.Table} AS e ON e.{e.Column(x => x.Value)} = v.value", connection)
        {
            Parameters = { new NpgsqlParameter("values", NpgsqlDbType.Array | NpgsqlDbType.Text) },
        };
        selectListed.Parameters["values"].Value = entries.Select(x => x.Point.Value).ToArray();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        using var reader = selectListed.ExecuteReader();
        while (reader.Read())
        {
            listed.Add(reader.GetString(0));
        }

        return listed;
    }

    /// <summary>
    /// COPYs entries none of which the lookup found listed into the list, and their audit rows after them,
    /// under a savepoint; false, with nothing written, when one was listed meanwhile (a unique violation).
    /// </summary>
    private bool TryCopyIntoList(IReadOnlyCollection<NewEntry> fresh)
    {
        var from = source.ToString();
        Execute("SAVEPOINT crm_batch;");
        try
        {
            using (var copy = connection.BeginBinaryImport($"""
                COPY {e.Table} ({e.Column(x => x.Type)}, {e.Column(x => x.Value)}, {e.Column(x => x.Comment)}, {e[ExceptionEntryConfiguration.CommentFolded]}, {e.Column(x => x.Source)}, {e.Column(x => x.CreatedAt)}, {e.Column(x => x.CreatedBy)}, {e.Column(x => x.HitCount)}, {e.Column(x => x.ExpiresAt)}, {e.Column(x => x.ImportId)}) FROM STDIN (FORMAT BINARY)
                """))
            {
                foreach (var entry in fresh)
                {
                    copy.StartRow();
                    WriteEntry(copy, entry);
                    copy.Write(from, NpgsqlDbType.Text);
                    copy.Write(at, NpgsqlDbType.TimestampTz);
                    copy.Write(actor, NpgsqlDbType.Text);
                    copy.Write(0, NpgsqlDbType.Integer);
                    WriteExpiry(copy, entry);
                    if (importId is { } id)
                    {
                        copy.Write(id, NpgsqlDbType.Bigint);
                    }
                    else
                    {
                        copy.WriteNull();
                    }
                }

                copy.Complete();
            }
        }
        catch (PostgresException listedMeanwhile) when (listedMeanwhile.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            Execute("ROLLBACK TO SAVEPOINT crm_batch;");
            return false;
        }

        using (var copy = connection.BeginBinaryImport($"COPY {a.Table} ({AuditColumns}) FROM STDIN (FORMAT BINARY)"))
        {
            var added = nameof(AuditAction.ExceptionAdded);
            foreach (var entry in fresh)
            {
                copy.StartRow();
                copy.Write(at, NpgsqlDbType.TimestampTz);
                copy.Write(actor, NpgsqlDbType.Text);
                copy.Write(added, NpgsqlDbType.Text);
                copy.Write(from, NpgsqlDbType.Text);
                copy.Write(entry.Point.Type.ToString(), NpgsqlDbType.Text);
                copy.Write(entry.Point.Value, NpgsqlDbType.Text);
            }

            copy.Complete();
        }

        Execute("RELEASE SAVEPOINT crm_batch;");
        return true;
    }

    /// <summary>The general way (see the class): staging table, INSERT … ON CONFLICT DO NOTHING, audit rows.</summary>
    private AddedEntries AddThroughStaging(IReadOnlyCollection<NewEntry> entries)
    {
        insertEntries ??= Prepare();
        Execute($"TRUNCATE {Rows};");
        using (var copy = connection.BeginBinaryImport($"COPY {Rows} (ord, type, value, comment, folded, expires) FROM STDIN (FORMAT BINARY)"))
        {
            var ord = 0;
            foreach (var entry in entries)
            {
                copy.StartRow();
                copy.Write(ord++, NpgsqlDbType.Integer);
                WriteEntry(copy, entry);
                WriteExpiry(copy, entry);
            }

            copy.Complete();
        }

        // One row with the count when all or none were added (an import of new entries, a re-import);
        // otherwise one row per added point.
        insertEntries.Parameters["rows"].Value = entries.Count;
        using var reader = insertEntries.ExecuteReader();
        var count = 0;
        HashSet<ContactPoint>? some = null;
        while (reader.Read())
        {
            count = (int)reader.GetInt64(0);
            if (!reader.IsDBNull(1))
            {
                (some ??= new HashSet<ContactPoint>(count)).Add(new ContactPoint(Enum.Parse<EntryType>(reader.GetString(1)), reader.GetString(2)));
            }
        }

        return new AddedEntries(count, some);
    }

    /// <summary>The entry's type, value, comment and folded comment (the filters' text, X5), as COPY columns.</summary>
    private static void WriteEntry(NpgsqlBinaryImporter copy, NewEntry entry)
    {
        copy.Write(entry.Point.Type.ToString(), NpgsqlDbType.Text);
        copy.Write(entry.Point.Value, NpgsqlDbType.Text);
        if (entry.Comment is null)
        {
            copy.WriteNull();
            copy.WriteNull();
        }
        else
        {
            copy.Write(entry.Comment, NpgsqlDbType.Text);
            copy.Write(entry.Comment.ToLowerInvariant(), NpgsqlDbType.Text);
        }
    }

    private static void WriteExpiry(NpgsqlBinaryImporter copy, NewEntry entry)
    {
        if (entry.ExpiresAt is { } expires)
        {
            copy.Write(DateTime.SpecifyKind(expires.ToUniversalTime(), DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        }
        else
        {
            copy.WriteNull();
        }
    }

    /// <summary>Nothing left to do: each batch wrote its audit rows (see the class).</summary>
    public void AuditAdded()
    {
    }

    public void Audit(AuditAction action, ContactPoint point) => Audit(action, point, null);

    public void Audit(AuditAction action, string details) => Audit(action, null, details);

    private void Audit(AuditAction action, ContactPoint? point, string? details)
    {
        insertAudit.Parameters["action"].Value = action.ToString();
        insertAudit.Parameters["type"].Value = point?.Type.ToString() ?? (object)DBNull.Value;
        insertAudit.Parameters["value"].Value = point?.Value ?? (object)DBNull.Value;
        insertAudit.Parameters["details"].Value = details ?? (object)DBNull.Value;
        insertAudit.ExecuteNonQuery();
    }

    /// <summary>The staging table (this transaction's only) and the statement that moves a batch into the list and audits it.</summary>
    private NpgsqlCommand Prepare()
    {
        Execute($"""
            CREATE TEMP TABLE IF NOT EXISTS {Rows} (ord int NOT NULL, type text NOT NULL, value text NOT NULL, comment text, folded text, expires timestamptz) ON COMMIT DROP;
            """);
        var (id, type, value) = (e.Column(x => x.Id), e.Column(x => x.Type), e.Column(x => x.Value));
        var insert = new NpgsqlCommand($"""
            WITH added AS (
                INSERT INTO {e.Table} ({type}, {value}, {e.Column(x => x.Comment)}, {e[ExceptionEntryConfiguration.CommentFolded]}, {e.Column(x => x.Source)}, {e.Column(x => x.CreatedAt)}, {e.Column(x => x.CreatedBy)}, {e.Column(x => x.HitCount)}, {e.Column(x => x.ExpiresAt)}, {e.Column(x => x.ImportId)})
                SELECT type, value, comment, folded, @source, @at, @actor, 0, expires, @importId FROM {Rows} ORDER BY ord
                ON CONFLICT ({value}) DO NOTHING
                RETURNING {id}, {type}, {value}),
            audited AS (
                INSERT INTO {a.Table} ({AuditColumns})
                SELECT @at, @actor, @action, @source, {type}, {value} FROM added ORDER BY {id})
            SELECT n.count, p.{type}, p.{value}
            FROM (SELECT count(*) AS count FROM added) AS n LEFT JOIN added AS p ON n.count < @rows
            """, connection);
        insert.Parameters.AddWithValue("source", source.ToString());
        insert.Parameters.AddWithValue("at", at);
        insert.Parameters.AddWithValue("actor", actor);
        insert.Parameters.AddWithValue("action", nameof(AuditAction.ExceptionAdded));
        insert.Parameters.Add(new NpgsqlParameter("importId", NpgsqlDbType.Bigint) { Value = importId ?? (object)DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter("rows", NpgsqlDbType.Bigint));
        return insert;
    }

    private void Execute(string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        insertAudit.Dispose();
        insertEntries?.Dispose();
        selectListed?.Dispose();
    }
}
