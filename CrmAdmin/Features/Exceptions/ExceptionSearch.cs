using System.Text;
using CrmAdmin.Data;
using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The substring filters of X5 (comment, value) over a million entries. A substring LIKE is a full
/// scan, so the migration "ExceptionSearchIndex" keeps a trigram FTS5 index of the folded comment and
/// the value. The index trails the table: <see cref="ExceptionSearchIndexer"/> fills it after writes,
/// and the rows above its "IndexedUpTo" mark are always added as candidates, so results are exact at
/// every moment. The index only narrows; the caller's own conditions still decide every row.
/// </summary>
public static class ExceptionSearch
{
    /// <summary>Trigrams: a shorter text has none to look up, and the scan is the only way.</summary>
    public const int MinimumLength = 3;

    /// <summary>
    /// Past this many candidates the index is slower than the scan it replaces (it re-reads every
    /// candidate row, while the scan streams pages in order), so a common text such as "batch" scans.
    /// </summary>
    public const int MaxCandidates = 10_000;

    private const string TailSql = """
        SELECT "Id" AS "Value" FROM "ExceptionEntries" WHERE "Id" > (SELECT "IndexedUpTo" FROM "ExceptionSearchState")
        """;

    /// <summary>
    /// The ids that may match the filter's comment and value, or null when the index cannot narrow it
    /// (no text filter, a text under three characters, or a text so common the scan is quicker). They
    /// are read once, so the count and the page do not search the index again.
    /// </summary>
    public static async Task<IReadOnlyList<long>?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        foreach (var candidates in Choices(db, filter))
        {
            // Both filters must hold, so either one's candidates will do: take the first selective one.
            var ids = await candidates.Take(MaxCandidates + 1).ToListAsync(ct);
            if (ids.Count <= MaxCandidates)
            {
                return ids;
            }
        }

        return null;
    }

    private static IEnumerable<IQueryable<long>> Choices(CrmDbContext db, ExceptionFilter filter)
    {
        if (filter.FoldedComment is { Length: >= MinimumLength } comment)
        {
            yield return Matching(db, [("CommentFolded", comment)]);
        }

        if (filter.FoldedValue is { } value)
        {
            // X5: phones match on the query's digits, emails and domains on the text; a query with no
            // digits can only match emails and domains.
            var texts = filter.ValueDigits is { } digits && digits != value ? new[] { digits, value } : [filter.ValueDigits ?? value];
            if (texts.All(t => t.Length >= MinimumLength))
            {
                yield return Matching(db, texts.Select(t => ("Value", t)).ToArray());
            }
        }
    }

    private static IQueryable<long> Matching(CrmDbContext db, (string Column, string Text)[] terms)
    {
        var sql = new StringBuilder();
        var parameters = new object[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            // Column names come from the two literals above, never from input.
            sql.Append($$"""SELECT rowid AS "Value" FROM "ExceptionSearch" WHERE "{{terms[i].Column}}" GLOB {{{i}}} UNION ALL """);
            parameters[i] = GlobContaining(terms[i].Text);
        }

        sql.Append(TailSql);
        return db.Database.SqlQueryRaw<long>(sql.ToString(), parameters);
    }

    /// <summary>
    /// A GLOB pattern for the text anywhere, with the person's own *, ? and [ taken literally. GLOB, not
    /// LIKE: the indexed columns are folded already, and FTS5's trigram LIKE would fold again by ASCII.
    /// </summary>
    public static string GlobContaining(string text)
    {
        var pattern = new StringBuilder(text.Length + 2).Append('*');
        foreach (var c in text)
        {
            _ = c is '*' or '?' or '[' ? pattern.Append('[').Append(c).Append(']') : pattern.Append(c);
        }

        return pattern.Append('*').ToString();
    }
}

/// <summary>
/// Fills the search index behind writes, a batch per short transaction, so a 100k-line import
/// commits without paying for 3 million trigrams and a reader never waits long for the writer lock.
/// It wakes every second; a backlog is worked off without pausing.
/// </summary>
public sealed class ExceptionSearchIndexer(IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock, ILogger<ExceptionSearchIndexer> logger)
    : BackgroundService
{
    public const int BatchSize = 20_000;

    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await IndexNextBatchAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The tail scan keeps filters exact while the index lags; the next round tries again.
                logger.LogWarning(e, "Indexing exception entries for search failed; retrying");
            }

            try
            {
                await Task.Delay(Idle, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Indexes the next rows above the mark; returns how many.</summary>
    public async Task<int> IndexNextBatchAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!db.Database.IsSqlite())
        {
            return 0;
        }

        // A cheap read first: most wake-ups find nothing to do and must not take the writer lock.
        var pending = await db.Database.SqlQueryRaw<long>("""
            SELECT count(*) AS "Value" FROM (SELECT 1 FROM "ExceptionEntries"
                WHERE "Id" > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") LIMIT 1)
            """).SingleAsync(ct);
        if (pending == 0)
        {
            return 0;
        }

        // The writer lock is held from BEGIN (IMMEDIATE), so no row can commit between reading the
        // mark and moving it; ids only grow (AUTOINCREMENT), so nothing lands below the mark later.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var upTo = await db.Database.SqlQueryRaw<long?>("""
            SELECT max("Id") AS "Value" FROM (SELECT "Id" FROM "ExceptionEntries"
                WHERE "Id" > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") ORDER BY "Id" LIMIT {0})
            """, BatchSize).SingleAsync(ct);
        if (upTo is null)
        {
            return 0;
        }

        var indexed = await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "ExceptionSearch" (rowid, "CommentFolded", "Value")
            SELECT "Id", "CommentFolded", "Value" FROM "ExceptionEntries"
            WHERE "Id" > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND "Id" <= {0};
            """, upTo);
        await db.Database.ExecuteSqlRawAsync("""UPDATE "ExceptionSearchState" SET "IndexedUpTo" = {0};""", upTo);
        await transaction.CommitAsync(ct);
        return indexed;
    }
}
