using CrmAdmin.Data;
using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Audit;
using System.Security.Claims;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Exceptions;

/// <summary>The grid's and the API's sort columns (X5); CreatedAt is the order the entries were added in.</summary>
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
        var now = clock.GetUtcNow().UtcDateTime;
        var filter = await search.WithTypeOfCommentAsync(db, await WithoutIdleStatusAsync(db, query.Filter, now, ct), ct);
        // The candidates and then the newest page learn of the same texts: once (PostgreSQL's samples, 6–7 ms a filter of both texts).
        using var answer = search.BeginAnswer(db, filter);
        var (skip, take) = (Math.Max(0, query.Skip), Math.Clamp(query.Take, 1, ExceptionListQuery.MaxTake));
        var candidates = await ExpiredCandidatesAsync(db, filter, now, ct) ?? await search.CandidatesAsync(db, filter, ct);
        var filtered = Narrowed(db, candidates, filter, now);
        // A text too common for the candidates may still come with its newest ones: those that pass the other
        // conditions are the newest matches, enough for a lower bound and the newest pages without a scan.
        // Exact, they are those newest matches already (SQLite's short value texts).
        var newest = candidates is { IsComplete: false, Ids.Count: > 0 }
            ? candidates.IsExact && filter.Status is null ? [.. candidates.Ids] : await NewestMatchesAsync(db, filter, candidates.Ids, now, ct)
            : null;
        // An index that matched the filter exactly and stopped at its limit has told the total already: more than
        // the limit. (Counting again read 80,000 rows for "telemarketing", 20 ms.)
        var textTellsTotal = candidates is { IsComplete: false, IsExact: true } && filter.Status is null;
        // Complete and exact, the candidates are the matches: no count, and the page's ids are known.
        var exactMatches = candidates is { IsComplete: true, IsExact: true } && filter.Status is null ? candidates.Ids.Distinct().ToList() : null;
        var matches = newest is { Count: > CountLimit } ? newest
            : textTellsTotal ? null
            : exactMatches ?? await db.Database.IdsAsync(filtered.Select(e => e.Id).Take(CountLimit + 1), ct);
        var lowerBound = matches is null || matches.Count > CountLimit;
        if (!lowerBound && candidates is not { IsComplete: true })
        {
            // The count read every match already, by a scan the page would repeat (a common text with a type it
            // never has: 130 ms each on PostgreSQL at a million entries): the page comes from those matches.
            filtered = MatchingAmong(db, matches!, filter, now);
        }

        List<ExceptionRow>? items = matches is { Count: 0 } ? [] : null;
        if (items is null && (exactMatches ?? (lowerBound ? null : matches)) is { } every && query.SortBy == ExceptionSortColumn.CreatedAt)
        {
            // "Added" is the ids' order: the page is a slice of the matches, read by key (batch 1 with list7,
            // 6,160 matches on PostgreSQL at a million entries: a count and a sort of every match took 20 ms more).
            // So too when the count has read every match: sorting them again read each row a second time.
            var ordered = query.Descending ? every.OrderDescending() : every.Order();
            items = await RowsAsync(db, ordered.Skip(skip).Take(take).ToList(), query.Descending, ct);
        }

        if (items is null && lowerBound && candidates is { IsComplete: false } && query is { SortBy: ExceptionSortColumn.CreatedAt, Descending: true })
        {
            items = await NewestPageAsync(db, filter, newest, skip, take, now, ct);
        }

        // The page is the filter's own query, narrowed to a list of ids only through the search's Among (a plain
        // "Id in the list" made PostgreSQL walk the sort index backwards testing each row: 117 ms for 1,375 ids).
        items ??= query.SortBy is ExceptionSortColumn.HitCount or ExceptionSortColumn.LastHitAt
            ? await ByHitsPageAsync(filtered, query.SortBy, query.Descending, skip, take, ct)
            : await Sort(filtered, query.SortBy, query.Descending).Skip(skip).Take(take).Select(ToRow).ToListAsync(ct);
        return new ExceptionPage(lowerBound ? CountLimit : matches!.Count, items, lowerBound);
    }

    /// <summary>
    /// The filter without "active" (X10) when no expired entry meets its other conditions, which is the usual
    /// case (expiring entries are few, and an expired one is removed on request): then the status changes no
    /// row, and the index can answer the rest. Kept, a common text's count was a scan of the entries testing
    /// each one's expiry: 123 ms for "partner batch 3" on PostgreSQL at a million entries. The expired entries
    /// are found through their own index (on ExpiresAt, holding only entries that expire).
    /// </summary>
    private static async Task<ExceptionFilter> WithoutIdleStatusAsync(CrmDbContext db, ExceptionFilter filter, DateTime now, CancellationToken ct)
    {
        if (filter.Status != EntryStatus.Active)
        {
            return filter;
        }

        // First whether anything has expired at all, a condition the expiry index alone answers: with the type
        // too, SQLite's planner walked the (Type, Id) index over half a million entries instead (160 ms).
        var expired = Filter(db.ExceptionEntries, new ExceptionFilter(Status: EntryStatus.Expired), now);
        var changesRows = await expired.AnyAsync(ct) && await Filter(db.ExceptionEntries, filter with { Status = EntryStatus.Expired }, now).AnyAsync(ct);
        return changesRows ? filter : filter with { Status = null };
    }

    /// <summary>
    /// For "expired" (X10), the expired entries as the candidates, found through their own index (on ExpiresAt,
    /// holding only entries that expire), when there are at most <see cref="CountLimit"/> of them, which is the usual
    /// case (an expired entry is removed on request); otherwise null. With a common text SQLite counted by walking
    /// the type's entries instead, testing each one's expiry: 148–571 ms at a million entries when nothing had expired.
    /// </summary>
    private static async Task<TextCandidates?> ExpiredCandidatesAsync(CrmDbContext db, ExceptionFilter filter, DateTime now, CancellationToken ct)
    {
        if (filter.Status != EntryStatus.Expired)
        {
            return null;
        }

        var expired = await db.Database.IdsAsync(
            Filter(db.ExceptionEntries, new ExceptionFilter(Status: EntryStatus.Expired), now).Select(e => e.Id).Take(CountLimit + 1), ct);
        return expired.Count <= CountLimit ? new TextCandidates(expired, IsComplete: true) : null;
    }

    /// <summary>
    /// The newest-first page of a text too common for the index's candidates, from the newest entries the
    /// text may match (<paramref name="newest"/> when the index gave them, else <see cref="IExceptionTextSearch.NewestCandidatesAsync"/>),
    /// or null when the filter's other conditions drop so many of them that the scan is the quicker way. The
    /// first page of "batch 1", whose matches are the oldest fifth of a million entries, took 260–330 ms as a scan.
    /// </summary>
    private async Task<List<ExceptionRow>?> NewestPageAsync(
        CrmDbContext db, ExceptionFilter filter, IReadOnlyList<long>? newest, int skip, int take, DateTime now, CancellationToken ct)
    {
        // Every match newer than the last candidate is a candidate, so a page the candidates fill is the true
        // one, and so is any page when there were no more candidates to ask for.
        if (newest is not null)
        {
            return newest.Count >= skip + take ? await RowsAsync(db, newest.Skip(skip).Take(take).ToList(), descending: true, ct) : null;
        }

        // A page more than needed, as the other conditions (type, status, the other text) may drop a few.
        for (var count = skip + 2 * take; count <= NewestCandidatesLimit; count *= 8)
        {
            var ids = await search.NewestCandidatesAsync(db, filter, count, ct);
            var page = await MatchingAmong(db, ids, filter, now)
                .OrderByDescending(e => e.Id).Skip(skip).Take(take).Select(ToRow).ToListAsync(ct);
            if (page.Count == take || ids.Count < count)
            {
                return page;
            }
        }

        return null;
    }

    /// <summary>How many of a common text's newest candidates <see cref="NewestPageAsync"/> reads at most before it scans instead.</summary>
    private const int NewestCandidatesLimit = 4 * TextSearchTerms.MaxCandidates;

    /// <summary>The ids among the candidates that pass every condition of the filter, newest first.</summary>
    private async Task<List<long>> NewestMatchesAsync(CrmDbContext db, ExceptionFilter filter, IReadOnlyList<long> candidates, DateTime now, CancellationToken ct) =>
        await db.Database.IdsAsync(MatchingAmong(db, candidates, filter, now).Select(e => e.Id).OrderByDescending(id => id), ct);

    /// <summary>The rows of these ids, newest first when <paramref name="descending"/>, else oldest first.</summary>
    private async Task<List<ExceptionRow>> RowsAsync(CrmDbContext db, IReadOnlyList<long> ids, bool descending, CancellationToken ct) =>
        await Sort(search.Among(db, ids).AsNoTracking(), ExceptionSortColumn.CreatedAt, descending).Select(ToRow).ToListAsync(ct);

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

    private async Task<IQueryable<ExceptionEntry>> FilterAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
        Narrowed(db, await search.CandidatesAsync(db, filter, ct), filter, clock.GetUtcNow().UtcDateTime);

    // The provider's text search may narrow a substring filter to its index's candidates; the conditions
    // of Filter still decide each row, so the index can only make the query faster, never different.
    private IQueryable<ExceptionEntry> Narrowed(CrmDbContext db, TextCandidates? candidates, ExceptionFilter filter, DateTime now) =>
        candidates is { IsComplete: true } ? MatchingAmong(db, candidates.Ids, filter, now) : Filter(db.ExceptionEntries.AsNoTracking(), filter, now);

    /// <summary>The entries with these ids that match the filter, through the provider's <see cref="IExceptionTextSearch.Among"/>.</summary>
    private IQueryable<ExceptionEntry> MatchingAmong(CrmDbContext db, IReadOnlyCollection<long> ids, ExceptionFilter filter, DateTime now) =>
        Filter(search.Among(db, ids).AsNoTracking(), filter, now);

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
            // X5: a phone matches on the query's digits; emails and domains on the text itself, in either
            // spelling of a Unicode query (a domain's punycode, or the name before an @ as written).
            // (A query with digits is never an email query, so it has no second spelling.)
            entries = filter.ValueDigits is { } digits
                ? entries.Where(e => ((e.Type == EntryType.Phone || e.Type == EntryType.PhonePrefix) && e.Value.Contains(digits))
                                     || (e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && e.Value.Contains(value)))
                : filter.FoldedValueAsWritten is { } written
                    ? entries.Where(e => e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && (e.Value.Contains(value) || e.Value.Contains(written)))
                    : entries.Where(e => e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && e.Value.Contains(value));
        }

        return entries;
    }

    /// <summary>
    /// A page sorted by hits or by last hit (then by id), read in two parts: the entries ever hit, from their
    /// own indexes, which hold only those (an import's entries are never hit, so it adds nothing to them: 170 ms
    /// of a 100k-line import on PostgreSQL), and the never-hit ones by id. Never hit sorts as the least: last
    /// when descending, first when ascending, on both providers (PostgreSQL would put a null last hit first
    /// when descending).
    /// </summary>
    private static async Task<List<ExceptionRow>> ByHitsPageAsync(
        IQueryable<ExceptionEntry> entries, ExceptionSortColumn column, bool descending, int skip, int take, CancellationToken ct)
    {
        var (hit, neverHit) = column == ExceptionSortColumn.HitCount
            ? (entries.Where(e => e.HitCount > 0), entries.Where(e => e.HitCount <= 0))
            : (entries.Where(e => e.LastHitAt != null), entries.Where(e => e.LastHitAt == null));
        IQueryable<ExceptionEntry> byId = descending ? neverHit.OrderByDescending(e => e.Id) : neverHit.OrderBy(e => e.Id);
        var (first, second) = descending ? (Sort(hit, column, descending: true), byId) : (byId, Sort(hit, column, descending: false));
        var page = await first.Skip(skip).Take(take).Select(ToRow).ToListAsync(ct);
        if (page.Count < take)
        {
            // The first part ends on this page (its length is known) or before it (then it is counted).
            var firstLength = page.Count > 0 ? skip + page.Count : await first.CountAsync(ct);
            page.AddRange(await second.Skip(Math.Max(0, skip - firstLength)).Take(take - page.Count).Select(ToRow).ToListAsync(ct));
        }

        return page;
    }

    private static IQueryable<ExceptionEntry> Sort(IQueryable<ExceptionEntry> entries, ExceptionSortColumn column, bool descending)
    {
        if (column == ExceptionSortColumn.CreatedAt)
        {
            // Added: the order the list received the entries, their ids' order. Their CreatedAt is the writer's
            // clock, in the same order on one clock; the id is unique and is what the search indexes keep in order.
            return descending ? entries.OrderByDescending(e => e.Id) : entries.OrderBy(e => e.Id);
        }

        var sorted = column switch
        {
            ExceptionSortColumn.Type => descending ? entries.OrderByDescending(e => e.Type) : entries.OrderBy(e => e.Type),
            ExceptionSortColumn.Value => descending ? entries.OrderByDescending(e => e.Value) : entries.OrderBy(e => e.Value),
            ExceptionSortColumn.Comment => descending ? entries.OrderByDescending(e => e.Comment) : entries.OrderBy(e => e.Comment),
            ExceptionSortColumn.Source => descending ? entries.OrderByDescending(e => e.Source) : entries.OrderBy(e => e.Source),
            ExceptionSortColumn.CreatedBy => descending ? entries.OrderByDescending(e => e.CreatedBy) : entries.OrderBy(e => e.CreatedBy),
            ExceptionSortColumn.HitCount => descending ? entries.OrderByDescending(e => e.HitCount) : entries.OrderBy(e => e.HitCount),
            _ => descending ? entries.OrderByDescending(e => e.LastHitAt) : entries.OrderBy(e => e.LastHitAt),
        };

        // A unique tie-breaker keeps pages stable when many rows share a sort value (one import's source).
        return descending ? sorted.ThenByDescending(e => e.Id) : sorted.ThenBy(e => e.Id);
    }
}
