using CrmAdmin.Data;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// How a provider serves X5's substring filters (comment, value) over a million entries, where a
/// plain <c>LIKE '%text%'</c> is a full scan. SQLite (Data/Sqlite) narrows the rows through an FTS5
/// trigram table first; PostgreSQL (Data/Postgres) serves the LIKE itself from pg_trgm GIN indexes.
/// </summary>
public interface IExceptionTextSearch
{
    /// <summary>
    /// <paramref name="filtered"/> (the entries with every condition of <paramref name="filter"/>
    /// already applied), possibly narrowed by the provider's index to the rows that can match. The
    /// result holds exactly the rows <paramref name="filtered"/> does.
    /// </summary>
    Task<IQueryable<ExceptionEntry>> NarrowAsync(CrmDbContext db, IQueryable<ExceptionEntry> filtered, ExceptionFilter filter, CancellationToken ct);
}
