using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// X5's substring filters on PostgreSQL. The pg_trgm GIN indexes live on their own table,
/// "ExceptionSearch" (entry id, folded comment, value; migration ExceptionSearchTrailsEntries), not on
/// the entries: GIN insertion was half of a 100k-line import's time. The table trails the entries the
/// way SQLite's FTS5 index does. A statement trigger writes each write's range of ids into
/// "ExceptionSearchBacklog" in the writer's own transaction (a row trigger does so for a changed value or
/// comment, another removes the search rows of removed entries), and <see cref="PostgresExceptionSearchIndexer"/>
/// works the backlog off behind the writes. Rows still in the backlog are read from the entries
/// themselves, so the candidates are exact at every moment, whichever instance wrote them.
/// </summary>
internal sealed class PostgresExceptionSearch : IExceptionTextSearch
{
    /// <summary>
    /// Past the newest this many search rows, <see cref="NewestCandidatesAsync"/> stops walking them in order
    /// and looks the text up generation by generation instead: the walk is quickest for a text common among
    /// new entries (a generation's lookup rechecks every match in it, up to 65,536), the lookup for one whose
    /// matches are rarer or old ("batch 1" among a million: 800,000 newer rows to walk past). Walking 50,000
    /// rows took 11 ms; the lookup of a generation without a match takes under 0.5 ms.
    /// </summary>
    public const int NewestWalk = 5_000;

    /// <summary>How many of the newest search rows <see cref="NewestCandidatesAsync"/> walks first (<see cref="NewestWalk"/>; a test sets 0 to reach the lookup).</summary>
    internal int WalkRows { get; init; } = NewestWalk;

