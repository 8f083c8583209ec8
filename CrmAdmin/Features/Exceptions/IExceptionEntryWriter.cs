using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// Opens a bulk writer of exception entries and their audit rows on a context's open transaction.
/// One implementation per provider (Data/Sqlite: <c>INSERT … SELECT FROM json_each</c>; Data/Postgres:
/// binary COPY into a staging table and one <c>INSERT … ON CONFLICT DO NOTHING RETURNING</c> that audits too), chosen
/// in <c>AddCrmData</c>. Everything a writer does is inside the caller's transaction, so an import is
/// all there or not at all (I3).
/// </summary>
public interface IExceptionEntryWriters
{
    /// <summary>
    /// A writer for one actor, source and time; the entries it adds carry <paramref name="importId"/>
    /// (I10: the import that added them, or null). <paramref name="db"/> must have begun a transaction.
    /// </summary>
    /// <exception cref="InvalidOperationException">No transaction is open on <paramref name="db"/>.</exception>
    IExceptionEntryWriter Open(CrmDbContext db, EntrySource source, string actor, DateTime at, long? importId = null);
}

/// <summary>Writes entries (X1: one per Type and Value) and their audit rows (X6) in the caller's transaction.</summary>
public interface IExceptionEntryWriter : IDisposable
{
    /// <summary>
    /// Adds each entry whose (Type, Value) is not listed yet, in order, leaving an existing entry and
    /// its comment untouched; the points must be distinct. Returns which were added. Call
    /// <see cref="AuditAdded"/> before committing.
    /// </summary>
    AddedEntries AddRange(IReadOnlyCollection<NewEntry> entries);

    /// <summary>Adds the entry unless (Type, Value) is listed already. True when it was added.</summary>
    bool TryAdd(ContactPoint point, string? comment) => AddRange([new NewEntry(point, comment)]).Count == 1;

    /// <summary>
    /// Writes the audit row of every entry this writer added (X6), in the order they were added, unless it
    /// wrote them with each batch already (PostgreSQL audits in the statement that adds).
    /// </summary>
    void AuditAdded();

    /// <summary>An audit row about one entry (a removal).</summary>
    void Audit(AuditAction action, ContactPoint point);

    /// <summary>An audit row about the whole change (an import's summary), not one entry.</summary>
    void Audit(AuditAction action, string details);
}

/// <summary>An entry to add: its point, comment and the instant (UTC) it expires (X10), or null for never.</summary>
public readonly record struct NewEntry(ContactPoint Point, string? Comment, DateTime? ExpiresAt = null);

/// <summary>
/// Which entries of a batch were added: <see cref="Some"/> names them when only some were; otherwise
/// all were (Count &gt; 0) or none.
/// </summary>
public readonly record struct AddedEntries(int Count, HashSet<ContactPoint>? Some)
{
    public bool Contains(ContactPoint point) => Some?.Contains(point) ?? Count > 0;
}
