using CrmAdmin.Data;
using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Audit;
using System.Security.Claims;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Exceptions;

public enum ExceptionSortColumn
{
    CreatedAt,
    Type,
    Value,
    Comment,
    Source,
    CreatedBy,
    HitCount,
    LastHitAt,
}

public sealed record ExceptionListQuery(
    ExceptionFilter Filter, int Skip = 0, int Take = 50,
    ExceptionSortColumn SortBy = ExceptionSortColumn.CreatedAt, bool Descending = true)
{
    public const int MaxTake = 500;
}

/// <summary>One entry as the grid, the API and the export show it; <see cref="ExpiresAt"/> (X10) and <see cref="ImportId"/> (I10) may be null.</summary>
public sealed record ExceptionRow(
    long Id, EntryType Type, string Value, string? Comment, EntrySource Source, DateTime CreatedAt, string CreatedBy, int HitCount, DateTime? LastHitAt,
    DateTime? ExpiresAt = null, long? ImportId = null)
{
    /// <summary>X10: whether the entry has stopped matching at <paramref name="now"/> (UTC).</summary>
    public bool IsExpiredAt(DateTime now) => !ExceptionEntry.IsActiveAt(ExpiresAt, now);
}

/// <summary>
/// One page of the list. <paramref name="Total"/> is exact when <paramref name="TotalIsLowerBound"/> is
/// false; otherwise more than <see cref="ExceptionListService.CountLimit"/> entries match and Total is that
/// limit (the page says "more than 10,000", never a made-up figure).
/// </summary>
public sealed record ExceptionPage(int Total, IReadOnlyList<ExceptionRow> Items, bool TotalIsLowerBound = false);

