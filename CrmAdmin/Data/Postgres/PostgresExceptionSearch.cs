using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// X5's substring filters on PostgreSQL. The pg_trgm GIN indexes live on their own table,
/// "ExceptionSearch" (entry id, type, folded comment, value; migration ExceptionSearchTrailsEntries), not on
/// the entries: GIN insertion was half of a 100k-line import's time. The table trails the entries the
/// way SQLite's FTS5 index does. A statement trigger writes each write's range of ids into
/// "ExceptionSearchBacklog" in the writer's own transaction (a row trigger does so for a changed value,
/// comment or type, another removes the search rows of removed entries), and <see cref="PostgresExceptionSearchIndexer"/>
/// works the backlog off behind the writes. Rows still in the backlog are read from the entries
/// themselves, so the candidates are exact at every moment, whichever instance wrote them.
/// A comment text is first looked up among the distinct comments (<see cref="TextSearchTerms.DistinctCommentsLimit"/>); a
/// value text in the trigram index of its class of types (phones and number prefixes on the query's digits, the rest on
/// its text; migration SearchValuesByType), or, for a value text of one or two characters, in a GIN index of each class's
/// values' characters and pairs of characters (migration ShortValueTexts), and the digits of a phone arm of four or more in a GIN
/// index of the phones' runs of 4 and 6 digits (migration PhoneDigitWindows). Every candidate is of the filter's type
/// when it names one, so the candidates are the filter's texts and type exactly (<see cref="TextCandidates.IsExact"/>)
/// unless the backlog held a range.
/// </summary>
internal sealed class PostgresExceptionSearch : IExceptionTextSearch
{
    /// <summary>
    /// Past the newest this many search rows, <see cref="NewestCandidatesAsync"/> stops walking them in order
    /// and looks the text up by comment or generation by generation instead: the walk is quickest for a text
    /// common among new entries, the lookups for one whose matches are rarer or old ("batch 1" among a million:
    /// 800,000 newer rows to walk past). Walking 50,000 rows took 11 ms.
    /// </summary>
    public const int NewestWalk = 5_000;

    /// <summary>How many of the newest search rows <see cref="NewestCandidatesAsync"/> walks first (<see cref="NewestWalk"/>; a test sets 0 to reach the lookups).</summary>
    internal int WalkRows { get; init; } = NewestWalk;

    /// <summary>
    /// Up to this many pairs of comment and type, <see cref="NewestCandidatesAsync"/> reads each pair's newest
    /// entries by key, at about 15 µs a pair wherever their entries lie; past it, the lookup by generation, whose
    /// cost grows with the generations newer than the text's newest match. At a million entries: 111 pairs ("former
    /// employee batch 1") 5 ms by pair against 11–16 ms by generation; 888 ("batch 2", whose newest match is eleven
    /// generations down) 10–14 ms against 16–26; 888 ("batch 1", in most generations) 3–5 ms slower by pair.
    /// </summary>
    public const int NewestByCommentLimit = 1_000;

    /// <summary>
    /// The function that gives a text's one- and two-character texts (its characters and each pair of neighbours): a GIN
    /// index of the search rows' values of each class of types holds them (migration ShortValueTexts), and one of the
    /// distinct comments' (migration ShortCommentTexts).
    /// </summary>
    internal const string ShortTextsFunction = "crm_short_texts";

    /// <summary>
    /// The function that gives a phone's or number prefix's digit windows (<see cref="PhoneDigitWindows.Of"/>): a GIN index of the
    /// search rows of those types holds them (migration PhoneDigitWindows).
    /// </summary>
    internal const string DigitWindowsFunction = "crm_digit_windows";

    /// <summary>Whether <see cref="NewestCandidatesAsync"/> may use the distinct comments (a test turns them off to reach the lookup by generation).</summary>
    internal bool UseDistinctComments { get; init; } = true;

    /// <summary>How many of a comment's rows <see cref="CommentRowsWithValueAsync"/> reads at most, twice as many for a lower bound (<see cref="CommentRowsLimit"/>; a test lowers it).</summary>
    internal int CommentRows { get; init; } = CommentRowsLimit;

    /// <summary>Whether the comment's rows are counted before <see cref="CommentRowsWithValueAsync"/> reads them to the end (a test turns it off to reach the rows past the limit).</summary>
    internal bool SamplesCommentRows { get; init; } = true;

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
    /// <inheritdoc cref="IExceptionTextSearch.WithTypeOfCommentAsync"/> Only while the backlog is empty: its entries
    /// (new or changed) may hold the comment with another type.
    /// </summary>
    public async Task<ExceptionFilter> WithTypeOfCommentAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        if (!TextSearchTerms.MayTakeTypeOfComment(filter) || TextQuery.Of(db, filter).First() is not { IsComment: true } query)
        {
            return filter;
        }