    /// <inheritdoc />
    public IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids)
    {
        // OFFSET 0 keeps the planner from folding the list into the outer query: folded in, it walked the
        // sort index backwards and tested every row against the list (117 ms for 1,375 candidates), where
        // fetching them by key and sorting those few takes a few milliseconds.
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var sql = $"SELECT * FROM {e.Table} WHERE {e.Column(x => x.Id)} = ANY({{0}}) OFFSET 0";
        return db.ExceptionEntries.FromSqlRaw(sql, ids.ToArray());
    }

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.CandidatesAsync"/> Rows in the backlog are matched in the entries
    /// themselves. A GIN index has no order, so a text too common for the candidates gives none of its newest.
    /// The candidates are exact (LIKE rechecks each row) unless the backlog held a range: a changed entry's
    /// search row then still holds its old text until the range is indexed.
    /// </summary>
    public async Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        TextCandidates? tooMany = null;
        foreach (var (column, texts) in TextSearchTerms.Of(e, filter))
        {
            var found = await Matching(db, e, column, texts).ToListAsync(ct);
            var backlogHadRows = found.Remove(BacklogHadRows);
            var ids = found.Distinct().ToArray();
            if (ids.Length <= TextSearchTerms.MaxCandidates)
            {
                return new TextCandidates(ids, IsComplete: true, IsExact: !backlogHadRows);
            }

            tooMany = new TextCandidates([], IsComplete: false, IsExact: !backlogHadRows);
        }

        return tooMany;
    }

    /// <summary>What <see cref="Matching"/> adds when the backlog held a range (no entry has this id).</summary>
    private const long BacklogHadRows = -1;

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.NewestCandidatesAsync"/> A GIN index has no order, so this first
    /// walks the newest <see cref="NewestWalk"/> search rows by key, and only if those hold too few matches
    /// looks the text up by generation (<see cref="NewestByGenerationAsync"/>). Backlog rows are matched in
    /// the entries themselves.
    /// </summary>
    public async Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var (column, texts) = TextSearchTerms.Of(e, filter).First();
        var patterns = texts.Select(t => (object)LikePattern.Containing(t)).ToArray();
        var (any, backlogAny) = (AnyOf(column, texts.Length, ""), AnyOf(column, texts.Length, "e."));
        var id = e.Column(x => x.Id);
        // Names come from the model, the patterns are parameters.
        // Range by range (LATERAL): as a plain join the planner walked every entry newest first to test it
        // against the backlog, 240 ms when the backlog was empty.
        var backlogSql = $"""
            SELECT m."Value" FROM "ExceptionSearchBacklog" AS b CROSS JOIN LATERAL (
                SELECT e.{id} AS "Value" FROM {e.Table} AS e WHERE e.{id} BETWEEN b."FromId" AND b."ToId" AND ({backlogAny})
                ORDER BY e.{id} DESC LIMIT {count}) AS m
            ORDER BY m."Value" DESC LIMIT {count}
            """;
        var walkSql = $"""
            SELECT "EntryId" AS "Value" FROM (SELECT "EntryId", {column} FROM "ExceptionSearch" ORDER BY "EntryId" DESC LIMIT {WalkRows}) AS s
            WHERE {any} ORDER BY "EntryId" DESC LIMIT {count}
            """;
        var backlog = await db.Database.SqlQueryRaw<long>(backlogSql, patterns).ToListAsync(ct);
        var indexed = await db.Database.SqlQueryRaw<long>(walkSql, patterns).ToListAsync(ct);
        if (indexed.Count < count)
        {
            // Too few among the walked rows: the rest lie below them.
            indexed = await NewestByGenerationAsync(db, any, patterns, count, ct);
        }

        return TextSearchTerms.NewestOf(indexed.Concat(backlog), count);
    }

    /// <summary>
    /// The newest <paramref name="count"/> search rows matching <paramref name="any"/>, newest first. The rows
    /// fall into generations of 65,536 entry ids ("Generation", migration SearchByGeneration), and both trigram
    /// indexes lead with it, so one generation's matches are found and sorted alone: this asks the newest
    /// generation first and goes down until it has enough, in one statement (a recursive WITH, each step one
    /// generation, so the order is the query's own). A generation without a match costs about 0.4 ms (16 of
    /// them in a million entries); sorting every match of "batch 1" at once took 45–53 ms, this about 6 ms.
    /// </summary>
    private static async Task<List<long>> NewestByGenerationAsync(CrmDbContext db, string any, object[] patterns, int count, CancellationToken ct)
    {
        // "+ 0" keeps the planner off the key's order (it would walk past every newer row, testing each): the
        // GIN index finds the generation's matches and a top-N sort keeps the newest.
        var sql = $$"""
            WITH RECURSIVE probe(generation, ids) AS (
                SELECT (SELECT "Generation" FROM "ExceptionSearch" ORDER BY "EntryId" DESC LIMIT 1), ARRAY[]::bigint[]
                UNION ALL
                SELECT p.generation - 1, p.ids || ARRAY(
                    SELECT "EntryId" FROM "ExceptionSearch" WHERE "Generation" = p.generation AND ({{any}})
                    ORDER BY "EntryId" + 0 DESC LIMIT {{count}} - cardinality(p.ids))
                FROM probe AS p WHERE p.generation >= 0 AND cardinality(p.ids) < {{count}})
            SELECT unnest(ids) AS "Value" FROM (SELECT ids FROM probe ORDER BY generation LIMIT 1) AS last
            """;
        return await db.Database.SqlQueryRaw<long>(sql, patterns).ToListAsync(ct);
    }

    private static string AnyOf(string column, int texts, string alias) =>
        string.Join(" OR ", Enumerable.Range(0, texts).Select(i => $$"""{{alias}}{{column}} LIKE {{{i}}} ESCAPE '\'"""));

    private static IQueryable<long> Matching(CrmDbContext db, StoreNames<ExceptionEntry> e, string column, string[] texts)
    {
        // Column names come from the model (the search table's columns carry the entry columns' names),
        // the patterns are parameters. The indexed columns are folded already, so LIKE, not ILIKE.
        var (any, backlogAny) = (AnyOf(column, texts.Length, ""), AnyOf(column, texts.Length, "e."));

        // Each branch stops at the cap on its own (a UNION would read every match of a common text before
        // the cap applies); an entry both indexed and in the backlog comes twice, which the caller folds.
        // The last branch says, in the same snapshot, whether the backlog held anything (BacklogHadRows).
        var id = e.Column(x => x.Id);
        var cap = TextSearchTerms.MaxCandidates + 1;
        var sql = $"""
            (SELECT "EntryId" AS "Value" FROM "ExceptionSearch" WHERE {any} LIMIT {cap})
            UNION ALL
            (SELECT e.{id} FROM "ExceptionSearchBacklog" AS b JOIN {e.Table} AS e ON e.{id} BETWEEN b."FromId" AND b."ToId" WHERE {backlogAny} LIMIT {cap})
            UNION ALL
            SELECT {BacklogHadRows}::bigint WHERE EXISTS (SELECT 1 FROM "ExceptionSearchBacklog")
            """;
        return db.Database.SqlQueryRaw<long>(sql, texts.Select(t => (object)LikePattern.Containing(t)).ToArray());
    }
}

