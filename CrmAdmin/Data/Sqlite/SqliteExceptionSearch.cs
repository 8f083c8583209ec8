using System.Text;
using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// The substring filters of X5 (comment, value) over a million entries. A substring LIKE is a full
/// scan, so the migration "ExceptionSearchIndex" keeps a trigram FTS5 index of the folded comment and
/// the value. The index trails the table: <see cref="ExceptionSearchIndexer"/> fills it after writes,
/// and the rows above its "IndexedUpTo" mark are always added as candidates, so results are exact at
/// every moment. The index only narrows; the caller's own conditions still decide every row.
/// The FTS table's columns carry the names of the entry columns they index (its content table is
/// the entries' table), so both come from the model.
/// </summary>
public sealed class SqliteExceptionSearch : IExceptionTextSearch
{
    /// <inheritdoc />
    public async Task<IQueryable<ExceptionEntry>> EntriesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
        await CandidatesAsync(db, filter, ct) is { } candidates
            ? db.ExceptionEntries.Where(e => EF.Parameter(candidates).Contains(e.Id))
            : db.ExceptionEntries;

    /// <summary>
    /// The ids that may match the filter's comment and value, or null when the index cannot narrow it
    /// (<see cref="TextSearchTerms"/>: no text, a text under three characters, or more than
    /// <see cref="TextSearchTerms.MaxCandidates"/> candidates). They are read once, so the count and the
    /// page do not search the index again.
    /// </summary>
    public static async Task<IReadOnlyList<long>?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        foreach (var (column, texts) in TextSearchTerms.Of(e, filter))
        {
            var ids = await Matching(db, e, column, texts).Take(TextSearchTerms.MaxCandidates + 1).ToListAsync(ct);
            if (ids.Count <= TextSearchTerms.MaxCandidates)
            {
                return ids;
            }
        }

        return null;
    }

    private static IQueryable<long> Matching(CrmDbContext db, StoreNames<ExceptionEntry> e, string column, string[] texts)
    {
        var sql = new StringBuilder();
        var parameters = new object[texts.Length];
        for (var i = 0; i < texts.Length; i++)
        {
            // Column names come from the model, never from input.
            sql.Append($$"""SELECT rowid AS "Value" FROM "ExceptionSearch" WHERE {{column}} GLOB {{{i}}} UNION ALL """);
            parameters[i] = GlobContaining(texts[i]);
        }

        sql.Append($"""SELECT {e.Column(x => x.Id)} AS "Value" FROM {e.Table} WHERE {e.Column(x => x.Id)} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState")""");
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
/// commits without paying for 3 million trigrams. It wakes every second and works a backlog off batch
/// after batch, but never ahead of a request: before each batch it lets every transaction that waits for
/// the writer lock go first (<see cref="SqliteWriterQueue"/>), and a batch is small enough (≈ 0.1 s) that
/// a request arriving during one waits little. The rows it has not reached are still found (the tail
/// scan above the mark), so deferring costs speed, never correctness.
/// </summary>
public sealed class ExceptionSearchIndexer(
    IDbContextFactory<CrmDbContext> dbFactory, SqliteWriterQueue writers, TimeProvider clock, ILogger<ExceptionSearchIndexer> logger)
    : TrailingSearchIndexer(clock, logger)
{
    /// <summary>Rows per indexing transaction: the longest a request waits behind the indexer is one batch.</summary>
    public const int BatchSize = 5_000;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Indexes every row above the mark, a batch at a time, each begun only when no other transaction of
    /// this process waits for the writer lock; returns how many rows it indexed.
    /// </summary>
    public override async Task<int> IndexBacklogAsync(CancellationToken ct = default)
    {
        var total = 0;
        int indexed;
        do
        {
            await writers.LetOthersFirstAsync(Poll, Clock, ct);
            total += indexed = await IndexNextBatchAsync(ct);
        }
        while (indexed > 0);
        return total;
    }

    /// <summary>Indexes the next rows above the mark (at most <see cref="BatchSize"/>); returns how many.</summary>
    public async Task<int> IndexNextBatchAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var (id, folded, value) = (e.Column(x => x.Id), e[ExceptionEntryConfiguration.CommentFolded], e.Column(x => x.Value));

        // A cheap read first: most wake-ups find nothing to do and must not take the writer lock.
        // Names from the model, values as parameters.
        var pendingSql = $"""
            SELECT count(*) AS "Value" FROM (SELECT 1 FROM {e.Table}
                WHERE {id} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") LIMIT 1)
            """;
        var pending = await db.Database.SqlQueryRaw<long>(pendingSql).SingleAsync(ct);
        if (pending == 0)
        {
            return 0;
        }

        // The writer lock is held from BEGIN (IMMEDIATE), so no row can commit between reading the
        // mark and moving it; ids only grow (AUTOINCREMENT), so nothing lands below the mark later.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var upToSql = $$"""
            SELECT max({{id}}) AS "Value" FROM (SELECT {{id}} FROM {{e.Table}}
                WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") ORDER BY {{id}} LIMIT {0})
            """;
        var upTo = await db.Database.SqlQueryRaw<long?>(upToSql, BatchSize).SingleAsync(ct);
        if (upTo is null)
        {
            return 0;
        }

        var indexSql = $$"""
            INSERT INTO "ExceptionSearch" (rowid, {{folded}}, {{value}})
            SELECT {{id}}, {{folded}}, {{value}} FROM {{e.Table}}
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0};
            """;
        var indexed = await db.Database.ExecuteSqlRawAsync(indexSql, upTo);
        await db.Database.ExecuteSqlRawAsync("""UPDATE "ExceptionSearchState" SET "IndexedUpTo" = {0};""", upTo);
        await transaction.CommitAsync(ct);
        return indexed;
    }
}
