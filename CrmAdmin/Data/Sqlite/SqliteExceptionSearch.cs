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
    public IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids) =>
        db.ExceptionEntries.Where(e => EF.Parameter(ids).Contains(e.Id));

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.CandidatesAsync"/> FTS5 walks a term's document list in either
    /// direction, so the candidates are read newest first, by the index's rowid (the entry's id): a text too
    /// common for the candidates then still gives its newest ones, for the newest page and a lower bound.
    /// </summary>
    public async Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        TextCandidates? newest = null;
        foreach (var (column, texts) in TextSearchTerms.Of(e, filter))
        {
            var ids = await NewestAsync(db, e, column, texts, TextSearchTerms.MaxCandidates + 1, ct);
            if (ids.Count <= TextSearchTerms.MaxCandidates)
            {
                return new TextCandidates(ids, IsComplete: true);
            }

            newest ??= new TextCandidates(ids, IsComplete: false);
        }

        return newest;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var (column, texts) = TextSearchTerms.Of(e, filter).First();
        return await NewestAsync(db, e, column, texts, count, ct);
    }

    /// <summary>
    /// The newest <paramref name="count"/> entries whose column may hold any of the texts: the rows above the
    /// index's mark (the newest of all) matched in the table itself, then each text's in the index, by rowid
    /// from the newest (FTS5 cannot walk an OR of two queries in order, so one branch per text). The index
    /// is asked for some of the text's trigrams in either column (<see cref="TrigramQuery"/>): a superset,
    /// which the caller's own conditions narrow.
    /// </summary>
    private static async Task<IReadOnlyList<long>> NewestAsync(
        CrmDbContext db, StoreNames<ExceptionEntry> e, string column, string[] texts, int count, CancellationToken ct)
    {
        // Column names come from the model, never from input; the patterns are parameters.
        var id = e.Column(x => x.Id);
        var any = string.Join(" OR ", texts.Select((_, i) => $"{column} GLOB {{{i}}}"));
        var sql = new StringBuilder($"""
            SELECT "Value" FROM (SELECT {id} AS "Value" FROM {e.Table}
                WHERE {id} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND ({any}) ORDER BY {id} DESC LIMIT {count})
            """);
        for (var i = 0; i < texts.Length; i++)
        {
            var query = texts.Length + i;
            sql.Append($$"""
                
                UNION ALL SELECT "Value" FROM (SELECT rowid AS "Value" FROM "ExceptionSearch" WHERE "ExceptionSearch" MATCH {{{query}}} ORDER BY rowid DESC LIMIT {{count}})
                """);
        }

        var parameters = texts.Select(GlobContaining).Concat(texts.Select(TrigramQuery)).Cast<object>().ToArray();
        var ids = await db.Database.SqlQueryRaw<long>(sql.ToString(), parameters).ToListAsync(ct);
        return TextSearchTerms.NewestOf(ids, count);
    }

    /// <summary>
    /// An FTS5 query for rows holding enough of the text's trigrams to be worth reading: those starting at
    /// every third character and the last one, so every character is covered, in double quotes (a quote
    /// doubled) so no character is query syntax. A GLOB asks for every trigram, and a text such as
    /// "list7.example" has eight that half the entries hold: FTS5 then merged eleven long lists (45 ms at a
    /// million entries) where five do (13 ms). Needs at least three characters (<see cref="TextSearchTerms.MinimumLength"/>).
    /// </summary>
    public static string TrigramQuery(string text)
    {
        // The trigram tokenizer counts characters (code points), not UTF-16 units.
        var characters = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        var starts = Enumerable.Range(0, characters.Length - 2).Where(i => i % 3 == 0).Append(characters.Length - 3).Distinct();
        return string.Join(" AND ", starts.Select(i => $"\"{string.Concat(characters[i..(i + 3)]).Replace("\"", "\"\"")}\""));
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
    IDbContextFactory<CrmDbContext> dbFactory, SqliteWriterQueue writers, ImportsInProgress imports, TimeProvider clock, ILogger<ExceptionSearchIndexer> logger)
    : TrailingSearchIndexer(imports, clock, logger)
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