/// <summary>
/// Works "ExceptionSearchBacklog" off into "ExceptionSearch" behind the writes (see
/// <see cref="PostgresExceptionSearch"/>), <see cref="BatchSize"/> entries per short transaction. Every
/// instance runs one; a backlog range is taken <c>FOR UPDATE SKIP LOCKED</c>, so two instances share the
/// work and never index the same range at once. It wakes every second; a round that finds nothing to do
/// costs one indexed read.
/// </summary>
public sealed class PostgresExceptionSearchIndexer(
    IDbContextFactory<CrmDbContext> dbFactory, ImportsInProgress imports, TimeProvider clock, ILogger<PostgresExceptionSearchIndexer> logger)
    : TrailingSearchIndexer(imports, clock, logger)
{
    /// <summary>Entries per indexing transaction.</summary>
    public const int BatchSize = 5_000;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Works the whole backlog off, a batch at a time, each begun only while no import of this process
    /// runs (<see cref="ImportsInProgress"/>); returns how many entries it indexed.
    /// </summary>
    public override async Task<int> IndexBacklogAsync(CancellationToken ct = default)
    {
        var total = 0;
        while (true)
        {
            await Imports.WaitUntilNoneAsync(Poll, Clock, ct);
            if (await IndexNextBatchAsync(ct) is not { } indexed)
            {
                break;
            }

            total += indexed;
        }

        return total;
    }

    /// <summary>
    /// Indexes the next entries (at most <see cref="BatchSize"/>) of the oldest backlog range no other
    /// instance holds, and shrinks or removes that range, in one transaction. Returns how many entries it
    /// indexed, or null when there was no range to take.
    /// </summary>
    public async Task<int?> IndexNextBatchAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var (id, folded, value) = (e.Column(x => x.Id), e[Configurations.ExceptionEntryConfiguration.CommentFolded], e.Column(x => x.Value));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var ranges = await db.Database.SqlQueryRaw<BacklogRange>("""
            SELECT "Id", "FromId", "ToId" FROM "ExceptionSearchBacklog" ORDER BY "Id" LIMIT 1 FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        if (ranges is not [var range])
        {
            return null;
        }

        // The backlog row is visible only once its writer committed, so its entries are too. Its range may
        // also hold another writer's ids, uncommitted now: that writer's own backlog row covers them.
        var indexSql = $$"""
            WITH batch AS (
                SELECT {{id}} AS id, {{folded}} AS folded, {{value}} AS value FROM {{e.Table}}
                WHERE {{id}} BETWEEN {0} AND {1} ORDER BY {{id}} LIMIT {2}),
            indexed AS (
                INSERT INTO "ExceptionSearch" ("EntryId", {{folded}}, {{value}}) SELECT id, folded, value FROM batch
                ON CONFLICT ("EntryId") DO UPDATE SET {{folded}} = excluded.{{folded}}, {{value}} = excluded.{{value}})
            SELECT count(*)::int AS "Count", max(id) AS "UpTo" FROM batch
            """;
        // Read as a list: a data-modifying WITH must stay the top-level statement, so nothing may wrap it.
        var batch = (await db.Database.SqlQueryRaw<IndexedBatch>(indexSql, range.FromId, range.ToId, BatchSize).ToListAsync(ct)).Single();
        if (batch.Count < BatchSize || batch.UpTo >= range.ToId)
        {
            await db.Database.ExecuteSqlRawAsync("""DELETE FROM "ExceptionSearchBacklog" WHERE "Id" = {0}""", [range.Id], ct);
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("""UPDATE "ExceptionSearchBacklog" SET "FromId" = {0} WHERE "Id" = {1}""", [batch.UpTo!.Value + 1, range.Id], ct);
        }

        await transaction.CommitAsync(ct);
        return batch.Count;
    }

    private sealed record BacklogRange(long Id, long FromId, long ToId);

    private sealed record IndexedBatch(int Count, long? UpTo);
}
