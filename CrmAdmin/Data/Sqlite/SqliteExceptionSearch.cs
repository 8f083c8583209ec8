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
/// every moment. The index only narrows; the caller's own conditions still decide every row. A value text of one or
/// two characters has no trigram of its own: the values have indexes of their own, "ExceptionValueSearch" (addresses and
/// domains) and "ExceptionPhoneSearch" (phones and number prefixes; migration ShortValueTexts), where every such text
/// starts a trigram, with the type marked, so its candidates are exact.
/// The FTS table's columns carry the names of the entry columns they index (its content table is
/// the entries' table), so both come from the model.
/// </summary>
public sealed class SqliteExceptionSearch : IExceptionTextSearch
{
    /// <summary>Whether a short value text common in a sample is left to the scan (a test turns this off to reach the index at any size).</summary>
    internal bool ScansCommonShortTexts { get; init; } = true;

    /// <summary>How many of a comment's rows <see cref="CommentRowsWithValueAsync"/> reads at most (<see cref="CommentRowsLimit"/>; a test lowers it).</summary>
    internal int CommentRows { get; init; } = CommentRowsLimit;

    /// <summary>Whether <see cref="CommentRowsWithValueAsync"/> probes the comment's rows first (a test turns it off to reach the rows past the limit).</summary>
    internal bool SamplesCommentRows { get; init; } = true;

    /// <summary>
    /// Whether a phone value text of at least four digits is looked up by its digit windows (<see cref="DigitWindowsAsync"/>; a test turns
    /// this off to reach the trigram path behind it).
    /// </summary>
    internal bool LooksUpDigitWindows { get; init; } = true;

    /// <summary>Whether FTS5 queries leave out the trigrams common in the index (<see cref="TrigramCountsAsync"/>; a test turns this off to compare).</summary>
    internal bool LeavesOutCommonTrigrams { get; init; } = true;

    /// <summary>The trigram counts of this app's database (<see cref="TrigramCountsAsync"/>), read again every ten minutes: the list's make-up changes slowly.</summary>
    private readonly ReadAgainAfter<TrigramCounts> trigramCounts = new(TimeSpan.FromMinutes(10));

    /// <summary>
    /// The trigram counts <see cref="TrigramQuery(string, TrigramCounts?)"/> leaves common trigrams out by in the queries of the current call of
    /// <see cref="CandidatesAsync"/> or <see cref="NewestCandidatesAsync"/>: each sets it for the calls it makes (an async method's
    /// change stays with its own flow), so the many places that build an FTS5 query need not pass it along.
    /// </summary>
    private static readonly AsyncLocal<TrigramCounts?> TrigramCountsOfCall = new();

    /// <summary>
    /// In how many of a sample's <paramref name="Rows"/> entries each trigram occurs (<see cref="TrigramCountsAsync"/>).
    /// </summary>
    public sealed record TrigramCounts(int Rows, IReadOnlyDictionary<string, int> Counts)
    {
        /// <summary>Whether one sampled entry in <see cref="CommonTrigramShare"/> or more holds the trigram (never in a sample under <see cref="TrigramSampleMinimum"/>).</summary>
        public bool IsCommon(string trigram) => Rows >= TrigramSampleMinimum && (long)Counts.GetValueOrDefault(trigram) * CommonTrigramShare >= Rows;

        /// <summary>Whether at most one sampled entry in <see cref="RareTrigramShare"/> holds the trigram.</summary>
        public bool IsRare(string trigram) => (long)Counts.GetValueOrDefault(trigram) * RareTrigramShare <= Rows;
    }

    /// <summary>A row of <see cref="CommonTrigramsAsync"/>'s sample: the texts the main index holds of one entry.</summary>
    private sealed record IndexedTexts(string? Comment, string Value);

    /// <summary>How many entries <see cref="CommonTrigramsAsync"/> samples, evenly over the ids.</summary>
    private const int TrigramSampleRows = 2_000;

    /// <summary>A sample of fewer entries tells nothing worth acting on, and a list that small is quick to read whole.</summary>
    private const int TrigramSampleMinimum = 500;

    /// <summary>A trigram held by at least one in this many sampled entries is common (at a million entries, 50,000 of them).</summary>
    private const int CommonTrigramShare = 20;

    /// <summary>
    /// Common trigrams are left out only when the rarest trigram asked is held by at most one sampled entry in this many, which bounds
    /// the candidates read and tested: the common lists together might otherwise have narrowed them more than the rest.
    /// </summary>
    private const int RareTrigramShare = 100;

    /// <summary>
    /// In how many of <see cref="TrigramSampleRows"/> entries spread evenly over the ids each trigram occurs, in either text the main
    /// index holds (the folded comment, the value with a phone's digits as it indexes them), read again every ten minutes; empty when
    /// off. A trigram in one entry in <see cref="CommonTrigramShare"/> is common (none in fewer than <see cref="TrigramSampleMinimum"/>
    /// entries). FTS5 reads a trigram's whole list, so one that
    /// half the entries hold costs as much as the rest of the query: "list7.example" read the lists of "lis", "exa", "mpl" and "ple"
    /// (half a million entries each) for 25 of its 27 ms at a million entries, while "st7", "t7." and "7.e" alone named the same 502
    /// candidates in 1.5 ms. The sample costs about 5 ms each time it is read. Only speed depends on it: the candidates are tested
    /// against the whole text either way.
    /// </summary>
    private async Task<TrigramCounts?> TrigramCountsAsync(CrmDbContext db, CancellationToken ct) =>
        LeavesOutCommonTrigrams ? await trigramCounts.GetAsync(() => ReadTrigramCountsAsync(db, ct)) : null;

    /// <summary>Reads <see cref="TrigramCountsAsync"/>'s counts.</summary>
    private static async Task<TrigramCounts> ReadTrigramCountsAsync(CrmDbContext db, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var id = e.Column(x => x.Id);
        var sql = $"""
            WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {TrigramSampleRows - 1}),
                b(lo, hi) AS (SELECT (SELECT min({id}) FROM {e.Table}), (SELECT max({id}) FROM {e.Table}))
            SELECT "CommentFolded" AS "Comment", "Value" FROM "ExceptionSearchSource" WHERE "Id" IN (SELECT lo + (hi - lo) * i / {TrigramSampleRows - 1} FROM k, b)
            """;
        var rows = await db.Database.SqlQueryRaw<IndexedTexts>(sql).ToListAsync(ct);
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        var ofRow = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            ofRow.Clear();
            ofRow.UnionWith(Trigrams(row.Comment ?? ""));
            ofRow.UnionWith(Trigrams(row.Value));
            foreach (var trigram in ofRow)
            {
                held[trigram] = held.GetValueOrDefault(trigram) + 1;
            }
        }

