using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// PostgreSQL serves X5's substring filters from the trigram GIN indexes on the folded comment and
/// the value (migration InitialCreate, pg_trgm): Npgsql translates the filter's
/// <c>string.Contains</c> to <c>LIKE '%text%'</c>, which those indexes answer directly and always
/// exactly, so there is nothing to narrow first and no index to keep up behind the writes.
/// </summary>
internal sealed class PostgresExceptionSearch : IExceptionTextSearch
{
    public Task<IQueryable<ExceptionEntry>> NarrowAsync(CrmDbContext db, IQueryable<ExceptionEntry> filtered, ExceptionFilter filter, CancellationToken ct) =>
        Task.FromResult(filtered);
}