/// <summary>Reading and removing entries (X5, X6). Filtering, sorting and paging run in the database.</summary>
public sealed class ExceptionListService(
    IDbContextFactory<CrmDbContext> dbFactory, IExceptionEntryWriters writers, IExceptionTextSearch search, CrmAuthorizer authorizer, TimeProvider clock, ILogger<ExceptionListService> logger)
{
    /// <summary>
    /// Counting stops past this many matches. An exact count of a broad filter ("batch 1", half of a
    /// million entries) read every match: 120–400 ms on either provider, against 50 ms for the page.
    /// </summary>
    public const int CountLimit = 10_000;

    /// <summary>
    /// A page of the entries matching the query's filter (X5), in its order, with their count. The ids of
    /// at most <see cref="CountLimit"/> + 1 matches are read first, in any order (a scan stops as soon as it
    /// has them): up to the limit their number is the exact total; past it the total is a lower bound.
    /// Needs View (P3); throws <see cref="UnauthorizedAccessException"/> otherwise.
    /// </summary>
    public async Task<ExceptionPage> ListAsync(ExceptionListQuery query, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var filtered = await FilterAsync(db, query.Filter, ct);
        var matches = await filtered.Select(e => e.Id).Take(CountLimit + 1).ToListAsync(ct);
        var lowerBound = matches.Count > CountLimit;
        // The page is the filter's own query, not "Id in the matches": with a list of ids PostgreSQL walked
        // the sort index backwards testing each row against the list (117 ms for 1,375 matches, against 10).
        var items = await Sort(filtered, query.SortBy, query.Descending)
            .Skip(Math.Max(0, query.Skip))
            .Take(Math.Clamp(query.Take, 1, ExceptionListQuery.MaxTake))
            .Select(ToRow)
            .ToListAsync(ct);
        return new ExceptionPage(lowerBound ? CountLimit : matches.Count, items, lowerBound);
    }

    /// <summary>Every entry matching the filter, streamed in a stable order, for export (I6).</summary>
    public async IAsyncEnumerable<ExceptionRow> StreamAsync(ExceptionFilter filter, ClaimsPrincipal user,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = (await FilterAsync(db, filter, ct)).OrderBy(e => e.Id).Select(ToRow).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(ct))
        {
            yield return row;
        }
    }

    /// <summary>Removes the entries and audits each one (X6); ids already gone are skipped. Returns how many were removed.</summary>
    public async Task<int> RemoveAsync(IReadOnlyCollection<long> ids, EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        if (ids.Count == 0)
        {
            return 0;
        }

        var at = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var removed = new List<ContactPoint>(ids.Count);
        // Chunks keep each IN (…) list well under SQLite's parameter limit.
        foreach (var chunk in ids.Distinct().Chunk(500))
        {
            var points = await db.ExceptionEntries.Where(e => chunk.Contains(e.Id))
                .Select(e => new { e.Type, e.Value }).ToListAsync(ct);
            await db.ExceptionEntries.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(ct);
            removed.AddRange(points.Select(p => new ContactPoint(p.Type, p.Value)));
        }

        using (var writer = writers.Open(db, source, actor, at))
        {
            foreach (var point in removed)
            {
                writer.Audit(AuditAction.ExceptionRemoved, point);
            }
        }

        await transaction.CommitAsync(ct);
        logger.LogInformation("{Actor} removed {Count} exception entries from {Source}", actor, removed.Count, source);
        return removed.Count;
    }

    /// <summary>
    /// Removes every entry that has expired (X10: "nothing is deleted silently", so only on request,
    /// after a confirmation), audited one by one like any removal (X6). Returns how many were removed.
    /// </summary>
    public async Task<int> RemoveExpiredAsync(EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.EditExceptions);
        var now = clock.GetUtcNow().UtcDateTime;
        List<long> expired;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            expired = await db.ExceptionEntries.Where(e => e.ExpiresAt != null && e.ExpiresAt <= now).Select(e => e.Id).ToListAsync(ct);
        }

        return await RemoveAsync(expired, source, user, ct);
    }

    private static readonly System.Linq.Expressions.Expression<Func<ExceptionEntry, ExceptionRow>> ToRow =
        e => new ExceptionRow(e.Id, e.Type, e.Value, e.Comment, e.Source, e.CreatedAt, e.CreatedBy, e.HitCount, e.LastHitAt, e.ExpiresAt, e.ImportId);

    // The provider's text search may narrow a substring filter to its index's candidates; the conditions
    // of Filter still decide each row, so the index can only make the query faster, never different.
    private async Task<IQueryable<ExceptionEntry>> FilterAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
        Filter((await search.EntriesAsync(db, filter, ct)).AsNoTracking(), filter, clock.GetUtcNow().UtcDateTime);

    private static IQueryable<ExceptionEntry> Filter(IQueryable<ExceptionEntry> entries, ExceptionFilter filter, DateTime now)
    {
        // X10: expired from the instant itself, as routing sees it (ExceptionEntry.IsActiveAt).
        entries = filter.Status switch
        {
            EntryStatus.Active => entries.Where(e => e.ExpiresAt == null || e.ExpiresAt > now),
            EntryStatus.Expired => entries.Where(e => e.ExpiresAt != null && e.ExpiresAt <= now),
            _ => entries,
        };

        if (filter.Type is { } type)
        {
            entries = entries.Where(e => e.Type == type);
        }

        if (filter.FoldedComment is { } comment)
        {
            entries = entries.Where(e => EF.Property<string>(e, ExceptionEntryConfiguration.CommentFolded).Contains(comment));
        }

        if (filter.FoldedValue is { } value)
        {
            // X5: a phone matches on the query's digits; emails and domains on the text itself.
            entries = filter.ValueDigits is { } digits
                ? entries.Where(e => ((e.Type == EntryType.Phone || e.Type == EntryType.PhonePrefix) && e.Value.Contains(digits))
                                     || (e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && e.Value.Contains(value)))
                : entries.Where(e => e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && e.Value.Contains(value));
        }

        return entries;
    }

    private static IQueryable<ExceptionEntry> Sort(IQueryable<ExceptionEntry> entries, ExceptionSortColumn column, bool descending)
    {
        var sorted = column switch
        {
            ExceptionSortColumn.Type => descending ? entries.OrderByDescending(e => e.Type) : entries.OrderBy(e => e.Type),
            ExceptionSortColumn.Value => descending ? entries.OrderByDescending(e => e.Value) : entries.OrderBy(e => e.Value),
            ExceptionSortColumn.Comment => descending ? entries.OrderByDescending(e => e.Comment) : entries.OrderBy(e => e.Comment),
            ExceptionSortColumn.Source => descending ? entries.OrderByDescending(e => e.Source) : entries.OrderBy(e => e.Source),
            ExceptionSortColumn.CreatedBy => descending ? entries.OrderByDescending(e => e.CreatedBy) : entries.OrderBy(e => e.CreatedBy),
            ExceptionSortColumn.HitCount => descending ? entries.OrderByDescending(e => e.HitCount) : entries.OrderBy(e => e.HitCount),
            ExceptionSortColumn.LastHitAt => descending ? entries.OrderByDescending(e => e.LastHitAt) : entries.OrderBy(e => e.LastHitAt),
            _ => descending ? entries.OrderByDescending(e => e.CreatedAt) : entries.OrderBy(e => e.CreatedAt),
        };

        // A unique tie-breaker keeps pages stable when many rows share a sort value (one import's CreatedAt).
        return descending ? sorted.ThenByDescending(e => e.Id) : sorted.ThenBy(e => e.Id);
    }
}