        var sql = $"""
            SELECT DISTINCT c."Type" AS "Value" FROM ({query.PairsSql}) AS c
            WHERE NOT EXISTS (SELECT 1 FROM "ExceptionSearchBacklog") LIMIT 2
            """;
        var types = await db.Database.SqlQueryRaw<string>(sql, query.Parameters()).ToListAsync(ct);
        return TextSearchTerms.OneType(new StoreNames<ExceptionEntry>(db.Model), types) is { } type ? filter with { Type = type } : filter;
    }

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.CandidatesAsync"/> Rows in the backlog are matched in the entries
    /// themselves. Neither a GIN index nor the comments have an order, so a text too common for the candidates
    /// gives none of its newest. A comment text few distinct comments hold is looked up among them first (with a short value text,
    /// its rows may be read with the value's test on each, <see cref="CommentRowsWithValueAsync"/>); a filter with
    /// both a comment and a value text then has both looked up together through the trigram indexes (their matches
    /// intersected), as two common texts are often rarely together ("sender9" with "batch 1", in no entry together: 47 ms
    /// as three lookups, 33–38 ms as one). The candidates are exact (LIKE rechecks each row, and the types are conditions) when they hold
    /// every text of the filter, unless the backlog held a range: a changed entry's search row then still holds
    /// its old text until the range is indexed.
    /// </summary>
    public async Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        TrigramCountsOfCall.Value = await TrigramCountsAsync(db, ct);
        return await WithAnswerSamplesAsync(db, TextQuery.CommentAndValue(db, filter), () => CandidatesOfSamplesAsync(db, filter, ct), RecentSamples);
    }

    /// <summary><see cref="TextQuery.WildcardTrigrams"/>, for tests.</summary>
    internal static HashSet<string> WildcardTrigramsOf(string text) => TextQuery.WildcardTrigrams(text);

    /// <summary><see cref="TextQuery.RarePart"/>, for tests.</summary>
    internal static string? RarePartOf(string text, int rows, IReadOnlyDictionary<string, int> counts) => TextQuery.RarePart(text, rows, counts);

    /// <summary>Whether a text's index lookup asks for a part of it whose trigrams are rare (<see cref="TextQuery.RarePart"/>; a test turns this off to compare).</summary>
    internal bool LooksUpRareParts { get; init; } = true;

    /// <summary>
    /// The pages each query's sample found (<see cref="SampledPagesAsync"/>) in the answers of the last <see cref="RecentSamples.Age"/>:
    /// an answer that follows one of the same filter (the next page, another order, the list shown again) takes them instead of
    /// reading the sample again (4 ms of 33 for "telemarketing" with "99" of type Email at a million entries). Null while
    /// <see cref="KeepsRecentSamples"/> is off.
    /// </summary>
    private RecentSamples? RecentSamples => KeepsRecentSamples ? recentSamples : null;

    private readonly RecentSamples recentSamples = new();

    /// <summary>Whether answers take the samples of recent ones (<see cref="RecentSamples"/>; a test turns it off to read each).</summary>
    internal bool KeepsRecentSamples { get; init; } = true;

    /// <summary>The trigram counts of this app's database (<see cref="TrigramCountsAsync"/>), read again every ten minutes: the list's make-up changes slowly.</summary>
    private readonly ReadAgainAfter<TrigramCounts> trigramCounts = new(TimeSpan.FromMinutes(10));

    /// <summary>
    /// The trigram counts the queries built in the current call of <see cref="CandidatesAsync"/> or <see cref="NewestCandidatesAsync"/>
    /// choose rare parts by (<see cref="TextQuery.RarePart"/>): each sets it for the calls it makes (an async method's change stays with
    /// its own flow), so the many places that build a query need not pass it along. Null elsewhere: whole texts are looked up.
    /// </summary>
    private static readonly AsyncLocal<TrigramCounts?> TrigramCountsOfCall = new();

    /// <summary>
    /// In how many of a sample's search rows each trigram of the comments' index and of the other values' index occurs (the trigrams
    /// pg_trgm keeps for a row, <c>show_trgm</c>), and how many rows it sampled.
    /// </summary>
    internal sealed record TrigramCounts(int Rows, IReadOnlyDictionary<string, int> Comment, IReadOnlyDictionary<string, int> Value)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<(bool Comment, string Text), string?> parts = new();

        /// <summary>
        /// <see cref="TextQuery.RarePart"/> of a comment's or a value's text by these counts, worked out once while they serve: a page
        /// builds its query a dozen times (each way of reading it), and a text of 64 characters has some 2,000 runs to weigh. Kept for
        /// at most <see cref="KeptParts"/> texts, so a stream of distinct texts does not grow it without end.
        /// </summary>
        public string? PartOf(string text, bool comment)
        {
            if (parts.TryGetValue((comment, text), out var known))
            {
                return known;
            }

            var part = TextQuery.RarePart(text, Rows, comment ? Comment : Value);
            if (parts.Count < KeptParts)
            {
                parts.TryAdd((comment, text), part);
            }

            return part;
        }

        private const int KeptParts = 10_000;
    }

    /// <summary>One trigram's count in <see cref="TrigramCountsAsync"/>'s sample: of the comments' index (0), the values' (1), or the rows (2).</summary>
    private sealed record SampledTrigram(int Index, string Trigram, int Rows);

    /// <summary>
    /// The trigram counts of the sample <see cref="ShareAsync"/> reads (about <see cref="SampledRows"/> search rows), read again every ten
    /// minutes; null when off. About 20 ms each time. Only speed depends on them: a text is tested whole on every row either way.
    /// </summary>
    private async Task<TrigramCounts?> TrigramCountsAsync(CrmDbContext db, CancellationToken ct) =>
        LooksUpRareParts ? await trigramCounts.GetAsync(() => ReadTrigramCountsAsync(db, ct)) : null;

    /// <summary>Reads <see cref="TrigramCountsAsync"/>'s counts.</summary>
    private static async Task<TrigramCounts> ReadTrigramCountsAsync(CrmDbContext db, CancellationToken ct)
    {
        var sql = $"""
            WITH s AS MATERIALIZED (SELECT "CommentFolded", "Value", "Type" FROM "ExceptionSearch" {Sample})
            SELECT 0 AS "Index", t AS "Trigram", count(*)::int AS "Rows" FROM s, unnest(show_trgm(s."CommentFolded")) AS t GROUP BY t
            UNION ALL
            SELECT 1, t, count(*)::int FROM s, unnest(show_trgm(s."Value")) AS t WHERE s."Type" NOT IN ('Phone', 'PhonePrefix') GROUP BY t
            UNION ALL
            SELECT 2, '', count(*)::int FROM s
            """;
        var sampled = await db.Database.SqlQueryRaw<SampledTrigram>(sql).ToListAsync(ct);
        return new TrigramCounts(
            sampled.Where(x => x.Index == 2).Sum(x => x.Rows),
            sampled.Where(x => x.Index == 0).ToDictionary(x => x.Trigram, x => x.Rows, StringComparer.Ordinal),
            sampled.Where(x => x.Index == 1).ToDictionary(x => x.Trigram, x => x.Rows, StringComparer.Ordinal));
    }

    /// <inheritdoc />
    /// <remarks>Keeps the samples (<see cref="AnswerSamples"/>), the filter's comment and value read together, unless an answer is begun already.</remarks>
    public IDisposable BeginAnswer(CrmDbContext db, ExceptionFilter filter) =>
        SamplesOfContext.TryAdd(db, new AnswerSamples(TextQuery.CommentAndValue(db, filter), RecentSamples)) ? new SamplesKept(db) : NoAnswer.Instance;

    /// <summary>Forgets a context's samples when disposed (<see cref="BeginAnswer"/>).</summary>
    private sealed class SamplesKept(CrmDbContext db) : IDisposable
    {
        public void Dispose() => SamplesOfContext.Remove(db);
    }

    /// <summary>
    /// Runs <paramref name="answer"/> with the context's samples kept (<see cref="AnswerSamples"/>), the parts of
    /// <paramref name="commentAndValue"/> read together, unless the caller keeps them for a longer answer already
    /// (<see cref="BeginAnswer"/>). Kept for this answer only: the contexts are pooled, and the next answer's data may differ;
    /// the pages sampled are taken from and given to <paramref name="recent"/> when there is one.
    /// </summary>
    private static async Task<T> WithAnswerSamplesAsync<T>(CrmDbContext db, TextQuery? commentAndValue, Func<Task<T>> answer, RecentSamples? recent = null)
    {
        using var kept = SamplesOfContext.TryAdd(db, new AnswerSamples(commentAndValue, recent)) ? new SamplesKept(db) : (IDisposable)NoAnswer.Instance;
        return await answer();
    }

    /// <summary><see cref="CandidatesAsync"/>, each query sampled once (<see cref="SampledPagesAsync"/>).</summary>
    private async Task<TextCandidates?> CandidatesOfSamplesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        if (TextQuery.Whole(db, filter) is { } whole && !(whole.HasShortValue && whole.Terms.Count > 1)
            && await DenseStretchHoldsMoreThanLimitAsync(db, whole, ct))
        {
            // More than the limit match every text and the type, shown by one stretch of the table before any lookup: "batch 1"
            // with "sender1" at 2.4 million entries read its pairs' rows and the comment's rows for the value first (30 ms).
            // Not for a short value text with a comment: its own sample decides how the comment's rows are read (below), and a
            // sample of both would only add to it.
            return new TextCandidates([], IsComplete: false, IsExact: true);
        }

        TextCandidates? tooMany = null;
        var together = TextQuery.Together(db, filter);
        // With a short value text, the comment's rows are counted further than the candidates' limit (never less: fewer found
        // than it means all were): up to CommentRows, they may be read for the value below (CommentRowsWithValueAsync).
        var commentAndValue = TextQuery.CommentAndValue(db, filter);
        var commentRowsCap = Math.Max(commentAndValue is { HasShortValue: true } ? CommentRows : 0, TextSearchTerms.MaxCandidates) + 1;
        int? commentRows = null;
        TextQuery? commentByPairs = null;
        // A short value text's index has no statistics, so the planner cannot tell a rare short text from a common one: a sample
        // does, asked first when there is a comment too, which it decides how to read.
        var valueShare = commentAndValue is { HasShortValue: true } ? await ShareAsync(db, TextQuery.Of(db, filter).Last(), ct) : (double?)null;
        foreach (var query in TextQuery.Of(db, filter))
        {
            if (query.MatchesNothing)
            {
                return new TextCandidates([], IsComplete: true, IsExact: true);
            }

            var byComment = await CommentPairsAsync(db, query, ct) <= TextSearchTerms.DistinctCommentsLimit;
            if (query.IsComment && byComment && valueShare >= ShortCommonShare)
            {
                // A value text too common for its index: the comment's rows, each tested for it, are the matches, or hold more
                // than the candidates' limit among their first, which tells the lower bound ("1" with "batch 2": a scan for 10,001
                // matches took 45 ms, 12,500 of these rows 4). Otherwise the value is left to the scan, below.
                if (await CommentRowsWithValueAsync(db, commentAndValue!, 2 * CommentRows, ct) is { } inCommentRows)
                {
                    return inCommentRows;
                }

                tooMany = new TextCandidates([], IsComplete: false, IsExact: false);
                continue;
            }

            if (query.IsComment && byComment && commentAndValue is { HasShortValue: true } && SamplesCommentRows
                && await ShareAsync(db, query, ct) * await SearchRowsAsync(db, ct) > 2 * CommentRows)
            {
                // A sample says the comment has far more rows than are ever read for the value ("telemarketing": 125,000, with
                // "99" of type Email): reading 25,001 of its ids (7–33 ms) would only have told that. The value answers below,
                // alone or with the comment, without them: rarer than ShortCommonShare here, its own index finds it sooner than
                // every row of the comment tested for it ("00" of type Email: 36 ms p50 against 63).
                continue;
            }

            bool? isCommon = null;
            if (query.HasShortValue)
            {
                var share = valueShare ?? await ShareAsync(db, query, ct);
                if (commentRows is { } rows && share >= CommonShare
                    && (!SamplesCommentRows || (rows <= CommentRows && rows < share * await SearchRowsAsync(db, ct)))
                    && await CommentRowsWithValueAsync(db, commentAndValue!, CommentRows, ct) is { } inCommentRows)
                {
                    // The comment's few rows, each tested for the value, are fewer to read than the value's many.
                    return inCommentRows;
                }

                if (share >= ShortCommonShare)
                {
                    // Many entries hold it ("e", ".c"): a scan finds the candidates' limit at once, where its index lists every
                    // one of them (80 ms for ".c"). Not with the comment either, for the same reason.
                    together = null;
                    continue;
                }

                if (together is not null && share >= CommonShare)
                {
                    // Alone it would give more than the candidates' limit: with the comment, below ("00" of type Email with
                    // "telemarketing": 5,186 of 18,000, 131–161 ms as a scan).
                    continue;
                }

                isCommon = false;
            }
            else
            {
                // Asked once here, for a typed value with a comment; the lookup below needs the same answer.
                isCommon = !byComment && together is not null && !query.IsComment && filter.Type is not null
                    ? await ShareAsync(db, query, ct) >= CommonShare
                    : null;
                if (!byComment && (query.IsShortComment || (together is not null && (query.IsComment || filter.Type is null || isCommon == true))))
                {
                    // Too short for the trigram index: only the pairs could have narrowed it. Or both texts go to the
                    // trigram indexes together, below, unless the filter names a type and its value is rare: then the
                    // value's own few candidates are quicker, as the planner, which cannot tell how many of one type's
                    // entries hold a text, read every entry holding the comment instead ("12000" of type Email with
                    // "telemarketing": 125,000 entries for 2, 50–72 ms). Without a type its estimates hold.
                    continue;
                }
            }

            if (query.IsComment && byComment && together is not null && commentAndValue is { HasShortValue: false } && SamplesCommentRows
                && await ShareAsync(db, query, ct) * await SearchRowsAsync(db, ct) > 2 * TextSearchTerms.MaxCandidates)
            {
                // The sample shows the comment far past the candidates' limit, so reading 10,001 of its ids (4–5 ms) would only tell
                // that: the value answers with it below, from its rows or both texts' lookups.
                (commentByPairs, tooMany) = (query, new TextCandidates([], IsComplete: false, IsExact: false));
                continue;
            }

            var (candidates, found) = await CandidatesAsync(db, filter, query, byComment, ct, isCommon, query.IsComment && byComment ? commentRowsCap : null);
            if (candidates.IsComplete)
            {
                return candidates;
            }

            commentRows = query.IsComment && byComment ? found : null;
            commentByPairs = query.IsComment && byComment ? query : null;
            tooMany = candidates;
        }

        if (together is null && commentAndValue is { HasShortValue: true, IsShortComment: true } && tooMany is { IsExact: false } && valueShare < ShortCommonShare)
        {
            // A comment too short for trigrams, in too many distinct comments for its pairs ("e", in every one), and a short value its
            // index found more than the limit of: the value's rows, each tested for the comment, tell the matches or the lower bound
            // exactly, where the count scanned the entries ("99" of type Phone with "e": 184–197 ms at a million entries).
            return (await CandidatesAsync(db, filter, commentAndValue, byComment: false, ct)).Candidates;
        }

        if (together is not null && commentByPairs is not null && commentAndValue is { HasShortValue: false }
            && await CommentRowsAnswerAsync(db, commentByPairs, commentAndValue, ct)
            && await CommentRowsWithValueAsync(db, commentAndValue, 2 * CommentRows, ct) is { } answeredByCommentRows)
        {
            // A comment its pairs find, with more rows than the candidates' limit, and a value of trigrams: its rows, each tested
            // for the value, when a sample says they answer (CommentRowsAnswerAsync); otherwise, or if they do not within twice
            // CommentRows rows, the two texts' trigram lists, intersected.
            return answeredByCommentRows;
        }

        return together is not null ? (await CandidatesAsync(db, filter, await RarerLookedUpAsync(db, filter, together, ct), byComment: false, ct)).Candidates : tooMany;
    }

    /// <summary>
    /// The value is tested on the comment's rows (<see cref="TextQuery.WithOnRows"/>) when the sample finds it in at least this many times
    /// as many search rows as the comment: more than the comment needs (as common as the value), as a value's lists of digit windows,
    /// when they are the ones read, need no row tested again, and between the two ratios both texts are looked up and intersected.
    /// </summary>
    private const double ValueOnRowsRatio = 2.0;

    /// <summary>
    /// <paramref name="together"/> (the filter's comment and value, <see cref="TextQuery.Together"/>) with only the rarer text looked up
    /// and the commoner tested on its rows (<see cref="TextQuery.WithOnRows"/>), as the sample tells (<see cref="ShareAsync"/>: read once
    /// per answer with the parts of both, <see cref="SamplePartsAsync"/>): the comment when it is at least as common as the value, the value
    /// when it is at least <see cref="ValueOnRowsRatio"/> times as common as the comment; otherwise both looked up and intersected, as
    /// two texts of similar shares are often rarely together. Reading a posting list costs about 0.2 µs a row and a row read from the
    /// table and tested about 0.4, so the rarer text's rows alone cost no more than both lists once the other's list is the longer;
    /// and intersected, the lossy trigram index has every row of the intersection tested again for every condition, a value's digit
    /// windows computed on each (about 4 µs). A short value text is left as it is: its own sample decides how it is read.
    /// </summary>
    private static async Task<TextQuery> RarerLookedUpAsync(CrmDbContext db, ExceptionFilter filter, TextQuery together, CancellationToken ct)
    {
        if (together.HasShortValue || TextQuery.Of(db, filter).ToList() is not [{ IsComment: true } comment, var value])
        {
            return together;
        }

        var (commentShare, valueShare) = (await ShareAsync(db, comment, ct), await ShareAsync(db, value, ct));
        return commentShare > 0 && commentShare >= valueShare ? together.WithOnRows(comment: true)
            : valueShare > 0 && valueShare >= ValueOnRowsRatio * commentShare ? together.WithOnRows(comment: false)
            : together;
    }

    /// <summary>
    /// The query's candidates (<see cref="TextQuery.CandidatesSql"/>), complete when at most <see cref="TextSearchTerms.MaxCandidates"/>.
    /// Of a filter that names a type, through the trigram indexes (<see cref="IndexScansAsync"/>) unless the text is
    /// common (<see cref="IsCommonAsync"/>, unless <paramref name="isCommon"/> already tells), where a scan finds the first
    /// few thousand sooner than an index finds them all. Not through the trigram indexes at all when a dense stretch of the table
    /// shows more than the limit (<see cref="DenseStretchHoldsMoreThanLimitAsync(CrmDbContext, TextQuery, CancellationToken)"/>).
    /// </summary>
    private static async Task<(TextCandidates Candidates, int Found)> CandidatesAsync(
        CrmDbContext db, ExceptionFilter filter, TextQuery query, bool byComment, CancellationToken ct, bool? isCommon = null, int? cap = null)
    {
        if (!byComment && await DenseStretchHoldsMoreThanLimitAsync(db, query, ct))
        {
            // More than the limit, shown by the stretch where the sample finds the query densest: exact when the query holds every
            // text of the filter (its type is in each term, and the stretch is read only with no backlog). The page then comes
            // from the newest candidates.
            return (new TextCandidates([], IsComplete: false, IsExact: TextSearchTerms.Covers(filter, query.Terms)), TextQuery.Cap);
        }

        await using var indexScans = !byComment && filter.Type is not null && !(isCommon ?? await IsCommonAsync(db, query, ct))
            ? await IndexScansAsync(db, ct)
            : null;
        var found = await db.Database.IdsAsync(query.CandidatesSql(byComment, cap), query.Parameters(), ct);
        var exact = !found.Remove(TextQuery.BacklogHadRows) && TextSearchTerms.Covers(filter, query.Terms);
        var ids = found.Distinct().ToArray();
        return ids.Length <= TextSearchTerms.MaxCandidates
            ? (new TextCandidates(ids, IsComplete: true, IsExact: exact), ids.Length)
            : (new TextCandidates([], IsComplete: false, IsExact: exact), ids.Length);
    }

    /// <summary>The planner's count of the search rows, or <see cref="double.PositiveInfinity"/> for a table never analyzed (-1).</summary>
    private static async Task<double> SearchRowsAsync(CrmDbContext db, CancellationToken ct)
    {
        var rows = await db.Database.SqlQueryRaw<double>("""
            SELECT reltuples::float8 AS "Value" FROM pg_class WHERE oid = '"ExceptionSearch"'::regclass
            """).SingleAsync(ct);
        return rows > 0 ? rows : double.PositiveInfinity;
    }

    /// <summary>
    /// At most this many rows of a comment are read to test each for a short value text (<see cref="CommentRowsWithValueAsync"/>), or
    /// twice as many for a lower bound: about 0.4 µs each at a million entries, read from the comment's index alone, which holds
    /// each row's value (migration SearchCommentRowsHoldValues; from the table as well, 1.3 µs).
    /// </summary>
    public const int CommentRowsLimit = 25_000;

    /// <summary>
    /// The filter's comment and short value text together, from the comment's rows (found exactly by its pairs of comment and type,
    /// on their index, which holds the value too), each tested for the value, read until more than the candidates' limit match or
    /// <paramref name="rowLimit"/> rows are read, whichever comes first; null when the rows ran out first and the comment has more.
    /// Read to the end, they give every match, complete and exact ("7" with "partner batch 3", 4,502 of 13,875: a scan of a million
    /// rows took 190 ms, these 6); past the candidates' limit, exact too, they tell the total is more than that ("9" of type Phone
    /// with "batch 1", in a third of its 55,500 phones: a scan for 10,001 of them read half a million entries, 90–100 ms, these
    /// rows 8–14). The caller asks when the value text is too common for its index to narrow the filter, or, for rows read to the
    /// end, held by more rows than the comment (counted by its own lookup). A comment the sample finds with few enough rows is read
    /// to the end without numbering them (<see cref="CommentRowsToTheEndAsync"/>), which always answers.
    /// </summary>
    private async Task<TextCandidates?> CommentRowsWithValueAsync(CrmDbContext db, TextQuery both, int rowLimit, CancellationToken ct)
    {
        if (await CommentRowsToTheEndAsync(db, both, ct) is { } toTheEnd)
        {
            return toTheEnd;
        }

        var found = await db.Database.IdsAsync(both.CommentRowsSql(rowLimit), both.Parameters(), ct);
        var readToTheEnd = !found.Remove(TextQuery.RowsPastLimit);
        var exact = !found.Remove(TextQuery.BacklogHadRows);
        var ids = found.Distinct().ToArray();
        return ids.Length > TextSearchTerms.MaxCandidates ? new TextCandidates([], IsComplete: false, IsExact: exact)
            : readToTheEnd ? new TextCandidates(ids, IsComplete: true, IsExact: exact)
            : null;
    }

    /// <summary>
    /// Up to about this many times <see cref="CommentRows"/> rows of a comment (200,000), as the sample estimates them, are read to the end
    /// for a value (<see cref="CommentRowsToTheEndAsync"/>): with the value tested in the index scan itself, about 0.2 µs a row.
    /// </summary>
    private const int CommentRowsToTheEndFactor = 8;

    /// <summary>
    /// The filter's comment and value together from every row of the comment (found exactly by its pairs of comment and type, on their index,
    /// which holds the value), the value tested on each as the index is read, until more than the candidates' limit match: every match,
    /// complete and exact, or the lower bound, exact. Null, with nothing read, when the sample (<see cref="ShareAsync"/>) estimates more than
    /// <see cref="CommentRowsToTheEndFactor"/> times <see cref="CommentRows"/> rows, or while samples are off (<see cref="SamplesCommentRows"/>).
    /// Reading the rows by number (<see cref="TextQuery.CommentRowsSql"/>, to stop at a limit) streamed each through a window function: 78–91 ms
    /// for the 111,000 rows of "batch 1" with "99" (4,836 matches, so the filter then scanned the entries, 140–175 ms), where this takes 22–25.
    /// </summary>
    private async Task<TextCandidates?> CommentRowsToTheEndAsync(CrmDbContext db, TextQuery both, CancellationToken ct)
    {
        if (!SamplesCommentRows
            || await ShareAsync(db, both.Parts()[0].Query, ct) * await SearchRowsAsync(db, ct) > CommentRowsToTheEndFactor * CommentRows)
        {
            return null;
        }

        var found = await db.Database.IdsAsync(both.CommentRowsToTheEndSql(), both.Parameters(), ct);
        var exact = !found.Remove(TextQuery.BacklogHadRows);
        var ids = found.Distinct().ToArray();
        return ids.Length > TextSearchTerms.MaxCandidates ? new TextCandidates([], IsComplete: false, IsExact: exact) : new TextCandidates(ids, IsComplete: true, IsExact: exact);
    }

    /// <summary>
    /// Whether the rows of a comment its pairs find (<paramref name="comment"/>, more than the candidates' limit of them), each tested for
    /// a value of trigrams (<paramref name="both"/>), answer within twice <see cref="CommentRows"/> rows, as the samples of the comment and
    /// of both together tell (<see cref="ShareAsync"/>, about 1 ms each): the comment has at most about that many rows, so they are read to
    /// the end for every match ("partner batch 3", 13,875 rows, with "12000" of type Phone: 3–5 ms, where the two texts' trigram lists,
    /// intersected, took 130–160 ms), or the value is in a fifth of them or more, so more than the limit match among their first, for the
    /// lower bound ("batch 1" with "sender1", half its 111,000 rows: 7–15 ms, against 23–35). "telemarketing" with "sender1", in 11% of
    /// its 125,000 rows, is left to the lists: its rows would reach neither.
    /// </summary>
    private async Task<bool> CommentRowsAnswerAsync(CrmDbContext db, TextQuery comment, TextQuery both, CancellationToken ct)
    {
        var (rows, commentShare) = (await SearchRowsAsync(db, ct), await ShareAsync(db, comment, ct));
        if (commentShare * rows <= 1.5 * CommentRows)
        {
            return true;
        }

        var bothShare = await ShareAsync(db, both, ct);
        return bothShare >= 0.2 * commentShare && bothShare * rows >= 1.5 * (TextSearchTerms.MaxCandidates + 1);
    }

    /// <summary>The sample of <see cref="ShareAsync"/>: about <see cref="SampledRows"/> search rows, by page across the table, the same pages each time.</summary>
    private static readonly string Sample = $"""
        TABLESAMPLE SYSTEM (LEAST(100, {SampledRows * 100} / GREATEST(
            (SELECT reltuples FROM pg_class WHERE oid = '"ExceptionSearch"'::regclass), 1))) REPEATABLE (0)
        """;

    /// <summary>About how many search rows <see cref="IsCommonAsync"/> samples.</summary>
    private const int SampledRows = 5_000;

    /// <summary>
    /// A text is common (a scan stops at the candidates' limit soon) in at least this share of the search rows: at a
    /// million entries one in a hundred hold more than the limit.
    /// </summary>
    private const double CommonShare = 0.01;

    /// <summary>
    /// A short value text (<see cref="TextQuery.HasShortValue"/>) is left to the scan from this share of the search rows,
    /// where the scan finds the candidates' limit within 100,000 rows: its index lists a text's every entry quickly
    /// (18,000 for "00" of type Email: 25 ms), and a scan for 10,001 of them read 560,000 rows (88 ms).
    /// </summary>
    private const double ShortCommonShare = 0.10;

    /// <summary>
    /// The share of about <see cref="SampledRows"/> search rows, sampled by page across the table (the same pages each
    /// time), that match the query, from 0 to 1 (0 for an empty table). The newest rows alone misjudged a text common
    /// among old entries ("sender1" among the benchmark's newest 5,000: none). About 1–3 ms.
    /// </summary>
    private static async Task<double> ShareAsync(CrmDbContext db, TextQuery query, CancellationToken ct)
    {
        var pages = await SampledPagesAsync(db, query, ct);
        var rows = pages.Sum(p => (long)p.Rows);
        return rows == 0 ? 0 : (double)pages.Sum(p => (long)p.Matches) / rows;
    }

    /// <summary>
    /// The pages of the sample (<see cref="Sample"/>), in the table's order, each with its rows and how many of them match
    /// the query: where in the table a text's matches lie, as well as how many (<see cref="ShareAsync"/>).
    /// </summary>
    /// <remarks>
    /// Kept while <see cref="CandidatesAsync"/> answers, as the stretch and the choices after it ask of the same query.
    /// </remarks>
    private static async Task<List<SampledPage>> SampledPagesAsync(CrmDbContext db, TextQuery query, CancellationToken ct)
    {
        var samples = SamplesOfContext.TryGetValue(db, out var kept) ? kept : null;
        if (samples?.Pages.GetValueOrDefault(query.Key) is { } known)
        {
            return known;
        }

        if (samples?.Recent is { } recentSamples && recentSamples.Get(db, query.Key, await samples.SearchStateAsync(db, ct)) is { } recent)
        {
            samples.Pages.Add(query.Key, recent);
            return recent;
        }

        if (samples?.CommentAndValue is { } both && samples.Parts.Any(p => p.Query.Key == query.Key))
        {
            await SamplePartsAsync(db, both, samples, ct);
            return samples.Pages[query.Key];
        }

        var sql = $"""
            SELECT (ctid::text::point)[0]::int AS "Page", count(*)::int AS "Rows", count(*) FILTER (WHERE {query.Condition("")})::int AS "Matches"
            FROM "ExceptionSearch" {Sample} GROUP BY 1
            """;
        // Put in the table's order here: the planner groups the sampled rows by hashing them, where ORDER BY had it sort every row
        // first (1.5 ms of 8 for "batch 1" with "sender9" at a million entries).
        var pages = (await db.Database.SqlQueryRaw<SampledPage>(sql, query.Parameters()).ToListAsync(ct)).OrderBy(p => p.Page).ToList();
        samples?.Pages.Add(query.Key, pages);
        if (samples?.Recent is { } keeping)
        {
            keeping.Keep(db, query.Key, await samples.SearchStateAsync(db, ct), pages);
        }

        return pages;
    }

    /// <summary>
    /// Samples the comment alone, the value alone and both together (<see cref="TextQuery.Parts"/>) in one reading of the sample's
    /// pages, and keeps each as the answer's sample of its query: a filter of both asks two or three of them (the value's share,
    /// the comment's, the stretch of both), and each statement cost about 4.5 ms at a million entries, against 6 for all three
    /// at once ("telemarketing" with "99" of type Email asked all three).
    /// </summary>
    private static async Task SamplePartsAsync(CrmDbContext db, TextQuery both, AnswerSamples samples, CancellationToken ct)
    {
        var parts = samples.Parts;
        var sql = $"""
            SELECT (ctid::text::point)[0]::int AS "Page", count(*)::int AS "Rows",
                count(*) FILTER (WHERE {parts[0].Condition})::int AS "Comment", count(*) FILTER (WHERE {parts[1].Condition})::int AS "Value",
                count(*) FILTER (WHERE {parts[2].Condition})::int AS "Both"
            FROM "ExceptionSearch" {Sample} GROUP BY 1
            """;
        // In the table's order here, as SampledPagesAsync does.
        var pages = (await db.Database.SqlQueryRaw<SampledPartsPage>(sql, both.Parameters()).ToListAsync(ct)).OrderBy(p => p.Page).ToList();
        Func<SampledPartsPage, int>[] matches = [p => p.Comment, p => p.Value, p => p.Both];
        for (var i = 0; i < parts.Count; i++)
        {
            var part = pages.Select(p => new SampledPage(p.Page, p.Rows, matches[i](p))).ToList();
            samples.Pages.TryAdd(parts[i].Query.Key, part);
            if (samples.Recent is { } keeping)
            {
                keeping.Keep(db, parts[i].Query.Key, await samples.SearchStateAsync(db, ct), part);
            }
        }
    }

    /// <summary>One page of the sample of a comment and a value (<see cref="SamplePartsAsync"/>): its rows, and how many match each part.</summary>
    private sealed record SampledPartsPage(int Page, int Rows, int Comment, int Value, int Both);

    /// <summary>
    /// The shares of the search rows (0 to 1) that the sample finds holding the filter's comment, its value, and both; null for a
    /// filter without both texts. <paramref name="together"/>: read at once, as one answer of <see cref="CandidatesAsync"/>
    /// reads them (<see cref="SamplePartsAsync"/>), or each by its own statement. For tests: the two must agree.
    /// </summary>
    internal static async Task<(double Comment, double Value, double Both)?> SampledSharesAsync(
        CrmDbContext db, ExceptionFilter filter, bool together, CancellationToken ct = default)
    {
        if (TextQuery.CommentAndValue(db, filter) is not { } both)
        {
            return null;
        }

        var parts = both.Parts();
        async Task<(double, double, double)?> Shares() =>
            (await ShareAsync(db, parts[0].Query, ct), await ShareAsync(db, parts[1].Query, ct), await ShareAsync(db, parts[2].Query, ct));
        return together ? await WithAnswerSamplesAsync(db, both, Shares) : await Shares();
    }

    /// <summary>
    /// What one answer of <see cref="CandidatesAsync"/> learnt of each query (by <see cref="TextQuery.Key"/>): its sample, whether its stretch
    /// held more than the limit, and how many distinct comments hold its comment text.
    /// </summary>
    private sealed class AnswerSamples(TextQuery? commentAndValue, RecentSamples? recent = null)
    {
        /// <summary>The samples of the answers of the last seconds, to take a query's from before reading it; null to read each.</summary>
        public RecentSamples? Recent { get; } = recent;

        private string? searchState;

        /// <summary>The search rows' state this answer sees (<see cref="RecentSamples.StateAsync"/>), read once, when first asked.</summary>
        public async Task<string> SearchStateAsync(CrmDbContext db, CancellationToken ct) => searchState ??= await RecentSamples.StateAsync(db, ct);

        /// <summary>The filter's comment and value (<see cref="TextQuery.CommentAndValue"/>), whose parts are sampled together; null without both.</summary>
        public TextQuery? CommentAndValue { get; } = commentAndValue;

        /// <summary>The parts of <see cref="CommentAndValue"/> (<see cref="TextQuery.Parts"/>), built once for the answer; none without it.</summary>
        public IReadOnlyList<(TextQuery Query, string Condition)> Parts { get; } = commentAndValue?.Parts() ?? [];

        public Dictionary<string, List<SampledPage>> Pages { get; } = [];

        public Dictionary<string, bool> StretchHolds { get; } = [];

        public Dictionary<string, int> CommentPairs { get; } = [];
    }

    /// <summary>The samples of the contexts <see cref="CandidatesAsync"/> is answering with (<see cref="SampledPagesAsync"/>).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CrmDbContext, AnswerSamples> SamplesOfContext = new();

    /// <summary>
    /// At most this many search rows are read to show that more than the candidates' limit match (<see cref="DenseStretch"/>):
    /// about 0.2 µs each, read in the table's order.
    /// </summary>
    public const int StretchRowsLimit = 100_000;

    /// <summary>
    /// Whether more than the candidates' limit of entries match every text of the filter, with its type (<see cref="TextQuery.Whole"/>;
    /// false for a filter with no such query), as one stretch of the search table shows (the next overload).
    /// </summary>
    /// <summary>The sample's pages of the filter's every text (<see cref="SampledPagesAsync"/>), for tests; empty when it has none.</summary>
    internal static async Task<IReadOnlyList<SampledPage>> SampledPagesOfAsync(CrmDbContext db, ExceptionFilter filter) =>
        TextQuery.Whole(db, filter) is { } whole ? await SampledPagesAsync(db, whole, default) : [];

    internal static async Task<bool> DenseStretchHoldsMoreThanLimitAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct) =>
        TextQuery.Whole(db, filter) is { } query && await DenseStretchHoldsMoreThanLimitAsync(db, query, ct);

    /// <summary>
    /// Whether more than the candidates' limit of entries meet the query, as one stretch of the search table shows where the
    /// sample found them densest (<see cref="DenseStretch"/>), read page by page (a TID range scan) until the
    /// candidates' cap; false when no stretch is dense enough, when the stretch holds fewer, or while the backlog holds a range
    /// (a changed entry's search row may still hold its old text). For a text many entries hold, the trigram index lists every
    /// one of them before a limit applies, wherever they lie, and a scan in order walks past every row before them: at 2.4
    /// million entries, "imp-test.org" in 600,000 of them took 130–340 ms by the index, this stretch about 2 ms.
    /// </summary>
    /// <remarks>Asked once per query while <see cref="CandidatesAsync"/> answers: the whole filter first, then perhaps the same query as its one term.</remarks>
    private static async Task<bool> DenseStretchHoldsMoreThanLimitAsync(CrmDbContext db, TextQuery query, CancellationToken ct)
    {
        var samples = SamplesOfContext.TryGetValue(db, out var kept) ? kept : null;
        if (samples?.StretchHolds.TryGetValue(query.Key, out var known) == true)
        {
            return known;
        }

        var holds = await StretchHoldsAsync(db, query, ct);
        samples?.StretchHolds.Add(query.Key, holds);
        return holds;
    }

    /// <summary>The reading behind <see cref="DenseStretchHoldsMoreThanLimitAsync(CrmDbContext, TextQuery, CancellationToken)"/>.</summary>
    private static async Task<bool> StretchHoldsAsync(CrmDbContext db, TextQuery query, CancellationToken ct)
    {
        if (DenseStretch(await SampledPagesAsync(db, query, ct), 2 * TextQuery.Cap, StretchRowsLimit) is not { } stretch)
        {
            return false;
        }

        var (from, to) = stretch;
        var sql = $"""
            SELECT count(*)::int AS "Value" FROM (
                SELECT 1 FROM "ExceptionSearch" WHERE ctid >= '({from},0)'::tid AND ctid < '({to + 1},0)'::tid AND {query.Condition("")}
                    AND NOT EXISTS (SELECT 1 FROM "ExceptionSearchBacklog")
                LIMIT {TextQuery.Cap}) AS m
            """;
        return await db.Database.SqlQueryRaw<int>(sql, query.Parameters()).SingleAsync(ct) == TextQuery.Cap;
    }

    /// <summary>
    /// The shortest stretch of pages (first and last, inclusive) between two sampled pages holding matches where the sample
    /// (<paramref name="pages"/>, in the table's order) says at least <paramref name="wanted"/> matches lie, reading at most
    /// <paramref name="rowsLimit"/> rows; null when none does. A stretch's matches are estimated as its sampled pages' mean
    /// matches per page times its pages; its rows likewise.
    /// </summary>
    internal static (int From, int To)? DenseStretch(IReadOnlyList<SampledPage> pages, double wanted, double rowsLimit)
    {
        (int From, int To)? shortest = null;
        for (var first = 0; first < pages.Count; first++)
        {
            if (pages[first].Matches == 0)
            {
                continue;
            }

            var (rows, matches) = (0L, 0L);
            for (var last = first; last < pages.Count; last++)
            {
                (rows, matches) = (rows + pages[last].Rows, matches + pages[last].Matches);
                var (span, sampled) = (pages[last].Page - pages[first].Page + 1, last - first + 1);
                if ((double)rows / sampled * span > rowsLimit || (shortest is { } found && span >= found.To - found.From + 1))
                {
                    break;
                }

                if (last > first && pages[last].Matches > 0 && (double)matches / sampled * span >= wanted)
                {
                    shortest = (pages[first].Page, pages[last].Page);
                    break;
                }

                if (last > first && pages[last].Matches > 0 && HalfwayToEmptyNeighbours(pages, first, last) is var (from, to))
                {
                    // A run of sampled pages with matches between sampled pages without: each end stands for the pages halfway
                    // to its neighbour, as the nearest sample tells them best. "0000" at a million entries, in half of the first
                    // 1,000 pages, was sampled on pages 538, 545 and 736 only (8,700 matches between them, too few), then 1,647
                    // without: to page 1,191 the stretch holds 28,000, and reading it found 10,001 in 2 ms, where the index's
                    // 50,000 candidates took 10–20.
                    var extended = to - from + 1;
                    if ((double)matches / sampled * extended >= wanted && (double)rows / sampled * extended <= rowsLimit
                        && !(shortest is { } known && extended >= known.To - known.From + 1))
                    {
                        shortest = (from, to);
                        break;
                    }
                }
            }
        }

        return shortest;
    }

    /// <summary>
    /// The stretch from sampled page <paramref name="first"/> to <paramref name="last"/> (indexes into <paramref name="pages"/>) widened at
    /// each end halfway to the neighbouring sampled page, when that page has no matches (no wider where there is none, the table's
    /// end); null when a neighbour has matches, as the run of pages with matches then goes on and is measured as it is.
    /// </summary>
    private static (int From, int To)? HalfwayToEmptyNeighbours(IReadOnlyList<SampledPage> pages, int first, int last)
    {
        var before = first > 0 ? pages[first - 1] : null;
        var after = last + 1 < pages.Count ? pages[last + 1] : null;
        if (before is { Matches: > 0 } || after is { Matches: > 0 })
        {
            return null;
        }

        return (pages[first].Page - (before is null ? 0 : (pages[first].Page - before.Page) / 2),
            pages[last].Page + (after is null ? 0 : (after.Page - pages[last].Page) / 2));
    }

    /// <summary>Whether the query is common (<see cref="CommonShare"/>, or <see cref="ShortCommonShare"/> with a short value text).</summary>
    private static async Task<bool> IsCommonAsync(CrmDbContext db, TextQuery query, CancellationToken ct) =>
        await ShareAsync(db, query, ct) >= (query.HasShortValue ? ShortCommonShare : CommonShare);

    /// <summary>
    /// Has the planner read the search table through its indexes for the rest of this context's work, in a
    /// transaction that ends when the result is disposed; null (and nothing changed) inside a caller's own
    /// transaction. The planner cannot tell how many entries of one type hold a text, as it knows the values of all
    /// types together: every phone of the benchmark holds "12000", so it took "12000" of type Email (5 entries) for
    /// 128,000 and scanned the million (110 ms, against 1.5 ms through the index).
    /// </summary>
    private static async Task<IAsyncDisposable?> IndexScansAsync(CrmDbContext db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return null;
        }

        var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off", ct);
        return transaction;
    }

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.NewestCandidatesAsync"/> Neither index has an order, so this first
    /// walks the newest <see cref="NewestWalk"/> search rows by key, and only if those hold too few matches looks
    /// the text up among the distinct comments when few hold it (<see cref="NewestByCommentAsync"/>) or by generation
    /// (<see cref="NewestByGenerationAsync"/>). A filter with both a comment and a value text looks both up together.
    /// Backlog rows are matched in the entries themselves.
    /// </summary>
    public async Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct)
    {
        TrigramCountsOfCall.Value = await TrigramCountsAsync(db, ct);
        // Not with a short value text: each generation's lookup would intersect its index's long lists ("e" with "batch 1":
        // 95 ms), where the comment's own newest come from its pairs and the caller tests them for the value.
        IEnumerable<TextQuery> queries = TextQuery.Together(db, filter) is { HasShortValue: false } both ? [both] : TextQuery.Of(db, filter);
        foreach (var query in queries)
        {
            if (query.MatchesNothing)
            {
                return [];
            }

            if (query.IsShortComment && await CommentPairsAsync(db, query, ct) > TextSearchTerms.DistinctCommentsLimit)
            {
                // Too short for the trigram index, and only the pairs could look it up.
                continue;
            }

            // A comment with a value (a short one: both are not looked up together) read by its pairs has both tested on the rows walked
            // and the pairs' rows, which hold the value: the caller tested the comment's newest rows for it instead, and "07" with
            // "partner", whose matches are a tenth of the comment's rows, asked for 100, then 800, then 6,400 of them (45–65 ms each).
            // Not when the comment is looked up by generation, alone: the walk's comment rows are then the cheaper candidates ("07" of
            // type Phone with "atch", in every comment: 50 ms p50, against 68 with both walked and the generations read after).
            var withValue = query.IsComment ? TextQuery.CommentAndValue(db, filter) : null;
            bool? byComment = withValue is null ? null : await ByCommentAsync(db, query, ct);
            var tested = byComment == true ? withValue! : query;
            var backlog = await db.Database.IdsAsync(tested.NewestInBacklogSql(count), tested.Parameters(), ct);
            var walkSql = $"""
                SELECT "EntryId" AS "Value" FROM (SELECT * FROM "ExceptionSearch" ORDER BY "EntryId" DESC LIMIT {WalkRows}) AS s
                WHERE {tested.Condition("")} ORDER BY "EntryId" DESC LIMIT {count}
                """;
            var indexed = await db.Database.IdsAsync(walkSql, tested.Parameters(), ct);
            if (indexed.Count < count)
            {
                // Too few among the walked rows: the rest lie below them, where the indexes find them. The pairs are counted
                // first: under the index scans the planner walked the pairs' key in order, past half a million of them
                // ("imported" at 2.4 million entries, each with a comment of its own: 55 ms), where a scan finds them at once.
                byComment ??= await ByCommentAsync(db, query, ct);
                // Both texts: each generation's lookup intersects their lists too, unless one is far commoner. A comment alone is
                // looked up by generation without its value's short text, as above.
                var lookUp = byComment.Value ? tested
                    : query.Terms.Count == 1 ? query
                    : await WithAnswerSamplesAsync(db, TextQuery.CommentAndValue(db, filter), () => RarerLookedUpAsync(db, filter, query, ct));
                await using var indexScans = await IndexScansAsync(db, ct);
                indexed = byComment.Value
                    ? await NewestByCommentAsync(db, lookUp, count, ct)
                    : await NewestByGenerationAsync(db, lookUp, count, ct);
            }

            return TextSearchTerms.NewestOf(indexed.Concat(backlog), count);
        }

        throw new InvalidOperationException("The filter has no text the index can look up.");
    }

    /// <summary>Whether <see cref="NewestCandidatesAsync"/> reads the query's newest rows by its pairs of comment and type (<see cref="NewestByCommentAsync"/>).</summary>
    private async Task<bool> ByCommentAsync(CrmDbContext db, TextQuery query, CancellationToken ct) =>
        query.IsShortComment || (UseDistinctComments && await CommentPairsAsync(db, query, ct) <= NewestByCommentLimit);

    /// <summary>
    /// The newest <paramref name="count"/> search rows holding one of the pairs of comment and type that hold the
    /// query's text (<see cref="TextQuery.PairsSql"/>), and its value text if it has one (<see cref="TextQuery.PairRowsValueCondition"/>), newest first: each pair's newest rows by key (the index on
    /// comment, type and id), the newest of those overall. With at least as many pairs as ids wanted, the newest
    /// ids are no older than the count-th newest of the pairs' own newest ids, so only ids from there up are read:
    /// "telemarketing" is in 1,000 comments, and reading the newest 100 of each took 17 ms, this 10 ms.
    /// </summary>
    private static async Task<List<long>> NewestByCommentAsync(CrmDbContext db, TextQuery query, int count, CancellationToken ct)
    {
        var sql = $$"""
            WITH c AS (
                SELECT c."Comment", c."Type", (SELECT max("EntryId") FROM "ExceptionSearch" WHERE {{query.Column}} = c."Comment" AND "Type" = c."Type"{{query.PairRowsValueCondition}}) AS "Newest"
                FROM ({{query.PairsSql}}) AS c),
            bound AS (
                SELECT CASE WHEN count(*) = {{count}} THEN min("Newest") ELSE 0 END AS "Id"
                FROM (SELECT "Newest" FROM c WHERE "Newest" IS NOT NULL ORDER BY "Newest" DESC LIMIT {{count}}) AS top)
            SELECT x."EntryId" AS "Value" FROM c CROSS JOIN bound CROSS JOIN LATERAL (
                SELECT "EntryId" FROM "ExceptionSearch" WHERE {{query.Column}} = c."Comment" AND "Type" = c."Type" AND "EntryId" >= bound."Id"{{query.PairRowsValueCondition}}
                ORDER BY "EntryId" DESC LIMIT {{count}}) AS x
            WHERE c."Newest" >= bound."Id"
            ORDER BY 1 DESC LIMIT {{count}}
            """;
        return await db.Database.IdsAsync(sql, query.Parameters(), ct);
    }

    /// <summary>
    /// The newest <paramref name="count"/> search rows matching the query, newest first. The rows fall into
    /// generations of 65,536 entry ids ("Generation", migration SearchByGeneration), and both trigram indexes lead
    /// with it, so one generation's matches are found and sorted alone: this asks the newest generation first and
    /// goes down until it has enough, in one statement (a recursive WITH, each step one generation, so the order
    /// is the query's own). A generation without a match costs about 0.4 ms (16 of them in a million entries);
    /// sorting every match of "batch 1" at once took 45–53 ms, this about 6 ms.
    /// </summary>
    private static async Task<List<long>> NewestByGenerationAsync(CrmDbContext db, TextQuery query, int count, CancellationToken ct)
    {
        var sql = $$"""
            WITH RECURSIVE probe(generation, ids) AS (
                SELECT (SELECT "Generation" FROM "ExceptionSearch" ORDER BY "EntryId" DESC LIMIT 1), ARRAY[]::bigint[]
                UNION ALL
                SELECT p.generation - 1, p.ids || ARRAY({{query.NewestOfGenerationSql("p.generation", $"({count} - cardinality(p.ids))")}})
                FROM probe AS p WHERE p.generation >= 0 AND cardinality(p.ids) < {{count}})
            SELECT unnest(ids) AS "Value" FROM (SELECT ids FROM probe ORDER BY generation LIMIT 1) AS last
            """;
        return await db.Database.IdsAsync(sql, query.Parameters(), ct);
    }

    /// <summary>
    /// How many distinct pairs of comment and type hold the query's text, of the filter's type if it names one
    /// (migration SearchCommentDictionary), counted up to <see cref="TextSearchTerms.DistinctCommentsLimit"/> + 1;
    /// <see cref="int.MaxValue"/> when the query is not on the comment. The statements that then read the pairs'
    /// entries look the pairs up again themselves: a pair the indexer adds in between, with its rows, is then in
    /// the same snapshot as they are. Counted once per answer (<see cref="AnswerSamples"/>): a short text's count computes each
    /// distinct comment's short texts ("e", in all 8,000 of them: 13–21 ms), and a page asked it for its candidates and for each
    /// round of its newest matches.
    /// </summary>
    private static async Task<int> CommentPairsAsync(CrmDbContext db, TextQuery query, CancellationToken ct)
    {
        if (!query.IsComment)
        {
            return int.MaxValue;
        }

        var samples = SamplesOfContext.TryGetValue(db, out var kept) ? kept : null;
        if (samples?.CommentPairs.TryGetValue(query.Key, out var known) == true)
        {
            return known;
        }

        var sql = $"""SELECT count(*)::int AS "Value" FROM ({query.PairsSql} LIMIT {TextSearchTerms.DistinctCommentsLimit + 1}) AS c""";
        var pairs = await db.Database.SqlQueryRaw<int>(sql, query.Parameters()).SingleAsync(ct);
        samples?.CommentPairs.TryAdd(query.Key, pairs);
        return pairs;
    }

    /// <summary>One page of the sample (<see cref="SampledPagesAsync"/>): its number in the table, its rows, and how many match.</summary>
    internal sealed record SampledPage(int Page, int Rows, int Matches);

    /// <summary>
    /// The filter's terms (<see cref="TextSearchTerms.Of"/>), one or all together, as SQL conditions on the search
    /// table, the comments and the entries. Column names come from the model (the search table's columns carry the
    /// entry columns' names); the patterns are parameters, in the terms' order; the types are the model's own
    /// names, written in, so that the planner sees a value arm's class of types as the predicate of its partial
    /// index (migration SearchValuesByType: one trigram index for phones and number prefixes, one for the rest,
    /// each with the type in it). The indexed columns are folded already, so LIKE, not ILIKE.
    /// </summary>
    private sealed class TextQuery
    {
        /// <summary>What <see cref="CandidatesSql"/> adds when the backlog held a range (no entry has this id).</summary>
        public const long BacklogHadRows = -1;

        /// <summary>What <see cref="CommentRowsSql"/> adds when the comment has more rows than it read (no entry has this id).</summary>
        public const long RowsPastLimit = -2;

        private readonly StoreNames<ExceptionEntry> e;
        private readonly IReadOnlyList<TextTerm> terms;
        private readonly object[] patterns;

        /// <summary>
        /// Whether the comment (true) or the value (false) is tested on each row the other's index finds rather than looked up in its own
        /// index (<see cref="WithOnRows"/>); null when each is looked up.
        /// </summary>
        private bool? commentOnRows;

        private TextQuery(StoreNames<ExceptionEntry> e, IReadOnlyList<TextTerm> terms)
        {
            (this.e, this.terms) = (e, terms);
            // A short text has two: its LIKE pattern and itself, as its index looks it up (ShortTextsCondition); a phone arm's digits
            // of four or more too: their pattern and their windows (DigitWindowsCondition).
            var ofTexts = terms.SelectMany(t => t.Arms.SelectMany(a => a.Texts.SelectMany(text => TextSearchTerms.IsShort(text)
                ? new object[] { LikePattern.Containing(text), text }
                : IsByWindows(t, a, text) ? [LikePattern.Containing(text), PhoneDigitWindows.ForText(text).ToArray()]
                : [LikePattern.Containing(text)]))).ToArray();
            // Each text's rare part, if it has one, after every text's own parameters (so theirs keep their numbers).
            var parts = new List<object>();
            rarePartParameters = terms.SelectMany(t => t.Arms.SelectMany(a => a.Texts.Select(text =>
                !TextSearchTerms.IsShort(text) && !IsByWindows(t, a, text) && TrigramCountsOfCall.Value is { } counts
                    && counts.PartOf(text, t.IsComment) is { } part
                    ? ofTexts.Length + Add(parts, LikePattern.Containing(part))
                    : -1))).ToArray();
            patterns = [.. ofTexts, .. parts];
            key = string.Join("\n", ofTexts.Select(p => p is string[] windows ? string.Join(",", windows) : p).Prepend(Condition("")));
        }

        /// <summary>Adds <paramref name="item"/> to <paramref name="list"/> and answers its index.</summary>
        private static int Add(List<object> list, object item)
        {
            list.Add(item);
            return list.Count - 1;
        }

        /// <summary>For each text of each term's arms, in order, the parameter of its rare part (<see cref="RarePart"/>), or -1 when it has none.</summary>
        private readonly int[] rarePartParameters;

        /// <summary>The query's condition and its texts' own patterns (<see cref="Key"/>), which a rare part does not change.</summary>
        private readonly string key;

        /// <summary>
        /// The part of <paramref name="text"/> to look up in a trigram index instead of the whole, or null for the whole: pg_trgm reads the
        /// list of every trigram a LIKE pattern holds, and a list that one row in twenty holds (at a million entries, 50,000 rows and more)
        /// narrows little and costs most of the reading. "list7.example" read eight such lists ("lis", "exa", "mpl" …) for 22–26 ms of
        /// value lookup at a million entries; its part "st7." ("st7", "t7 ") found the same 502 rows in 1.7–2.1 ms, each then tested for the
        /// whole text. The part is the run of the text, at least three characters, whose trigrams (<see cref="WildcardTrigrams"/>) are none
        /// of them common in <paramref name="counts"/> (in at least <paramref name="rows"/> / 20 of the sampled rows) and whose rarest is the
        /// rarest of any such run (more trigrams, then a longer run, when equal); used only when the whole text has a common trigram and the
        /// part's rarest trigram is in at most one sampled row in a hundred, which bounds the rows the part finds. Only for texts of
        /// ASCII letters, digits and punctuation without LIKE's own characters, whose trigrams are told here as pg_trgm tells them.
        /// </summary>
        internal static string? RarePart(string text, int rows, IReadOnlyDictionary<string, int> counts)
        {
            var trimmed = text.Trim();
            if (rows < RarePartSampleMinimum || trimmed.Length > RarePartTextLimit || trimmed.Any(c => c is '%' or '_' or '\\' || !char.IsAscii(c) || char.IsControl(c)))
            {
                return null;
            }

            bool Common(string trigram) => (long)counts.GetValueOrDefault(trigram) * CommonTrigramShare >= rows;
            if (!WildcardTrigrams(trimmed).Any(Common))
            {
                return null;
            }

            (string Part, int Rarest, int Trigrams)? best = null;
            for (var from = 0; from < trimmed.Length; from++)
            {
                for (var to = from + 3; to <= trimmed.Length; to++)
                {
                    var trigrams = WildcardTrigrams(trimmed[from..to]);
                    if (trigrams.Count == 0 || trigrams.Any(Common))
                    {
                        continue;
                    }

                    var rarest = trigrams.Min(t => counts.GetValueOrDefault(t));
                    if (best is not { } known || rarest < known.Rarest || (rarest == known.Rarest && (trigrams.Count > known.Trigrams
                        || (trigrams.Count == known.Trigrams && to - from > known.Part.Length))))
                    {
                        best = (trimmed[from..to], rarest, trigrams.Count);
                    }
                }
            }

            return best is { } found && (long)found.Rarest * RarePartShare <= rows ? found.Part : null;
        }

        /// <summary>A sample of fewer rows tells nothing worth acting on (<see cref="RarePart"/>).</summary>
        private const int RarePartSampleMinimum = 1_000;

        /// <summary>A longer text is looked up whole: its runs are too many to weigh, and so long a text is rarely held by many rows.</summary>
        private const int RarePartTextLimit = 64;

        /// <summary>A trigram in at least one in this many sampled rows is common (<see cref="RarePart"/>).</summary>
        private const int CommonTrigramShare = 20;

        /// <summary>A rare part's rarest trigram is in at most one in this many sampled rows (<see cref="RarePart"/>).</summary>
        private const int RarePartShare = 100;

        /// <summary>
        /// The trigrams pg_trgm looks up for <c>LIKE '%text%'</c> (its <c>generate_wildcard_trgm</c>), for a text of ASCII characters: the
        /// runs of letters and digits, lower-cased, each with two spaces before it unless it starts the text (a wildcard precedes it) and one
        /// after it unless it ends the text, cut into every three characters in a row.
        /// </summary>
        internal static HashSet<string> WildcardTrigrams(string text)
        {
            var trigrams = new HashSet<string>(StringComparer.Ordinal);
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && !char.IsAsciiLetterOrDigit(text[i]))
                {
                    i++;
                }

                if (i == text.Length)
                {
                    break;
                }

                var start = i;
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
                {
                    i++;
                }

                var word = (start > 0 ? "  " : "") + text[start..i].ToLowerInvariant() + (i < text.Length ? " " : "");
                for (var k = 0; k + 3 <= word.Length; k++)
                {
                    trigrams.Add(word.Substring(k, 3));
                }
            }

            return trigrams;
        }

        /// <summary>
        /// Whether a text of a term's arm is looked up in the index of phones' digit windows (migration PhoneDigitWindows): the digits
        /// of a value arm on phones and number prefixes, at least <see cref="PhoneDigitWindows.ShortLength"/> of them.
        /// </summary>
        private static bool IsByWindows(TextTerm term, TextArm arm, string text) =>
            !term.IsComment && arm.Types is { } types && types.All(TextSearchTerms.PhoneTypes.Contains) && PhoneDigitWindows.LooksUp(text);

        /// <summary>A query for each of the filter's terms, comment first.</summary>
        public static IEnumerable<TextQuery> Of(CrmDbContext db, ExceptionFilter filter)
        {
            var e = new StoreNames<ExceptionEntry>(db.Model);
            return TextSearchTerms.Of(e, filter).Select(t => new TextQuery(e, [t]));
        }

        /// <summary>
        /// One query for the filter's comment and value together, or null unless both can be looked up: the comment by its
        /// trigrams, the value by its trigrams or, of one or two characters, by its short texts (<see cref="HasShortValue"/>).
        /// </summary>
        public static TextQuery? Together(CrmDbContext db, ExceptionFilter filter) =>
            OfAll(db, filter, terms => terms is [_, _] && !terms.Any(t => t.IsShortComment || t.MatchesNothing));

        /// <summary>One query of all the filter's terms, comment first, when <paramref name="when"/> holds for them; otherwise null.</summary>
        private static TextQuery? OfAll(CrmDbContext db, ExceptionFilter filter, Func<List<TextTerm>, bool> when)
        {
            var e = new StoreNames<ExceptionEntry>(db.Model);
            var terms = TextSearchTerms.Of(e, filter).ToList();
            return when(terms) ? new TextQuery(e, terms) : null;
        }

        /// <summary>
        /// One query for every text of the filter (the same as its one term's when it has one, so the two share a sample), or null
        /// when it has none, a comment too short for trigrams (only its pairs can look it up, and only they give its newest
        /// matches) or a value no entry of its type could match.
        /// </summary>
        public static TextQuery? Whole(CrmDbContext db, ExceptionFilter filter) =>
            OfAll(db, filter, terms => terms.Count > 0 && !terms.Any(t => t.IsShortComment || t.MatchesNothing));

        /// <summary>
        /// One query for the filter's comment and value, comment first, or null unless it has both and an entry can meet them:
        /// for <see cref="CommentRowsSql"/>, which looks the comment up by its pairs, whatever its length.
        /// </summary>
        public static TextQuery? CommentAndValue(CrmDbContext db, ExceptionFilter filter) =>
            OfAll(db, filter, terms => terms is [{ IsComment: true }, { IsComment: false }] && !terms.Any(t => t.MatchesNothing));

        /// <summary>
        /// A query of a comment and a value (<see cref="CommentAndValue"/>) as its three parts, each with its condition (no index
        /// asked) numbered as this query's parameters are: the comment alone, the value alone (each the query <see cref="Of"/>
        /// gives), and both (this query).
        /// </summary>
        public IReadOnlyList<(TextQuery Query, string Condition)> Parts() => TermConditions("", lookUp: false) is [var comment, var value]
            ? [(new TextQuery(e, [terms[0]]), comment), (new TextQuery(e, [terms[1]]), value), (this, Condition(""))]
            : throw new InvalidOperationException("Not a comment and a value.");

        /// <summary>
        /// This query of a comment and a value with the comment (<paramref name="comment"/>) or the value tested on each row the other's
        /// index finds (LIKE on the column <c>|| ''</c>, which no index holds) instead of looked up too: for the commoner text
        /// (<see cref="RarerLookedUpAsync"/>). Intersected, the commoner text's long list cost more to read than the rarer's rows do to test,
        /// and the intersection's rows were then tested again for every condition, as the trigram index is lossy, a value's digit windows
        /// computed on each. At a million entries: "0000" with "batch 1" (111,000 comment rows, 50,000 phones, 5,519 matches) 69–100 ms
        /// intersected, 19–21 with the comment on the phones' rows; the newest page of "12000" (every phone's windows) with "batch 1",
        /// looked up generation by generation, 125–132 ms intersected.
        /// </summary>
        public TextQuery WithOnRows(bool comment) => new(e, terms) { commentOnRows = comment };

        /// <summary>What tells this query from another in one answer: its condition and patterns (<see cref="AnswerSamples"/>).</summary>
        public string Key => key;

        /// <summary>The filter's terms this query holds.</summary>
        public IReadOnlyList<TextTerm> Terms => terms;

        /// <summary>The quoted column of the (first) term, the one the walk and the comments read.</summary>
        public string Column => terms[0].Column;

        /// <summary>Whether this is the comment alone, which the distinct comments can look up.</summary>
        public bool IsComment => terms is [{ IsComment: true }];

        /// <summary>Whether a value text is too short for the trigram index: the index of the values' short texts looks it up.</summary>
        public bool HasShortValue => terms.Any(t => t is { IsComment: false, IsShort: true });

        /// <summary>Whether a value text is a phone arm's digits that the index of the phones' digit windows looks up (<see cref="IsByWindows"/>).</summary>
        public bool HasValueByWindows => terms.Any(t => t.Arms.Any(a => a.Texts.Any(text => IsByWindows(t, a, text))));

        /// <summary>Whether this is a comment too short for the trigram index: only its pairs can look it up.</summary>
        public bool IsShortComment => terms.Any(t => t.IsShortComment);

        /// <summary>Whether no entry can match (<see cref="TextTerm.MatchesNothing"/>).</summary>
        public bool MatchesNothing => terms.Any(t => t.MatchesNothing);

        /// <summary>
        /// Every term holds, each as one of its arms; <paramref name="alias"/> is "" or "x.". With <paramref name="lookUp"/>, a
        /// short value text is also asked of the index of the values' short texts (<see cref="ShortTextsCondition"/>); a scan
        /// (of a sample, the newest rows, the backlog's entries) does without: LIKE alone decides.
        /// </summary>
        public string Condition(string alias, bool lookUp = false) => string.Join(" AND ", TermConditions(alias, lookUp));

        /// <summary>Each term's condition (<see cref="Condition"/>), in the terms' order: any of its ways (<see cref="TermWays"/>).</summary>
        private List<string> TermConditions(string alias, bool lookUp) => TermWays(alias, lookUp).Select(AnyOf).ToList();

        /// <summary>A condition that holds when any of <paramref name="ways"/> does.</summary>
        private static string AnyOf(List<string> ways) => ways is [var one] ? one : $"({string.Join(" OR ", ways.Select(w => $"({w})"))})";

        /// <summary>
        /// Each term's ways to hold, in the terms' order: one condition for each text of each arm, with the arm's types. The
        /// parameters are numbered across the terms, so a way keeps its numbers wherever it is used (<see cref="Branches"/>).
        /// With <paramref name="lookUp"/>, a short value text is also asked of its index of short texts; with
        /// <paramref name="onPairs"/>, a short comment text of the distinct comments' (the conditions are then on their table).
        /// </summary>
        private List<List<string>> TermWays(string alias, bool lookUp, bool onPairs = false)
        {
            var terms = new List<List<string>>(this.terms.Count);
            var parameter = 0;
            var ordinal = 0;
            foreach (var term in this.terms)
            {
                var ways = new List<string>();
                var onRows = lookUp && commentOnRows == term.IsComment;
                foreach (var arm in term.Arms)
                {
                    ways.AddRange(arm.Texts.Select(text => (rarePartParameters[ordinal++] is var part && onRows ? OnRowsCondition($"{alias}{term.Column}", ref parameter, TextSearchTerms.IsShort(text) || IsByWindows(term, arm, text))
                        : TextSearchTerms.IsShort(text) ? ShortTextsCondition($"{alias}{term.Column}", parameter++, parameter++, term.IsComment ? onPairs : lookUp)
                        : IsByWindows(term, arm, text) ? DigitWindowsCondition($"{alias}{term.Column}", parameter++, parameter++, lookUp)
                        : lookUp && part >= 0 ? RarePartCondition($"{alias}{term.Column}", parameter++, part)
                        : $$"""{{alias}}{{term.Column}} LIKE {{{parameter++}}} ESCAPE ''""") + TypeCondition(alias, term, arm)));
                }

                terms.Add(ways);
            }

            return terms;
        }

        /// <summary>
        /// The query's condition as branches, each a condition of every term (<see cref="Condition"/> with lookUp), that a row
        /// meets if it meets any of them: one branch, unless a short value text or digits looked up by windows are among ways of
        /// the value with others (digits without a type: the phones' digits and the others' text). Then each way of the value is a
        /// branch of its own. OR'd, the two indexes' rows were each tested again for both ways, and a short text's test computes the
        /// row's short texts (<see cref="ShortTextsCondition"/>, about 9 µs a row), digits' their windows (<see cref="DigitWindowsCondition"/>,
        /// about 4 µs); alone, a way's index is exact for it, and only LIKE and the type are tested ("5 5" at a million entries, the
        /// phones' "55" and the others' "5 5": 96 ms as one condition, 12 ms as two; "0000", 10,001 of 50,000 phones: 53 ms and 14).
        /// </summary>
        private List<string> Branches(string alias)
        {
            var ways = TermWays(alias, lookUp: true);
            var value = terms.ToList().FindIndex(t => !t.IsComment);
            if (!(HasShortValue || HasValueByWindows) || ways[value].Count == 1)
            {
                return [Condition(alias, lookUp: true)];
            }

            var others = ways.Where((_, i) => i != value).Select(AnyOf).ToList();
            return ways[value].Select(way => string.Join(" AND ", others.Append(way))).ToList();
        }

        /// <summary>
        /// One statement giving "Value", at most <paramref name="cap"/> rows, from one statement per branch (<see cref="Branches"/>),
        /// each capped on its own: a single one as it is, several as their UNION (a row may meet two ways, and each id must come
        /// once, or duplicates would fill the cap).
        /// </summary>
        private static string OfBranches(IReadOnlyList<string> statements, object cap, string order = "") => statements is [var one]
            ? one
            : $"""SELECT "Value" FROM ({string.Join(" UNION ", statements.Select(s => $"({s})"))}) AS u {order} LIMIT {cap}""";

        /// <summary>
        /// The newest <paramref name="count"/> (an SQL expression) search rows of the generation <paramref name="generation"/>
        /// (an SQL expression) that match, newest first, giving "Value" (see <see cref="NewestByGenerationAsync"/>). "+ 0" keeps
        /// the planner off the key's order (it would walk past every newer row, testing each): the GIN index finds the
        /// generation's matches and a top-N sort keeps the newest. Each branch (<see cref="Branches"/>) on its own.
        /// </summary>
        public string NewestOfGenerationSql(string generation, string count) => OfBranches(
            Branches("").Select(b => $"""
                SELECT "EntryId" AS "Value" FROM "ExceptionSearch" WHERE "Generation" = {generation} AND {b} ORDER BY "EntryId" + 0 DESC LIMIT {count}
                """).ToList(),
            count,
            """ORDER BY "Value" DESC""");

        /// <summary>
        /// The arm's types as " AND …", or "" for any type. A value arm names its class of types the way its partial
        /// index does (<c>"Type" IN ('Phone', 'PhonePrefix')</c> or <c>NOT IN</c>), and its one type when it has one.
        /// </summary>
        private string TypeCondition(string alias, TextTerm term, TextArm arm)
        {
            var condition = new System.Text.StringBuilder();
            if (!term.IsComment && arm.Types is { } types)
            {
                var phones = string.Join(", ", TextSearchTerms.PhoneTypes.Select(TypeLiteral));
                condition.Append($""" AND {alias}"Type" {(types.All(TextSearchTerms.PhoneTypes.Contains) ? "IN" : "NOT IN")} ({phones})""");
            }

            if (arm.Types is [var type])
            {
                condition.Append($""" AND {alias}"Type" = {TypeLiteral(type)}""");
            }

            return condition.ToString();
        }

        /// <summary>
        /// A text tested on each row read (<see cref="WithOnRows"/>): LIKE on the column <c>|| ''</c>, which no index holds, so the planner
        /// cannot look it up. Its pattern is the next parameter; a text with a second one (a short text's own, digits' windows) skips it.
        /// </summary>
        private static string OnRowsCondition(string column, ref int parameter, bool twoParameters)
        {
            var pattern = parameter;
            parameter += twoParameters ? 2 : 1;
            return $$"""({{column}} || '') LIKE {{{pattern}}} ESCAPE ''""";
        }

        /// <summary>
        /// A text looked up by its rare part (<see cref="RarePart"/>): the index is asked for the part (parameter <paramref name="part"/>),
        /// and each row it finds is tested for the whole text on the column <c>|| ''</c>, which no index holds, so the planner does not
        /// read the whole text's trigram lists as well.
        /// </summary>
        private static string RarePartCondition(string column, int pattern, int part) =>
            $$"""(({{column}} || '') LIKE {{{pattern}}} ESCAPE '' AND {{column}} LIKE {{{part}}} ESCAPE '')""";

        /// <summary>
        /// A value or comment holds a one- or two-character text: by LIKE, and when <paramref name="lookUp"/> also by the index of
        /// short texts (a value's of its class, migration ShortValueTexts; a distinct comment's, ShortCommentTexts), which finds
        /// the rows. Only then: computing a row's short texts costs 7 µs, so a sample of 5,000 rows that mostly held "e" took
        /// 20 ms with it.
        /// </summary>
        private static string ShortTextsCondition(string column, int pattern, int text, bool lookUp) => lookUp
            ? $$"""({{column}} LIKE {{{pattern}}} ESCAPE '' AND {{ShortTextsFunction}}({{column}}) @> ARRAY[{{{text}}}]::text[])"""
            : $$"""{{column}} LIKE {{{pattern}}} ESCAPE ''""";

        /// <summary>
        /// A phone's or number prefix's value holds a query's digits (four or more): by LIKE, and when <paramref name="lookUp"/> also by
        /// the index of the phones' digit windows (migration PhoneDigitWindows), which finds the rows holding every window of the text
        /// (<see cref="PhoneDigitWindows.ForText"/>, a superset that LIKE then narrows). The LIKE is then on <c>"Value" || ''</c>, which
        /// no index holds: the planner otherwise read the trigram index too and intersected the two, and the trigrams' lists of a text
        /// most phones share are what took 150–250 ms ("2000000" at a million entries). A scan (<paramref name="lookUp"/> false) does
        /// without the windows: computing a row's costs about 10 µs.
        /// </summary>
        private static string DigitWindowsCondition(string column, int pattern, int windows, bool lookUp) => lookUp
            ? $$"""(({{column}} || '') LIKE {{{pattern}}} ESCAPE '' AND {{DigitWindowsFunction}}({{column}}) @> {{{windows}}}::text[])"""
            : $$"""{{column}} LIKE {{{pattern}}} ESCAPE ''""";

        /// <summary>A type as the entries store it, quoted (the model's enum names: no quote can occur in them).</summary>
        private string TypeLiteral(EntryType type) => $"'{e.StoreValue(x => x.Type, type)}'";

        public object[] Parameters() => patterns;

        /// <summary>
        /// The distinct pairs of comment ("Comment") and type ("Type") holding the comment text (the query's first term), of the
        /// filter's type if it names one: through the comments' trigram index, or their index of short texts for a text of one
        /// or two characters.
        /// </summary>
        public string PairsSql =>
            $"""SELECT {Column} AS "Comment", "Type" FROM "ExceptionSearchComments" WHERE {AnyOf(TermWays("", lookUp: false, onPairs: true)[0])}""";

        /// <summary>
        /// Every candidate, capped: the search rows holding the pairs of comment and type (<see cref="PairsSql"/>,
        /// exact, on a btree) when <paramref name="byComment"/>, or
        /// matching the trigram index, and the backlog's entries matched in the entries themselves. Each branch
        /// stops at the cap on its own (a UNION would read every match of a common text before the cap applies);
        /// an entry both indexed and in the backlog comes twice, which the caller folds. The backlog is read range
        /// by range (LATERAL), as in <see cref="NewestInBacklogSql"/>: as a plain join, once the backlog had held rows
        /// and been emptied, the planner scanned every entry for it (114–175 ms per filter after any write at a
        /// million entries). The last branch says, in the same snapshot, whether the backlog held anything
        /// (<see cref="BacklogHadRows"/>).
        /// </summary>
        public string CandidatesSql(bool byComment, int? commentCap = null)
        {
            var cap = commentCap ?? Cap;
            var indexed = byComment
                ? $"""
                  SELECT x."EntryId" AS "Value" FROM ({PairsSql}) AS c CROSS JOIN LATERAL (
                      SELECT "EntryId" FROM "ExceptionSearch" WHERE {Column} = c."Comment" AND "Type" = c."Type" LIMIT {cap}) AS x
                  LIMIT {cap}
                  """
                : terms is [{ IsComment: true }, { IsComment: false, IsShort: true }]
                    ? ShortValueThenCommentSql(cap)
                    : OfBranches(Branches("").Select(b => $"""SELECT "EntryId" AS "Value" FROM "ExceptionSearch" WHERE {b} LIMIT {cap}""").ToList(), cap);
            return WithBacklog(indexed);
        }

        /// <summary>The candidates' cap: one more than their limit, so that more than the limit shows.</summary>
        public const int Cap = TextSearchTerms.MaxCandidates + 1;

        /// <summary>
        /// The indexed candidates (a statement giving "Value"), then the backlog's entries matched in the entries themselves, and
        /// <see cref="BacklogHadRows"/> when the backlog held anything (see <see cref="CandidatesSql"/>).
        /// </summary>
        private string WithBacklog(string indexed)
        {
            const int cap = Cap;
            var id = e.Column(x => x.Id);
            return $"""
                ({indexed})
                UNION ALL
                (SELECT m."Value" FROM "ExceptionSearchBacklog" AS b CROSS JOIN LATERAL (
                    SELECT e.{id} AS "Value" FROM {e.Table} AS e WHERE e.{id} BETWEEN b."FromId" AND b."ToId" AND {Condition("e.")} LIMIT {cap}) AS m
                LIMIT {cap})
                UNION ALL
                SELECT {BacklogHadRows}::bigint WHERE EXISTS (SELECT 1 FROM "ExceptionSearchBacklog")
                """;
        }

        /// <summary>
        /// The comment's and value's candidates from the rows of the comment's pairs of comment and type (the query's first term,
        /// on its btree index), each tested for the value (its second) on the row, read until the candidates' cap or
        /// <paramref name="rowLimit"/> rows, whichever comes first, with <see cref="RowsPastLimit"/> when the comment has more rows
        /// than that and it came first; then the backlog's, as in <see cref="CandidatesSql"/>. The rows are numbered as they
        /// stream (row_number over no order), so neither limit reads a row more than it needs. The limit inside LATERAL keeps
        /// the pairs' lookups by key: without it the planner hashed the pairs and scanned the search table (69 ms, against 18).
        /// </summary>
        public string CommentRowsSql(int rowLimit)
        {
            var value = ValueCondition("r.");
            var indexed = $"""
                SELECT CASE WHEN r.n > {rowLimit} THEN {RowsPastLimit} ELSE r."EntryId" END AS "Value" FROM (
                    SELECT s.*, row_number() OVER () AS n FROM ({PairsSql}) AS c CROSS JOIN LATERAL (
                        SELECT "EntryId", "Type", {terms[1].Column} FROM "ExceptionSearch" WHERE {Column} = c."Comment" AND "Type" = c."Type" LIMIT {rowLimit + 1}) AS s
                    LIMIT {rowLimit + 1}) AS r
                WHERE r.n > {rowLimit} OR ({value})
                LIMIT {Cap}
                """;
            return WithBacklog(indexed);
        }

        /// <summary>
        /// The comment's and value's candidates from every row of the comment's pairs of comment and type (the query's first term, on
        /// their btree index, which holds the value), the value (its second term) tested in the index scan itself, until the candidates'
        /// cap; then the backlog's, as in <see cref="CandidatesSql"/>.
        /// </summary>
        public string CommentRowsToTheEndSql() => WithBacklog($"""
            SELECT m."EntryId" AS "Value" FROM ({PairsSql}) AS c CROSS JOIN LATERAL (
                SELECT r."EntryId" FROM "ExceptionSearch" AS r WHERE r.{Column} = c."Comment" AND r."Type" = c."Type" AND {ValueCondition("r.")}) AS m
            LIMIT {Cap}
            """);

        /// <summary>
        /// The value's condition as " AND …" on the search rows of a query of a comment and a value (<see cref="CommentAndValue"/>), tested on
        /// each of the comment's pairs' rows as their index gives them (it holds the value: migration SearchCommentRowsHoldValues); "" for a
        /// query of the comment alone.
        /// </summary>
        public string PairRowsValueCondition => terms is [{ IsComment: true }, { IsComment: false }] ? $" AND {ValueCondition("")}" : "";

        /// <summary>The value's condition in a query of the comment and the value (<see cref="CommentAndValue"/>), no index asked: a test of each row read.</summary>
        private string ValueCondition(string alias) =>
            TermConditions(alias, lookUp: false) is [_, var value] ? value : throw new InvalidOperationException("Not a comment and a value.");

        /// <summary>
        /// A comment with a short value text: the value's rows from the index of short texts, each then tested for the
        /// comment. "OFFSET 0" keeps the comment's trigram index out: the planner intersected the two indexes, and the
        /// comment's ("telemarketing", 125,000 rows) took 49 ms to read for "00" of type Email (18,000 rows, 13 ms this way).
        /// A short value text is in at most one of twenty rows here (a commoner one is not looked up).
        /// </summary>
        private string ShortValueThenCommentSql(int cap)
        {
            var (comment, values) = TermWays("", lookUp: true) is [[var c], var v] ? (c, v) : throw new InvalidOperationException("Not a comment and a value.");
            // Each way of the value on its own (see Branches).
            return OfBranches(values.Select(value => $"""
                SELECT "EntryId" AS "Value" FROM (SELECT "EntryId", "Type", {terms[0].Column} FROM "ExceptionSearch" WHERE {value} OFFSET 0) AS s
                WHERE {comment} LIMIT {cap}
                """).ToList(), cap);
        }

        /// <summary>
        /// The newest <paramref name="count"/> backlog entries matching, newest first, range by range (LATERAL):
        /// as a plain join the planner walked every entry newest first to test it against the backlog, 240 ms
        /// when the backlog was empty.
        /// </summary>
        public string NewestInBacklogSql(int count)
        {
            var id = e.Column(x => x.Id);
            return $"""
                SELECT m."Value" FROM "ExceptionSearchBacklog" AS b CROSS JOIN LATERAL (
                    SELECT e.{id} AS "Value" FROM {e.Table} AS e WHERE e.{id} BETWEEN b."FromId" AND b."ToId" AND {Condition("e.")}
                    ORDER BY e.{id} DESC LIMIT {count}) AS m
                ORDER BY m."Value" DESC LIMIT {count}
                """;
        }
    }
}