        return new TrigramCounts(rows.Count, held);
    }

    /// <summary>The text's trigrams, of characters (code points) as the trigram tokenizer counts them, in order.</summary>
    private static string[] Trigrams(string text)
    {
        var characters = text.EnumerateRunes().Select(r => r.ToString()).ToArray();
        return Enumerable.Range(0, Math.Max(0, characters.Length - 2)).Select(i => string.Concat(characters[i..(i + 3)])).ToArray();
    }

    /// <inheritdoc />
    public IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids) =>
        db.ExceptionEntries.Where(e => EF.Parameter(ids).Contains(e.Id));

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.WithTypeOfCommentAsync"/> The pairs (a GLOB reads them all, so only up to
    /// <see cref="ScannedPairsLimit"/>) and the rows above the index's mark are read in one statement.
    /// </summary>
    public async Task<ExceptionFilter> WithTypeOfCommentAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        var e = new StoreNames<ExceptionEntry>(db.Model);
        if (!TextSearchTerms.MayTakeTypeOfComment(filter) || CommentQuery.For(e, TextSearchTerms.Of(e, filter).First()) is not { } comments)
        {
            return filter;
        }

        var types = await db.Database.SqlQueryRaw<string>(comments.TypesSql, comments.Parameters).ToListAsync(ct);
        return TextSearchTerms.OneType(e, types) is { } type ? filter with { Type = type } : filter;
    }

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.CandidatesAsync"/> A comment text held by at most
    /// <see cref="TextSearchTerms.DistinctCommentsLimit"/> distinct pairs of comment and type is looked up among them
    /// (<see cref="ByCommentAsync"/>): exact, of the filter's type, and with no order. Otherwise FTS5 walks a term's
    /// document list in either direction, so the candidates are read newest first, by the index's rowid (the
    /// entry's id): a text too common for the candidates then still gives its newest ones, for the newest page
    /// and a lower bound. A filter with both a comment and a value text, unless few distinct comments hold the comment,
    /// has both looked up together, as two common texts are often rarely together.
    /// </summary>
    public async Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct)
    {
        TrigramCountsOfCall.Value = await TrigramCountsAsync(db, ct);
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var terms = TextSearchTerms.Of(e, filter).ToList();
        var together = IndexQuery.Together(e, terms);
        TextCandidates? tooMany = null;
        CommentQuery? commentPairs = null;
        foreach (var term in terms)
        {
            if (term.MatchesNothing)
            {
                return new TextCandidates([], IsComplete: true, IsExact: true);
            }

            if (CommentQuery.For(e, term) is { } comments && await comments.PairsAsync(db, ct) <= TextSearchTerms.DistinctCommentsLimit)
            {
                commentPairs = comments;
                // With a short value text, a comment in more entries than this is left to it (below): its entries, tested for
                // the comment, are fewer than the comment's to read ("telemarketing" with "00": 10,001 of them read in vain).
                var cap = terms is [_, { IsComment: false, IsShort: true }] ? ShortValueWithCommentFirst : TextSearchTerms.MaxCandidates;
                var found = await ByCommentAsync(db, comments, cap + 1, ct);
                var exact = TextSearchTerms.Covers(filter, [term]);
                if (found.Count <= cap)
                {
                    return new TextCandidates(found, IsComplete: true, IsExact: exact);
                }

                tooMany ??= new TextCandidates([], IsComplete: false, IsExact: exact);
                continue;
            }

            if (together is not null && commentPairs is not null && !term.IsComment
                && await CommentRowsWithValueAsync(db, commentPairs, together, shortValue: false, ct) is { } manyInCommentRows)
            {
                // More than the candidates' limit among the comment's first rows: fewer to read than FTS5's two lists.
                return manyInCommentRows;
            }

            if (term.IsShortComment || together is not null)
            {
                // Too short for FTS5, or both texts go to it together, below.
                continue;
            }

            if (LooksUpDigitWindows && await DigitWindowsAsync(db, e, filter, [term], ct) is { } byWindows)
            {
                if (byWindows.IsComplete || byWindows.IsExact)
                {
                    return byWindows;
                }

                tooMany ??= byWindows;
                continue;
            }

            // A short value text, unless common (the sample of IndexQuery.ForAsync), with a comment of trigrams: both in the main index
            // first, where they are together in fewer entries than the comment's rows or the value's ("99" of type Email with
            // "telemarketing": 6,283 of 35,000 and 125,000).
            var (query, lookedUp) = (default(IndexQuery), false);
            if (terms is [{ IsComment: true, IsShort: false } longComment, _] && term is { IsComment: false, IsShort: true })
            {
                (query, lookedUp) = (await IndexQuery.ForAsync(db, e, term, skipCommon: ScansCommonShortTexts, ct), true);
                if (query is not null && await CommentWithShortValueAsync(db, e, longComment, term, ct) is { } viaMainIndex)
                {
                    return viaMainIndex;
                }
            }

            if (commentPairs is not null && term is { IsComment: false, IsShort: true }
                && await CommentRowsWithValueAsync(db, commentPairs, new IndexQuery(e, terms), shortValue: true, ct) is { } inCommentRows)
            {
                // The comment's few rows, each tested for the short value text, are fewer to read than the value's many.
                return inCommentRows;
            }

            query = lookedUp ? query : await IndexQuery.ForAsync(db, e, term, skipCommon: ScansCommonShortTexts, ct);
            if (query is null)
            {
                // A short value text common enough that the scan finds the candidates' limit sooner.
                continue;
            }

            if (terms is [{ IsComment: true } comment, _] && term.IsShort)
            {
                // A short value text with a comment: its entries, each tested for the comment ("00" of type Email with
                // "telemarketing": 5,186 of 18,000, 212–258 ms as a scan). So too when the value has a long text beside it (a
                // query's digits are short, its text not: "5 5" with "7" was a scan, 305 ms), and a comment too short for FTS5.
                var both = await ShortValueWithCommentAsync(db, query, comment, TextSearchTerms.MaxCandidates + 1, ct);
                return new TextCandidates(both, IsComplete: both.Count <= TextSearchTerms.MaxCandidates, IsExact: query.IsExact);
            }

            var ids = await NewestAsync(db, query, TextSearchTerms.MaxCandidates + 1, ct);
            var isExact = query.IsExact && TextSearchTerms.Covers(filter, [term]);
            if (ids.Count <= TextSearchTerms.MaxCandidates)
            {
                return new TextCandidates(ids, IsComplete: true, IsExact: isExact);
            }

            if (!query.IsExact && await VerifiedAsync(db, query, TextSearchTerms.Covers(filter, [term]), ct) is { } verified)
            {
                if (verified.IsComplete || verified.IsExact)
                {
                    return verified;
                }

                tooMany ??= verified;
                continue;
            }

            tooMany ??= new TextCandidates(ids, IsComplete: false, IsExact: isExact);
        }

        if (together is not null && LooksUpDigitWindows && await DigitWindowsAsync(db, e, filter, terms, ct) is { } bothByWindows)
        {
            // A comment with a phone's digits: the digits' windows, each row tested for the comment too ("batch" with "2000000": FTS5 had
            // every phone's trigrams of both).
            return bothByWindows;
        }

        if (together is not null)
        {
            var ids = await NewestAsync(db, together, TextSearchTerms.MaxCandidates + 1, ct);
            return ids.Count <= TextSearchTerms.MaxCandidates
                ? new TextCandidates(ids, IsComplete: true)
                : await VerifiedAsync(db, together, TextSearchTerms.Covers(filter, together.Terms), ct) ?? new TextCandidates(ids, IsComplete: false);
        }

        return tooMany;
    }

    /// <summary>
    /// The filter's value term (the last of <paramref name="terms"/>) when its phone arm has at least four digits (<see cref="PhoneDigitWindows.LooksUp"/>),
    /// looked up by the phones' digit windows (<see cref="SqlitePhoneDigitWindows"/>), with the comment term before it if
    /// <paramref name="terms"/> holds one, tested on each row: trigrams narrow nothing among phones that share most digits, so every such text read
    /// the FTS5 candidates of every phone (at 1M, p50 / p95 over HTTP: "2000000" 286 / 434 ms, "0000" 240 / 376, "20000" 340 / 544,
    /// "12000000004" 187 / 231; with the comment "batch", 427–920 / 749–1,203 in two runs). The phones' matches come from <see cref="PhoneWindowMatchesAsync"/>,
    /// exact; the term's other arm (addresses and domains, on the text, when the filter names no type) from the trigram index, each candidate
    /// tested (<see cref="VerifiedAsync"/>). Complete when both read every match and together they are at most
    /// <see cref="TextSearchTerms.MaxCandidates"/>; otherwise the newest <see cref="TextSearchTerms.MaxCandidates"/> + 1 of them. Exact when the
    /// terms cover the filter. Null when the term has no such arm, or either part would read too much to tell: the trigram path then answers.
    /// With <paramref name="newest"/>, the phones' matches are read only that far (<see cref="NewestCandidatesAsync"/>'s count): the ids are then
    /// the newest matches, all of them when fewer, and the answer says nothing of the total.
    /// </summary>
    private async Task<TextCandidates?> DigitWindowsAsync(
        CrmDbContext db, StoreNames<ExceptionEntry> e, ExceptionFilter filter, IReadOnlyList<TextTerm> terms, CancellationToken ct, int? newest = null)
    {
        var (term, before) = (terms[^1], terms.Take(terms.Count - 1).ToList());
        if (term.IsComment || term.Arms.FirstOrDefault(a => IndexQuery.IsPhoneValue(term, a)) is not { Texts: [var digits] } phones
            || !PhoneDigitWindows.LooksUp(digits) || !digits.All(char.IsAsciiDigit))
        {
            return null;
        }

        var limit = newest ?? TextSearchTerms.MaxCandidates + 1;
        if (await PhoneWindowMatchesAsync(db, e, [.. before, term with { Arms = [phones] }], digits, limit, ct) is not { } phoneMatches)
        {
            return null;
        }

        var (ids, complete) = (phoneMatches, phoneMatches.Count < limit);
        var others = term.Arms.Where(a => !ReferenceEquals(a, phones)).ToList();
        if (others.Count > 0)
        {
            // Addresses and domains holding the digits ("sender20000…"): few, and their trigrams do narrow them.
            if (await VerifiedAsync(db, new IndexQuery(e, [.. before, term with { Arms = others }]), coversFilter: true, ct) is not { } rest)
            {
                return null;
            }

            (ids, complete) = ([.. ids, .. rest.Ids], complete && rest.IsComplete);
        }

        var covers = TextSearchTerms.Covers(filter, terms);
        var distinct = ids.Distinct().ToList();
        return complete && distinct.Count <= TextSearchTerms.MaxCandidates
            ? new TextCandidates(distinct, IsComplete: true, IsExact: covers)
            : new TextCandidates(TextSearchTerms.NewestOf(distinct, TextSearchTerms.MaxCandidates + 1), IsComplete: false, IsExact: covers);
    }

    /// <summary>
    /// Past this many window rows to read, <see cref="PhoneWindowMatchesAsync"/> leaves a text to the trigram path when not every row is a
    /// match (its rarest window, for seven digits or more; any text with a comment): each row is read by key and tested, about 1 µs, so
    /// 30,000 take some 30 ms. The benchmark's most common six-digit window, "120000", has 50,000 rows; "2000000"'s rarer one 500.
    /// </summary>
    public const int WindowRowsLimit = 30_000;

    /// <summary>How many rows of a window <see cref="PhoneWindowMatchesAsync"/> counts at most (<see cref="WindowRowsLimit"/>; a test lowers it).</summary>
    internal int WindowRows { get; init; } = WindowRowsLimit;

    /// <summary>
    /// With a comment, the windows' rows are read up to this many times <see cref="WindowRows"/> (120,000): a comment that reaches this
    /// far is common (a rare one's pairs answered before), so its matches among the rows end the read early, and at worst the rows are
    /// read once. At 1M, "0000" (50,000 rows) with "batch" took 237 / 259 ms p50 / p95 through the trigram path, with "batch 1" (5,519 of
    /// them) 101 / 108.
    /// </summary>
    private const int CommentWindowRowsFactor = 4;

    /// <summary>A query's window (its index in <see cref="PhoneDigitWindows.ForText"/>) and its rows, counted up to a limit.</summary>
    private sealed record WindowCount(long Index, long Rows);

    /// <summary>
    /// The newest entries meeting <paramref name="terms"/> (a comment term perhaps, then the phone arm of the value, whose text is
    /// <paramref name="digits"/>, at least four ASCII digits), newest first, at most <paramref name="limit"/> (fewer: every one), each
    /// tested in the entries' table (<see cref="IndexQuery.TableCondition"/>); or null when more than <see cref="WindowRows"/> window rows would be read with some of them no match. Every match holds each window of its text (<see cref="PhoneDigitWindows.ForText"/>):
    /// a text of four or six digits is its one window, whose rows are its matches; of seven or more, the rows of its rarest window are read and
    /// tested ("2000000": "000000", 500 rows, where "200000" has 5,000). A text of five digits is looked up by the six-digit windows that hold
    /// it, with one digit before or after it (20), and the values of exactly its digits: its four-digit windows are in every phone of the
    /// benchmark, and "20000"'s newest matches are the oldest tenth of its million entries, so a four-digit window's rows, read newest first,
    /// took 450,000 to find them. Each list is read newest first by key and SQLite merges them (a compound SELECT with ORDER BY reads each as far
    /// as its LIMIT needs), with the rows above the index's mark, in one statement. The values are E.164 as the normalizer writes them (a '+',
    /// digits, and a prefix's '*' after them), which the windows assume.
    /// </summary>
    private async Task<List<long>?> PhoneWindowMatchesAsync(
        CrmDbContext db, StoreNames<ExceptionEntry> e, IReadOnlyList<TextTerm> terms, string digits, int limit, CancellationToken ct)
    {
        var types = terms[^1].Arms.Single().Types!;
        var query = new IndexQuery(e, terms);
        var (id, value, table) = (e.Column(x => x.Id), e.Column(x => x.Value), SqlitePhoneDigitWindows.Table);
        string Keys(IEnumerable<string> windows) => string.Join(", ", windows.SelectMany(w => types.Select(t => SqlitePhoneDigitWindows.Key(t, w))));
        // Each list's rows counted on the table's key alone, up to the limit: 1–5 ms.
        string Count(IEnumerable<string> windows, int limit) =>
            $"""(SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE "Window" IN ({Keys(windows)}) LIMIT {limit + 1}))""";
        object[] parameters = [.. query.GlobParameters];
        var lists = new List<string>();
        IReadOnlyList<string> windows;
        var forText = PhoneDigitWindows.ForText(digits);
        if (digits.Length == PhoneDigitWindows.ShortLength + 1)
        {
            windows = [.. Enumerable.Range(0, 10).SelectMany(d => new[] { digits + d, d + digits }).Distinct()];
            // A value of exactly these digits has no six-digit window (E.164: '+' before them, and a prefix's '*' after).
            lists.Add($$"""SELECT {{id}} AS "Candidate" FROM {{e.Table}} WHERE {{value}} IN ({{{parameters.Length}}}, {{{parameters.Length + 1}}}) AND {{query.TableCondition}}""");
            parameters = [.. parameters, "+" + digits, "+" + digits + "*"];
        }
        else if (forText.Count == 1)
        {
            windows = forText;
        }
        else
        {
            var countSql = string.Join("\nUNION ALL\n", forText.Select((w, i) => $"""SELECT {i} AS "Index", {Count([w], WindowRows)} AS "Rows" """));
            var rarest = (await db.Database.SqlQueryRaw<WindowCount>(countSql).ToListAsync(ct)).MinBy(c => c.Rows)!;
            if (rarest.Rows > WindowRows)
            {
                return null;
            }

            windows = [forText[(int)rarest.Index]];
        }

        var withComment = CommentWindowRowsFactor * WindowRows;
        var rowsSql = $"""SELECT {Count(windows, withComment)} AS "Value" """;
        if (terms.Count > 1 && (forText.Count == 1 || digits.Length == PhoneDigitWindows.ShortLength + 1)
            && await db.Database.SqlQueryRaw<long>(rowsSql).SingleAsync(ct) > withComment)
        {
            // With a comment not every row of the windows matches, and a common window's would all be read.
            return null;
        }

        // Each list joins the entries by key: its condition's "+" keeps SQLite off the index on the type (IndexQuery.TableCondition).
        lists.AddRange(windows.SelectMany(w => types.Select(t => $"""
            SELECT w."EntryId" AS "Candidate" FROM "{table}" AS w JOIN {e.Table} ON {id} = w."EntryId"
            WHERE w."Window" = {SqlitePhoneDigitWindows.Key(t, w)} AND {query.TableCondition}
            """)));
        lists.Add($"""
            SELECT {id} AS "Candidate" FROM {e.Table} WHERE {id} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {query.TableCondition}
            """);
        var sql = $"""
            SELECT "Candidate" AS "Value" FROM ({string.Join("\nUNION\n", lists)}
                ORDER BY 1 DESC LIMIT {limit})
            """;
        return await db.Database.IdsAsync(sql, parameters, ct);
    }

    /// <summary>
    /// At most this many of a text's index candidates are read by key and tested (<see cref="VerifiedAsync"/>): about 0.6 µs each
    /// (56,000 in 36 ms at 4.5 million entries).
    /// </summary>
    public const int VerifiedCandidatesLimit = 200_000;

    /// <summary>How many index candidates <see cref="VerifiedAsync"/> reads at most (<see cref="VerifiedCandidatesLimit"/>; a test lowers it).</summary>
    internal int VerifiedCandidates { get; init; } = VerifiedCandidatesLimit;

    /// <summary>
    /// The query's matches among its index's candidates when those are more than the candidates' limit: the trigrams a text is
    /// asked for are a superset of it (the index keeps no positions, detail=none), and numbered phones share most of theirs
    /// ("1200000001": 56,462 candidates for 5 matches among 4.5 million entries, whose count was a scan of them all, 524 ms).
    /// The candidates are read newest first by key and each tested (<see cref="IndexQuery.TableCondition"/>), with the rows
    /// above the index's mark, until more than the candidates' limit match: then those are the newest matches, an incomplete
    /// answer whose total is a lower bound (exact when <paramref name="coversFilter"/>); or until the candidates run out: every
    /// match, complete and exact. Null when <see cref="VerifiedCandidates"/> candidates were read with fewer matches, which
    /// tells neither.
    /// </summary>
    private async Task<TextCandidates?> VerifiedAsync(CrmDbContext db, IndexQuery query, bool coversFilter, CancellationToken ct)
    {
        var (e, id, limit) = (query.Names, query.Names.Column(x => x.Id), TextSearchTerms.MaxCandidates + 1);
        // Each index's candidates, newest first, within the rows a LIMIT clause names.
        IEnumerable<string> Candidates(string rows) => query.Matches.Select((match, i) => $$"""
            SELECT rowid AS "Candidate" FROM "{{match.Table}}" WHERE "{{match.Table}}" MATCH {{{query.MatchParameter + i}}} ORDER BY rowid DESC {{rows}}
            """);
        var candidates = Candidates($"LIMIT {VerifiedCandidates}").ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var tested = candidates.Select(c => $$"""
            UNION ALL
            SELECT "Value" FROM (SELECT {{id}} AS "Value" FROM ({{c}}) AS c JOIN {{e.Table}} ON {{id}} = c."Candidate" WHERE {{query.TableCondition}} LIMIT {{limit}})
            """);
        var sql = $$"""
            SELECT "Value" FROM (SELECT {{id}} AS "Value" FROM {{e.Table}}
                WHERE {{id}} > {{query.FirstId}} AND {{query.TableCondition}} ORDER BY {{id}} DESC LIMIT {{limit}})
            {{string.Join("\n", tested)}}
            """;
        var ids = TextSearchTerms.NewestOf(await db.Database.IdsAsync(sql, query.Parameters, ct), limit);
        if (ids.Count > TextSearchTerms.MaxCandidates)
        {
            return new TextCandidates(ids, IsComplete: false, IsExact: coversFilter);
        }

        // Fewer matches: every one of them only if no index had more candidates than were read.
        var pastRead = string.Join(" UNION ALL ", Candidates($"LIMIT 1 OFFSET {VerifiedCandidates}").Select(c => $"SELECT 1 FROM ({c})"));
        var moreSql = $"""SELECT EXISTS ({pastRead}) AS "Value" """;
        var more = await db.Database.SqlQueryRaw<bool>(moreSql, query.Parameters).SingleAsync(ct);
        return more ? null : new TextCandidates(ids, IsComplete: true, IsExact: coversFilter);
    }

    /// <summary>
    /// At most this many rows of a comment are read to test each for a value text (<see cref="CommentRowsWithValueAsync"/>), or twice
    /// as many until more than the candidates' limit match: about 1 µs each at a million entries.
    /// </summary>
    public const int CommentRowsLimit = 25_000;

    /// <summary>What <see cref="CommentRowsWithValueAsync"/>'s statement adds when the comment has more rows than it read (no entry has this id).</summary>
    private const long RowsPastLimit = -2;

    /// <summary>
    /// The filter's comment and value text together (<paramref name="both"/>, comment first), from the comment's rows, found
    /// exactly by its pairs of comment and type (<paramref name="comments"/>), each read by key and tested for the value, or null
    /// when that would read more than <see cref="CommentRowsLimit"/> rows to answer, or it did. With a short value text, read to the
    /// end when the comment has at most that many rows: every match, complete and exact ("7" with "partner batch 3", 4,502 of 13,875: a scan of a
    /// million entries, 314 ms, against 40–58; a rare value's own index would be quicker, but only after a sample to tell it is
    /// rare, and these rows take 25 ms at the most). Or, with more rows, when a probe of them says more than
    /// <see cref="TextSearchTerms.MaxCandidates"/> match among twice the limit's rows, until they do, which tells the total is more
    /// than that ("1" with "batch 2"; "9" of type Phone with "batch 1", in a quarter of its rows: a scan for them took 70 ms). A value of
    /// trigrams (not <paramref name="shortValue"/>) is read so only for that lower bound: otherwise FTS5 looks both texts up
    /// together. The rows above the index's mark are matched in the table, in the same statement.
    /// </summary>
    private async Task<TextCandidates?> CommentRowsWithValueAsync(CrmDbContext db, CommentQuery comments, IndexQuery both, bool shortValue, CancellationToken ct)
    {
        var (e, id) = (both.Names, both.Names.Column(x => x.Id));
        var globs = both.GlobParameters.ToList();
        object[] parameters = [.. globs, .. comments.Parameters];
        var value = both.TermTableConditions[1];
        string Rows(int limit) => $"""SELECT "EntryId" FROM "ExceptionSearchCommentEntries" WHERE "CommentId" IN ({comments.PairIdsSqlAt(globs.Count)}) LIMIT {limit + 1}""";
        var (limit, toTheEnd) = (CommentRows, true);
        if (SamplesCommentRows)
        {
            // The comment's rows counted on the pairs' index alone, and the value tested on one in CommentProbeStride of them (by
            // id, so spread over the pairs): 3–5 ms, where a sample of the whole table took 6–10.
            var probe = $"""
                WITH m AS ({Rows(CommentRows)})
                SELECT count(*) AS "Rows", coalesce(avg(CASE WHEN m."EntryId" % {CommentProbeStride} = 0 THEN (
                    SELECT CASE WHEN {value} THEN 1.0 ELSE 0.0 END FROM {e.Table} WHERE {e.Table}.{id} = m."EntryId") END), 0.0) AS "Share"
                FROM m
                """;
            var comment = (await db.Database.SqlQueryRaw<CommentRowsProbe>(probe, parameters).ToListAsync(ct)).Single();
            var enough = 1.1 * (TextSearchTerms.MaxCandidates + 1);
            if (comment.Rows > CommentRows)
            {
                // Read only until more than the candidates' limit match, which the probe says twice the limit's rows hold.
                (limit, toTheEnd) = (2 * CommentRows, false);
                if (comment.Share * limit < enough)
                {
                    return null;
                }
            }
            else if (!shortValue)
            {
                // A value of trigrams is quicker to look up with the comment in FTS5 unless this gives a lower bound.
                toTheEnd = false;
                if (comment.Share * comment.Rows < enough)
                {
                    return null;
                }
            }
        }

        // Each branch stops on its own: the matches at the candidates' cap, the rows at the limit. Whether the comment has more rows
        // is asked (on the pairs' index alone, 5–10 ms for 50,000) only when the rows are to be read to the end; NOT MATERIALIZED
        // lets the matches stop the rows' read (materialized, all 50,000 were read first).
        var cap = TextSearchTerms.MaxCandidates + 1;
        var sql = $"""
            WITH m AS NOT MATERIALIZED ({Rows(limit)})
            SELECT "Value" FROM (SELECT e.{id} AS "Value" FROM m JOIN {e.Table} AS e ON e.{id} = m."EntryId" WHERE {value} LIMIT {cap})
            {(toTheEnd ? $"UNION ALL SELECT {RowsPastLimit} WHERE EXISTS (SELECT 1 FROM m LIMIT 1 OFFSET {limit})" : "")}
            UNION ALL
            SELECT "Value" FROM (SELECT {id} AS "Value" FROM {e.Table}
                WHERE {id} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {both.TableCondition} LIMIT {cap})
            """;
        var found = await db.Database.IdsAsync(sql, parameters, ct);
        var readToTheEnd = toTheEnd && !found.Remove(RowsPastLimit);
        var ids = found.Distinct().ToList();
        return ids.Count > TextSearchTerms.MaxCandidates ? new TextCandidates([], IsComplete: false, IsExact: true)
            : readToTheEnd ? new TextCandidates(ids, IsComplete: true, IsExact: true)
            : null;
    }

    /// <summary>
    /// <see cref="CommentRowsWithValueAsync"/> first tests the value on the comment's rows whose id this divides, one in this many
    /// (a prime, so that ids in steps of a round number are probed as often as any).
    /// </summary>
    private const int CommentProbeStride = 53;

    /// <summary>A comment's rows (counted up to one more than the limit) and the share (0 to 1) of the probed ones holding the value.</summary>
    private sealed record CommentRowsProbe(long Rows, double Share);

    /// <summary>Up to this many entries of a comment with a short value text are its candidates; past it the value's are read.</summary>
    private const int ShortValueWithCommentFirst = 2_000;

    /// <summary>
    /// The newest <paramref name="count"/> entries holding a short value text (<paramref name="value"/>, looked up in the
    /// values' own index alone) and the comment, newest first: the rows above the index's mark matched in the table, then
    /// the value's indexed entries, each read by key and tested for the comment. Exact when the value's lookup is.
    /// </summary>
    private static async Task<IReadOnlyList<long>> ShortValueWithCommentAsync(CrmDbContext db, IndexQuery value, TextTerm comment, int count, CancellationToken ct)
    {
        var both = new IndexQuery(value.Names, [comment, .. value.Terms]);
        var (e, id) = (value.Names, value.Names.Column(x => x.Id));
        // The comment's texts are the first parameters of both queries, so its condition reads the same ones. It is asked of the
        // entry in a subquery, where its columns are the entries' own: the main index has a column of the same name.
        var commentCondition = new IndexQuery(value.Names, [comment]).TableCondition;
        var indexed = value.Matches.Select((match, i) => $$"""
            UNION ALL
            SELECT "Value" FROM (SELECT v.rowid AS "Value" FROM "{{match.Table}}" AS v
                WHERE "{{match.Table}}" MATCH {{{both.MatchParameter + i}}} AND EXISTS (SELECT 1 FROM {{e.Table}} WHERE {{id}} = v.rowid AND {{commentCondition}})
                ORDER BY v.rowid DESC LIMIT {{count}})
            """);
        var sql = $$"""
            SELECT "Value" FROM (SELECT {{id}} AS "Value" FROM {{e.Table}}
                WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{both.TableCondition}} ORDER BY {{id}} DESC LIMIT {{count}})
            {{string.Join("\n", indexed)}}
            """;
        object[] parameters = [.. both.GlobParameters, .. value.Matches.Select(m => m.Query)];
        var ids = await db.Database.IdsAsync(sql, parameters, ct);
        return TextSearchTerms.NewestOf(ids, count);
    }

    /// <summary>
    /// The entries holding a comment of trigrams and a short value text (every text of the value under three characters), when they
    /// are at most the candidates' limit: complete, and exact when the value's own index tells its types. The main index
    /// ("ExceptionSearch") is asked for the comment's trigrams together with any trigram of its vocabulary that starts with one of the
    /// value's texts (a phone's digits as it holds them): a value holds such a trigram wherever the text stands but among its last two
    /// characters. It keeps no type and tells no column from the other (detail=none), so each entry it gives is read and tested. The
    /// values holding the text among their last two characters, and those shorter than three, have a trigram with an end mark in the
    /// values' own index, whose entries are tested for the comment as <see cref="ShortValueWithCommentAsync"/> does, with the rows
    /// above the index's mark. "telemarketing" with "99" of type Email: 6,283 entries from the index's lists, where the value's 35,000,
    /// each read to test the comment, took 131 ms at a million entries. Null when the comment is too short for trigrams, a text starts
    /// too many trigrams (<see cref="ShortValueTermsLimit"/>), or more than the candidates' limit match: the caller then reads the
    /// value's entries.
    /// </summary>
    private static async Task<TextCandidates?> CommentWithShortValueAsync(
        CrmDbContext db, StoreNames<ExceptionEntry> e, TextTerm comment, TextTerm value, CancellationToken ct)
    {
        if (comment.IsShort || !value.Arms.SelectMany(a => a.Texts).All(TextSearchTerms.IsShort)
            || await IndexQuery.ForAsync(db, e, value, skipCommon: false, ct, valueEndsOnly: true) is not { } atValueEnds)
        {
            return null;
        }

        var starting = new List<string>();
        foreach (var arm in value.Arms)
        {
            foreach (var text in arm.Texts)
            {
                var trigrams = await ShortValueTermsAsync(db, MainSearchTable, IndexQuery.IsPhoneValue(value, arm) ? IndexedPhoneText(text) : text, ct);
                if (trigrams.Count >= ShortValueTermsLimit)
                {
                    return null;
                }

                starting.AddRange(trigrams);
            }
        }

        var cap = TextSearchTerms.MaxCandidates + 1;
        var ids = await ShortValueWithCommentAsync(db, atValueEnds, comment, cap, ct);
        if (starting.Count > 0)
        {
            // Each entry the index gives is read to test the filter's texts and types (as a subquery, where the names are the
            // entries' own: the index has columns of the same names), so the answer is exact.
            var both = new IndexQuery(e, [comment, value]);
            var match = $"({new IndexQuery(e, [comment]).Matches.Single().Query}) AND ({string.Join(" OR ", starting.Distinct().Select(Quoted))})";
            var (table, id) = (e.Table, e.Column(x => x.Id));
            var sql = $$"""
                SELECT v.rowid AS "Value" FROM "{{MainSearchTable}}" AS v
                WHERE "{{MainSearchTable}}" MATCH {{{both.MatchParameter}}} AND EXISTS (SELECT 1 FROM {{table}} WHERE {{id}} = v.rowid AND {{both.TableCondition}})
                LIMIT {{cap}}
                """;
            ids = [.. ids, .. await db.Database.IdsAsync(sql, [.. both.GlobParameters, match], ct)];
        }

        var candidates = ids.Distinct().ToList();
        return candidates.Count <= TextSearchTerms.MaxCandidates ? new TextCandidates(candidates, IsComplete: true, IsExact: atValueEnds.IsExact) : null;
    }

    /// <summary>
    /// <inheritdoc cref="IExceptionTextSearch.NewestCandidatesAsync"/> A filter with both a comment and a value text
    /// looks both up together: a phone's digits by their windows (<see cref="DigitWindowsAsync"/>), each row tested for the comment, as
    /// the candidates are; anything else through FTS5. Otherwise a comment text held by at most <see cref="NewestByCommentLimit"/>
    /// pairs of comment and type is read pair by pair (<see cref="NewestByCommentAsync"/>), any other text through
    /// FTS5 from the newest.
    /// </summary>
    public async Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct)
    {
        TrigramCountsOfCall.Value = await TrigramCountsAsync(db, ct);
        var e = new StoreNames<ExceptionEntry>(db.Model);
        var terms = TextSearchTerms.Of(e, filter).ToList();
        if (IndexQuery.Together(e, terms) is { } both)
        {
            // FTS5 holds the trigrams of the digits in nearly every phone: "partner" with "20000", whose matches are among the oldest
            // entries, had none among the 6,400 newest of its trigram candidates, and its page became a scan (270–350 ms at 1M).
            return LooksUpDigitWindows && await DigitWindowsAsync(db, e, filter, terms, ct, newest: count) is { } byWindows
                ? TextSearchTerms.NewestOf(byWindows.Ids, count)
                : await NewestAsync(db, both, count, ct);
        }

        foreach (var term in terms)
        {
            if (term.MatchesNothing)
            {
                return [];
            }

            // A short text has no trigrams for FTS5: its pairs are the only way, while there are not too many.
            if (CommentQuery.For(e, term) is { } comments
                && await comments.PairsAsync(db, ct) <= (term.IsShort ? TextSearchTerms.DistinctCommentsLimit : NewestByCommentLimit))
            {
                return await NewestByCommentAsync(db, comments, count, ct);
            }

            if (!term.IsShortComment)
            {
                // A short value text in too many contexts for the index (ForAsync's null) is read by a scan from the newest.
                return await NewestAsync(db, await IndexQuery.ForAsync(db, e, term, skipCommon: false, ct) ?? IndexQuery.Scan(e, term), count, ct);
            }
        }

        throw new InvalidOperationException("The filter has no text the index can look up.");
    }

    /// <summary>
    /// The pairs of comment and type have no trigram index here (a GLOB reads them all: about 1 ms for the
    /// benchmark's 8,000), so past this many a comment filter goes through FTS5 instead, as when most entries
    /// have a comment of their own.
    /// </summary>
    public const int ScannedPairsLimit = 50_000;

    /// <summary>
    /// Up to this many pairs of comment and type, <see cref="NewestCandidatesAsync"/> reads each pair's newest
    /// entries by key; past it, FTS5's walk from the newest is quicker.
    /// </summary>
    public const int NewestByCommentLimit = 256;

    /// <summary>
    /// At most <paramref name="cap"/> entries holding one of the comment's pairs (exact, in no order): the indexed
    /// ones by key, and the rows above the index's mark matched in the table itself, in one statement, so the
    /// pairs, the mark and the rows are one snapshot.
    /// </summary>
    private static async Task<List<long>> ByCommentAsync(CrmDbContext db, CommentQuery comments, int cap, CancellationToken ct)
    {
        var sql = $"""
            SELECT "Value" FROM (SELECT "EntryId" AS "Value" FROM "ExceptionSearchCommentEntries" WHERE "CommentId" IN ({comments.PairIdsSql}) LIMIT {cap})
            UNION ALL
            SELECT "Value" FROM ({comments.AboveMarkSql} LIMIT {cap})
            """;
        return await db.Database.IdsAsync(sql, comments.Parameters, ct);
    }

    /// <summary>
    /// The newest <paramref name="count"/> entries holding one of the comment's pairs, newest first: the rows above
    /// the index's mark (the newest of all), then each pair's newest by key. With at least as many pairs as ids
    /// wanted, the newest ids are no older than the count-th newest of the pairs' own newest ids, so only ids
    /// from there up are read.
    /// </summary>
    private static async Task<IReadOnlyList<long>> NewestByCommentAsync(CrmDbContext db, CommentQuery comments, int count, CancellationToken ct)
    {
        var sql = $"""
            WITH c AS (
                SELECT p."Id", (SELECT max("EntryId") FROM "ExceptionSearchCommentEntries" WHERE "CommentId" = p."Id") AS "Newest"
                FROM ({comments.PairIdsSql}) AS p),
            bound AS (
                SELECT CASE WHEN count(*) = {count} THEN min("Newest") ELSE 0 END AS "Id"
                FROM (SELECT "Newest" FROM c WHERE "Newest" IS NOT NULL ORDER BY "Newest" DESC LIMIT {count}))
            SELECT "Value" FROM ({comments.AboveMarkSql} ORDER BY 1 DESC LIMIT {count})
            UNION ALL
            SELECT "Value" FROM (
                SELECT m."EntryId" AS "Value" FROM "ExceptionSearchCommentEntries" AS m, bound
                WHERE m."CommentId" IN (SELECT c."Id" FROM c, bound WHERE c."Newest" >= bound."Id") AND m."EntryId" >= bound."Id"
                ORDER BY m."EntryId" DESC LIMIT {count})
            """;
        var ids = await db.Database.IdsAsync(sql, comments.Parameters, ct);
        return TextSearchTerms.NewestOf(ids, count);
    }

    /// <summary>
    /// A comment text (and the filter's type, if it names one) as SQL over the distinct pairs of comment and type
    /// (migration SearchCommentDictionary) and over the rows above the index's mark, which the pairs have not
    /// reached yet. Names come from the model; the pattern and the type are parameters ({0}, {1}).
    /// </summary>
    private sealed class CommentQuery
    {
        private readonly StoreNames<ExceptionEntry> e;
        private readonly string column;
        private readonly bool typed;

        private CommentQuery(StoreNames<ExceptionEntry> e, string column, string text, object? type)
        {
            (this.e, this.column) = (e, column);
            Parameters = type is null ? [GlobContaining(text)] : [GlobContaining(text), type];
            typed = type is not null;
        }

        /// <summary>The query for the filter's comment term, or null when the term is not the comment.</summary>
        public static CommentQuery? For(StoreNames<ExceptionEntry> e, TextTerm term) =>
            term is { IsComment: true, Arms: [{ Texts: [var text], Types: var types }] }
                ? new CommentQuery(e, term.Column, text, types is [var type] ? e.StoreValue(x => x.Type, type) : null)
                : null;

        public object[] Parameters { get; }

        /// <summary>The ids of the pairs holding the text, of the type.</summary>
        public string PairIdsSql => PairIdsSqlAt(0);

        /// <summary><see cref="PairIdsSql"/> with its <see cref="Parameters"/> numbered from <paramref name="first"/> on.</summary>
        public string PairIdsSqlAt(int first) =>
            $$"""SELECT "Id" FROM "ExceptionSearchComments" WHERE "CommentFolded" GLOB {{{first}}}{{(typed ? $$""" AND "Type" = {{{first + 1}}}""" : "")}}""";

        /// <summary>
        /// The types ("Value", at most two) of the pairs and of the rows above the index's mark holding the text; none
        /// when there are more than <see cref="ScannedPairsLimit"/> pairs in all.
        /// </summary>
        public string TypesSql
        {
            get
            {
                var (id, type) = (e.Column(x => x.Id), e.Column(x => x.Type));
                return $$"""
                    SELECT DISTINCT "Value" FROM (
                        SELECT "Type" AS "Value" FROM "ExceptionSearchComments" WHERE "CommentFolded" GLOB {0}
                        UNION ALL
                        SELECT {{type}} FROM {{e.Table}} WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{column}} GLOB {0})
                    WHERE (SELECT max("Id") FROM "ExceptionSearchComments") <= {{ScannedPairsLimit}}
                    LIMIT 2
                    """;
            }
        }

        /// <summary>The ids ("Value") of the rows above the index's mark holding the text, of the type.</summary>
        public string AboveMarkSql
        {
            get
            {
                var id = e.Column(x => x.Id);
                return $$"""
                    SELECT {{id}} AS "Value" FROM {{e.Table}}
                    WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{column}} GLOB {0}{{(typed ? $" AND {e.Column(x => x.Type)} = {{1}}" : "")}}
                    """;
            }
        }

        /// <summary>
        /// How many pairs hold the text, counted up to <see cref="TextSearchTerms.DistinctCommentsLimit"/> + 1, or
        /// <see cref="int.MaxValue"/> when there are more than <see cref="ScannedPairsLimit"/> pairs in all (their ids
        /// only grow, so the highest tells).
        /// </summary>
        public async Task<int> PairsAsync(CrmDbContext db, CancellationToken ct)
        {
            var sql = $"""
                SELECT CASE WHEN (SELECT max("Id") FROM "ExceptionSearchComments") > {ScannedPairsLimit} THEN {int.MaxValue}
                    ELSE (SELECT count(*) FROM ({PairIdsSql} LIMIT {TextSearchTerms.DistinctCommentsLimit + 1})) END AS "Value"
                """;
            return await db.Database.SqlQueryRaw<int>(sql, Parameters).SingleAsync(ct);
        }
    }

    /// <summary>
    /// The newest <paramref name="count"/> entries the query's terms may hold: the rows above the index's mark (the
    /// newest of all) matched in the table itself, then those of the index, by rowid from the newest. The index is
    /// asked for some of each text's trigrams (<see cref="TrigramQuery"/>) in either column: a superset, which the
    /// caller's own conditions narrow.
    /// </summary>
    private static async Task<IReadOnlyList<long>> NewestAsync(CrmDbContext db, IndexQuery query, int count, CancellationToken ct)
    {
        var (e, id) = (query.Names, query.Names.Column(x => x.Id));
        var indexed = query.Matches.Select((match, i) => $$"""
            UNION ALL
            SELECT "Value" FROM (SELECT rowid AS "Value" FROM "{{match.Table}}" WHERE "{{match.Table}}" MATCH {{{query.MatchParameter + i}}} ORDER BY rowid DESC LIMIT {{count}})
            """);
        var sql = $$"""
            SELECT "Value" FROM (SELECT {{id}} AS "Value" FROM {{e.Table}}
                WHERE {{id}} > {{query.FirstId}} AND {{query.TableCondition}} ORDER BY {{id}} DESC LIMIT {{count}})
            {{string.Join("\n", indexed)}}
            """;
        var ids = await db.Database.IdsAsync(sql, query.Parameters, ct);
        return TextSearchTerms.NewestOf(ids, count);
    }

    /// <summary>
    /// The filter's terms (<see cref="TextSearchTerms.Of"/>), one or all together, as an FTS5 query and as a condition
    /// on the entries' table for the rows above the index's mark. Column names and types come from the model; the
    /// texts' GLOB patterns are parameters in the terms' order, and the FTS5 query the last one. The index has no
    /// types, but a phone's or number prefix's digits are indexed as other characters (<see cref="IndexedPhoneText"/>,
    /// migration SearchValuesByType), so a value arm on phones reads only phones, and one on other entries never does.
    /// </summary>
    private sealed class IndexQuery
    {
        private readonly IReadOnlyList<TextTerm> terms;
        private readonly IReadOnlyList<(string Table, string Query)> shortValueMatches;

        public IndexQuery(StoreNames<ExceptionEntry> names, IReadOnlyList<TextTerm> terms, IReadOnlyList<(string Table, string Query)>? shortValueMatches = null) =>
            (Names, this.terms, this.shortValueMatches) = (names, terms, shortValueMatches ?? []);

        /// <summary>A query that asks no index: the term is matched in every row of the entries' table (<see cref="FirstId"/>).</summary>
        public static IndexQuery Scan(StoreNames<ExceptionEntry> names, TextTerm term) => new(names, [term]) { scans = true };

        private bool scans;

        /// <summary>Where the rows matched in the entries' table start: above the index's mark, or every row for <see cref="Scan"/>.</summary>
        public string FirstId => scans ? "0" : """(SELECT "IndexedUpTo" FROM "ExceptionSearchState")""";

        /// <summary>One query for the filter's comment and value together, or null unless both have trigrams to look up.</summary>
        public static IndexQuery? Together(StoreNames<ExceptionEntry> names, IReadOnlyList<TextTerm> terms) =>
            terms is [_, _] && !terms.Any(t => t.IsShort || t.MatchesNothing) ? new IndexQuery(names, terms) : null;

        /// <summary>
        /// The query for one term. A value text under three characters is looked up among the trigrams of the values' own
        /// index that start with it (<see cref="ShortValueTermsAsync"/>), with its arm's types as the index marks them
        /// (<see cref="ValueTypeMarks"/>). Null when such a text is in too many contexts (<see cref="ShortValueTermsLimit"/>
        /// trigrams) or, with <paramref name="skipCommon"/>, common (<see cref="IsCommonAsync"/>): the scan then finds the
        /// candidates' limit sooner. With <paramref name="valueEndsOnly"/>, only the trigrams that hold an end mark: the values
        /// that hold the text among their last two characters (the main index has no trigram for those).
        /// </summary>
        public static async Task<IndexQuery?> ForAsync(
            CrmDbContext db, StoreNames<ExceptionEntry> names, TextTerm term, bool skipCommon, CancellationToken ct, bool valueEndsOnly = false)
        {
            var query = new IndexQuery(names, [term]);
            if (term.IsComment || !term.IsShort)
            {
                return query;
            }

            var anyOf = new Dictionary<string, List<string>>();
            var exact = true;
            foreach (var arm in term.Arms)
            {
                // Each class of types has its own index: phones and number prefixes, and the rest.
                var (table, classTypes) = arm.Types is { } armTypes && armTypes.All(TextSearchTerms.PhoneTypes.Contains)
                    ? (PhoneSearchTable, TextSearchTerms.PhoneTypes)
                    : (ValueSearchTable, TextSearchTerms.OtherTypes);
                // Common among all its class's index holds, whatever the filter's type: that is what the vocabulary's lists
                // hold ("m" of a type no entry has took 32–48 ms to read them), and the scan then reads the type's entries.
                var ofClass = new IndexQuery(names, [term with { Arms = [arm with { Types = classTypes }] }]);
                if (skipCommon && await ofClass.IsCommonAsync(db, ct))
                {
                    return null;
                }

                var trigrams = new List<string>();
                foreach (var text in arm.Texts.Where(TextSearchTerms.IsShort))
                {
                    var starting = await ShortValueTermsAsync(db, table, text, ct);
                    if (starting.Count >= ShortValueTermsLimit)
                    {
                        // A text in that many contexts is in most values: the scan is the way, and the list would be cut.
                        return null;
                    }

                    trigrams.AddRange(valueEndsOnly ? starting.Where(t => t.Contains(ValueEndMark, StringComparison.Ordinal)) : starting);
                }

                // A type the index marks apart is a condition of the index itself (none when the arm has its class's every
                // type); an arm with a long text as well (a punycode spelling) is looked up in the main index, not exact.
                var types = arm.Types ?? classTypes;
                var marked = types.All(ValueTypeMarks.ContainsKey);
                var wholeClass = classTypes.All(types.Contains);
                exact &= arm.Texts.All(TextSearchTerms.IsShort) && (marked || wholeClass);
                if (trigrams.Count > 0)
                {
                    var typeCondition = marked && !wholeClass
                        ? $" AND ({string.Join(" OR ", types.Select(t => Quoted(new string(ValueTypeMarks[t], 3))))})"
                        : "";
                    (anyOf.TryGetValue(table, out var list) ? list : anyOf[table] = []).Add(
                        $"(({string.Join(" OR ", trigrams.Distinct().Select(Quoted))}){typeCondition})");
                }
            }

            // An index with no trigram starting with the text holds no value with it, and is not asked.
            return new IndexQuery(names, [term], [.. anyOf.Select(a => (a.Key, string.Join(" OR ", a.Value)))]) { IsExact = exact };
        }

        /// <summary>
        /// Whether the index's candidates are exactly the entries holding the term's texts on its arms' types (every text is a
        /// short value text, looked up in the values' own index with its types): then with no other term they are the filter's
        /// exact matches but its status (<see cref="TextCandidates.IsExact"/>).
        /// </summary>
        public bool IsExact { get; private init; }

        public StoreNames<ExceptionEntry> Names { get; }

        private IEnumerable<string> Texts => terms.SelectMany(t => t.Arms).SelectMany(a => a.Texts);

        /// <summary>The first FTS5 query's parameter number: after every text's pattern.</summary>
        public int MatchParameter => Texts.Count();

        /// <summary>The FTS5 tables to ask, each with its query (parameters from <see cref="MatchParameter"/> on, in this order).</summary>
        public IReadOnlyList<(string Table, string Query)> Matches => scans ? [] :
        [
            .. Match is { } match ? [("ExceptionSearch", match)] : Array.Empty<(string, string)>(),
            .. shortValueMatches,
        ];

        public object[] Parameters => [.. GlobParameters, .. Matches.Select(m => m.Query)];

        /// <summary>The texts' GLOB patterns, in the terms' order (<see cref="TableCondition"/>'s parameters).</summary>
        public IEnumerable<object> GlobParameters => Texts.Select(GlobContaining);

        /// <summary>The query's terms.</summary>
        public IReadOnlyList<TextTerm> Terms => terms;

        /// <summary>
        /// Whether at least one in <see cref="CommonShare"/> of about <see cref="SampledRows"/> entries, spread evenly over
        /// the ids, meets the query's condition: at that rate a scan stops at the candidates' limit within a tenth of a
        /// million entries, while the vocabulary's lists of a text that common are long to read. About 2–10 ms. (The
        /// lowest and highest ids are two subqueries: asked in one, SQLite read a whole index for them, 100 ms.)
        /// </summary>
        private async Task<bool> IsCommonAsync(CrmDbContext db, CancellationToken ct)
        {
            var id = Names.Column(x => x.Id);
            var sql = $"""
                WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {SampledRows - 1}),
                    b(lo, hi) AS (SELECT (SELECT min({id}) FROM {Names.Table}), (SELECT max({id}) FROM {Names.Table}))
                SELECT coalesce(count(*) > 0 AND sum(CASE WHEN {TableCondition} THEN 1 ELSE 0 END) * {CommonShare} >= count(*), 0) AS "Value"
                FROM {Names.Table} WHERE {id} IN (SELECT lo + (hi - lo) * i / {SampledRows - 1} FROM k, b)
                """;
            return await db.Database.SqlQueryRaw<bool>(sql, [.. Texts.Select(GlobContaining)]).SingleAsync(ct);
        }

        /// <summary>How many entries <see cref="IsCommonAsync"/> samples.</summary>
        private const int SampledRows = 2_000;

        /// <summary>A short value text is common (<see cref="IsCommonAsync"/>) in at least one of this many entries.</summary>
        private const int CommonShare = 10;

        /// <summary>Each term holds in the entries' table, as one of its arms: a text, and the arm's types when it names them.</summary>
        public string TableCondition => string.Join(" AND ", TermTableConditions);

        /// <summary>Each term's condition of <see cref="TableCondition"/>, in the terms' order, numbering the parameters across them.</summary>
        public IReadOnlyList<string> TermTableConditions
        {
            get
            {
                var parameter = 0;
                var conditions = new List<string>(terms.Count);
                foreach (var term in terms)
                {
                    var arms = new List<string>(term.Arms.Count);
                    foreach (var arm in term.Arms)
                    {
                        var texts = string.Join(" OR ", arm.Texts.Select(_ => $"{term.Column} GLOB {{{parameter++}}}"));
                        // "+": no index on the type, which SQLite would otherwise read whole for each arm instead of
                        // the few rows above the mark (327 ms for "415 555" at a million entries).
                        var types = arm.Types is { } t ? $" AND +{Names.Column(x => x.Type)} IN ({string.Join(", ", t.Select(type => $"'{Names.StoreValue(x => x.Type, type)}'"))})" : "";
                        arms.Add($"(({texts}){types})");
                    }

                    conditions.Add($"({string.Join(" OR ", arms)})");
                }

                return conditions;
            }
        }

        /// <summary>
        /// The FTS5 query of "ExceptionSearch": for every term, one of its arms' texts, a phone arm's digits as the index
        /// holds them; null when its texts are all short values (looked up in "ExceptionValueSearch" instead).
        /// </summary>
        private string? Match
        {
            get
            {
                var texts = terms.Select(term => term.Arms.SelectMany(arm => arm.Texts.Where(text => term.IsComment || !TextSearchTerms.IsShort(text))
                    .Select(text => $"({TrigramQuery(IsPhoneValue(term, arm) ? IndexedPhoneText(text) : text, TrigramCountsOfCall.Value)})")).ToList()).ToList();
                return texts.All(t => t.Count == 0) ? null : string.Join(" AND ", texts.Select(t => $"({string.Join(" OR ", t)})"));
            }
        }

        /// <summary>Whether the arm is on phones' and number prefixes' values, whose digits the index holds as other characters.</summary>
        public static bool IsPhoneValue(TextTerm term, TextArm arm) =>
            !term.IsComment && arm.Types is { } types && types.All(TextSearchTerms.PhoneTypes.Contains);
    }

    /// <summary>
    /// The trigrams of the values' own index ("ExceptionValueSearch", migration ShortValueTexts) that start with a text of one
    /// or two characters, read from its vocabulary by range: every value holding the text holds one of them, as each value
    /// is indexed with two end marks after it. At most <see cref="ShortValueTermsLimit"/>; past that the text is in so many
    /// values that the caller's sample calls it common first.
    /// </summary>
    private static async Task<List<string>> ShortValueTermsAsync(CrmDbContext db, string table, string text, CancellationToken ct)
    {
        var sql = $$"""
            SELECT term AS "Value" FROM "{{table}}Terms" WHERE term >= {0} AND term < {1} LIMIT {{ShortValueTermsLimit}}
            """;
        return await db.Database.SqlQueryRaw<string>(sql, text, text + char.ConvertFromUtf32(0x10FFFF)).ToListAsync(ct);
    }

    /// <summary>The main index of comments and values (migration SearchValuesByType), with its vocabulary "…Terms" (migration MainSearchVocabulary).</summary>
    private const string MainSearchTable = "ExceptionSearch";

    /// <summary>The values' own index of addresses and domains (migration ShortValueTexts), with its vocabulary "…Terms".</summary>
    private const string ValueSearchTable = "ExceptionValueSearch";

    /// <summary>The values' own index of phones and number prefixes, their digits as written (migration ShortValueTexts).</summary>
    private const string PhoneSearchTable = "ExceptionPhoneSearch";

    /// <summary>At most this many trigrams stand for one short value text in an FTS5 query.</summary>
    private const int ShortValueTermsLimit = 2_000;

    /// <summary>
    /// The types the values' own index marks apart, each by three of one private-use character before the value (migration
    /// ShortValueTexts), so its trigram is the type's condition. Any other type is marked U+E010, shared, so not a condition.
    /// </summary>
    public static readonly IReadOnlyDictionary<EntryType, char> ValueTypeMarks = new Dictionary<EntryType, char>
    {
        [EntryType.Email] = '\uE011',
        [EntryType.EmailDomain] = '\uE012',
        [EntryType.EmailDomainTree] = '\uE013',
        [EntryType.Phone] = '\uE014',
        [EntryType.PhonePrefix] = '\uE015',
    };

    /// <summary>The end mark the values' own indexes write twice after each value (migration ShortValueTexts), so its last characters start trigrams too.</summary>
    private const char ValueEndMark = '\uE00A';

    /// <summary>A trigram or text as an FTS5 string, in double quotes (a quote doubled), so no character is query syntax.</summary>
    private static string Quoted(string text) => $"\"{text.Replace("\"", "\"\"")}\"";

    /// <summary>
    /// A phone's or number prefix's text as the index holds it (the view "ExceptionSearchSource", migration
    /// SearchValuesByType): each ASCII digit as the private-use character U+E000 + digit, which no address or domain
    /// holds, so that the digits of a million phones are not among an email's candidates ("12000" of type Email:
    /// every phone of the benchmark holds it), nor the reverse.
    /// </summary>
    public static string IndexedPhoneText(string text) =>
        string.Create(text.Length, text, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsAsciiDigit(source[i]) ? (char)(IndexedDigitZero + source[i] - '0') : source[i];
            }
        });

    /// <summary>The character the index holds for a phone's digit 0 (U+E000, private use); 1–9 follow it.</summary>
    public const char IndexedDigitZero = '\uE000';

    /// <summary>
    /// An FTS5 query for rows holding enough of the text's trigrams to be worth reading: those starting at
    /// every third character and the last one, so every character is covered, and every one with a digit in
    /// it, in order, each in double quotes (a quote doubled) so no character is query syntax. A GLOB asks for
    /// every trigram, and a text such as "list7.example" has eight that half the entries hold: FTS5 then merged
    /// eleven long lists (45 ms at a million entries) where five do (13 ms). The digits are where a list's
    /// values differ: without "t7." and "7.e", "@list7.example.com" had 10,001 candidates of 55,000 (every
    /// list7x), so its 502 matches were counted by a scan (124 ms), with them exactly those (25 ms).
    /// Of those, the common ones in <paramref name="counts"/> (<see cref="TrigramCountsAsync"/>) are left out while one that is not
    /// remains (if none of those chosen remains, every trigram of the text that is not common is asked instead) and the rarest asked
    /// is rare (<see cref="TrigramCounts.IsRare"/>): a list that half the entries hold narrows little and costs most of the reading.
    /// Otherwise the text is asked as without counts. Needs at least three characters (<see cref="TextSearchTerms.MinimumLength"/>).
    /// </summary>
    public static string TrigramQuery(string text, TrigramCounts? counts = null)
    {
        var trigrams = Trigrams(text);
        var starts = Enumerable.Range(0, trigrams.Length)
            .Where(i => i % 3 == 0 || i == trigrams.Length - 1 || trigrams[i].Any(c => char.IsAsciiDigit(c) || c is >= IndexedDigitZero and <= (char)(IndexedDigitZero + 9)))
            .ToList();
        if (counts is not null && starts.Any(i => counts.IsCommon(trigrams[i]))
            && Enumerable.Range(0, trigrams.Length).Where(i => !counts.IsCommon(trigrams[i])).ToList() is { Count: > 0 } uncommon)
        {
            var chosen = starts.Where(i => !counts.IsCommon(trigrams[i])).ToList() is { Count: > 0 } kept ? kept : uncommon;
            if (chosen.Any(i => counts.IsRare(trigrams[i])))
            {
                starts = chosen;
            }
        }

        return string.Join(" AND ", starts.Select(i => Quoted(trigrams[i])));
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
/// the writer lock go first (<see cref="SqliteWriterQueue"/>), and a batch is small enough (about 0.2 s) that
/// a request arriving during one waits little. The rows it has not reached are still found (the tail
/// scan above the mark), so deferring costs speed, never correctness.
/// </summary>
public sealed class ExceptionSearchIndexer(
    IDbContextFactory<CrmDbContext> dbFactory, SqliteWriterQueue writers, ImportsInProgress imports, TimeProvider clock, ILogger<ExceptionSearchIndexer> logger)
    : TrailingSearchIndexer(imports, clock, logger)
{
    /// <summary>
    /// Rows per indexing transaction: the longest a request waits behind the indexer is one batch. 2,500 since the digit windows
    /// (migration PhoneDigitWindowIndex) came: a batch of 5,000 writes about 35,000 window rows besides its trigrams, and a 100k-line
    /// import's backlog took 7.8–8.0 s to index against 3.6–4.1 before, so a batch held the writer lock about 0.4 s instead of 0.2.
    /// </summary>
    public const int BatchSize = 2_500;

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
        var (id, type, folded, value) = (e.Column(x => x.Id), e.Column(x => x.Type), e[ExceptionEntryConfiguration.CommentFolded], e.Column(x => x.Value));

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

        // From the indexes' content views: one spells a phone's digits as the index holds them (SqliteExceptionSearch.IndexedPhoneText),
        // the values' own two (addresses and domains, phones and prefixes) write each value with its type and end marks (migration ShortValueTexts).
        var indexSql = $$"""
            INSERT INTO "ExceptionSearch" (rowid, {{folded}}, {{value}})
            SELECT {{id}}, {{folded}}, {{value}} FROM "ExceptionSearchSource"
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0};
            """;
        var valuesSql = $$"""
            INSERT INTO "ExceptionValueSearch" (rowid, {{value}})
            SELECT {{id}}, {{value}} FROM "ExceptionValueSearchSource"
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0};
            INSERT INTO "ExceptionPhoneSearch" (rowid, {{value}})
            SELECT {{id}}, {{value}} FROM "ExceptionPhoneSearchSource"
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0};
            """;
        // The comment filter's pairs of comment and type (SqliteExceptionSearch.CommentQuery), for the same rows.
        var pairsSql = $$"""
            INSERT OR IGNORE INTO "ExceptionSearchComments" ("CommentFolded", "Type")
            SELECT DISTINCT {{folded}}, {{type}} FROM {{e.Table}}
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0} AND {{folded}} IS NOT NULL;
            INSERT OR IGNORE INTO "ExceptionSearchCommentEntries" ("CommentId", "EntryId")
            SELECT c."Id", x.{{id}} FROM {{e.Table}} AS x
            JOIN "ExceptionSearchComments" AS c ON c."CommentFolded" = x.{{folded}} AND c."Type" = x.{{type}}
            WHERE x.{{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND x.{{id}} <= {0};
            """;
        // The phones' and prefixes' digit windows (SqlitePhoneDigitWindows), for a value filter made of digits.
        var windowsSql = SqlitePhoneDigitWindows.Insert($$"""
            SELECT {{id}} AS "Id", {{type}} AS "Type", {{value}} AS "Value" FROM {{e.Table}}
            WHERE {{id}} > (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND {{id}} <= {0}
            """);
        var indexed = await db.Database.ExecuteSqlRawAsync(indexSql, upTo);
        await db.Database.ExecuteSqlRawAsync(valuesSql, upTo);
        await db.Database.ExecuteSqlRawAsync(windowsSql, upTo);
        await db.Database.ExecuteSqlRawAsync(pairsSql, upTo);
        await db.Database.ExecuteSqlRawAsync("""UPDATE "ExceptionSearchState" SET "IndexedUpTo" = {0};""", upTo);
        await transaction.CommitAsync(ct);
        return indexed;
    }
}