/// <summary>
/// The samples of <see cref="PostgresExceptionSearch"/>'s recent answers: each query's sampled pages (by its key, of one database),
/// kept for <see cref="Age"/> while the search rows look unchanged (<see cref="StateAsync"/>: the same newest row, the same backlog,
/// the table no larger), so the sample read again would most likely be the same pages with the same rows. A sample only guides how a
/// filter is read (which index, which rows first): every answer is still tested on the rows themselves, so one of a list that changed
/// in a way the state misses (an older entry removed, a comment edited in place) can make an answer slower for a few seconds, never
/// wrong. At most
/// <see cref="Capacity"/> are kept, so a stream of distinct filters does not grow it without end. Thread-safe.
/// </summary>
internal sealed class RecentSamples
{
    /// <summary>How long a sample serves: long enough for the next page or order of a filter, short beside the list's changes.</summary>
    public static readonly TimeSpan Age = TimeSpan.FromSeconds(30);

    /// <summary>How many queries' samples are kept at most; past it, the oldest half goes.</summary>
    public const int Capacity = 512;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string? Database, string Key), Kept> kept = new();

    private sealed record Kept(long At, string State, List<PostgresExceptionSearch.SampledPage> Pages);

    /// <summary>
    /// The pages of <paramref name="key"/>'s sample in <paramref name="db"/>'s database, if one was kept within <see cref="Age"/> while the
    /// search rows were in <paramref name="state"/> (<see cref="StateAsync"/>); null otherwise. The lists are shared, so never changed.
    /// </summary>
    public List<PostgresExceptionSearch.SampledPage>? Get(CrmDbContext db, string key, string state) =>
        kept.TryGetValue((db.Database.GetConnectionString(), key), out var sample)
            && Environment.TickCount64 - sample.At < (long)Age.TotalMilliseconds && sample.State == state
            ? sample.Pages
            : null;

    /// <summary>Keeps <paramref name="pages"/> as <paramref name="key"/>'s sample in <paramref name="db"/>'s database, read with the search rows in <paramref name="state"/>.</summary>
    public void Keep(CrmDbContext db, string key, string state, List<PostgresExceptionSearch.SampledPage> pages)
    {
        if (kept.Count >= Capacity)
        {
            foreach (var old in kept.OrderBy(x => x.Value.At).Take(Capacity / 2).ToList())
            {
                kept.TryRemove(old.Key, out _);
            }
        }

        kept[(db.Database.GetConnectionString(), key)] = new Kept(Environment.TickCount64, state, pages);
    }

    /// <summary>
    /// What changes when search rows are added, when the newest is removed, while the backlog holds writes and when the table grows: the
    /// newest row's entry id, the backlog's ranges and the table's size in bytes, as text. On their indexes, about 0.1 ms.
    /// </summary>
    internal static async Task<string> StateAsync(CrmDbContext db, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<string>("""
            SELECT concat_ws(':', (SELECT max("EntryId") FROM "ExceptionSearch"), (SELECT count(*) FROM "ExceptionSearchBacklog"),
                (SELECT max("ToId") FROM "ExceptionSearchBacklog"), pg_relation_size('"ExceptionSearch"'::regclass)) AS "Value"
            """).SingleAsync(ct);
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

        if (total > 0)
        {
            await FlushPendingListsAsync(ct);
        }

        return total;
    }

    /// <summary>
    /// Moves what the indexer wrote from the pending lists of the search tables' GIN indexes into the indexes proper
    /// (<c>gin_clean_pending_list</c>, in bulk). GIN's fastupdate appends new keys to a pending list that every lookup reads
    /// whole, and autovacuum empties it only once a table's inserts pass its threshold (about 485,000 at 2.3 million rows):
    /// after an ordinary 120,000-line import the lists held 265–488 pages each, and filters were 3–8 times slower until they
    /// were cleaned ("spam robot" 198 ms median, 32 after). The app's user owns the indexes (it created them).
    /// </summary>
    private async Task FlushPendingListsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.ExecuteSqlRawAsync($"SELECT gin_clean_pending_list(i.indexrelid::regclass) {SearchGinIndexes}", ct);
    }

    /// <summary>The GIN indexes (<c>i.indexrelid</c>) of the tables the indexer writes, as a FROM clause: the ones <see cref="FlushPendingListsAsync"/> cleans.</summary>
    internal const string SearchGinIndexes = """
        FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid JOIN pg_am AS a ON a.oid = c.relam
        WHERE a.amname = 'gin' AND i.indrelid IN ('"ExceptionSearch"'::regclass, '"ExceptionSearchComments"'::regclass)
        """;

    /// <summary>
    /// Indexes the next entries (at most <see cref="BatchSize"/>) of the oldest backlog range no other
    /// instance holds, and shrinks or removes that range, in one transaction. Returns how many entries it
    /// indexed, or null when there was no range to take.
    /// </summary>
    public async Task<int?> IndexNextBatchAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var (id, type, folded, value) = (e.Column(x => x.Id), e.Column(x => x.Type), e[Configurations.ExceptionEntryConfiguration.CommentFolded], e.Column(x => x.Value));
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
                SELECT {{id}} AS id, {{type}} AS type, {{folded}} AS folded, {{value}} AS value FROM {{e.Table}}
                WHERE {{id}} BETWEEN {0} AND {1} ORDER BY {{id}} LIMIT {2}),
            indexed AS (
                INSERT INTO "ExceptionSearch" ("EntryId", "Type", {{folded}}, {{value}}) SELECT id, type, folded, value FROM batch
                ON CONFLICT ("EntryId") DO UPDATE SET "Type" = excluded."Type", {{folded}} = excluded.{{folded}}, {{value}} = excluded.{{value}}),
            comments AS (
                -- In order, so two instances indexing at once take the new pairs' keys in the same order.
                INSERT INTO "ExceptionSearchComments" ({{folded}}, "Type")
                SELECT DISTINCT folded, type FROM batch WHERE folded IS NOT NULL ORDER BY folded, type
                ON CONFLICT DO NOTHING)
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
