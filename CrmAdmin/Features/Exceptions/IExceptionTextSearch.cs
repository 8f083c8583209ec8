using CrmAdmin.Data;
using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// How a provider serves X5's substring filters (comment, value) over a million entries, where a
/// plain <c>LIKE '%text%'</c> is a full scan. Each provider keeps a trigram index that trails the
/// entries (SQLite: an FTS5 table in Data/Sqlite; PostgreSQL: a pg_trgm table in Data/Postgres), so a
/// write never pays for the trigrams, and reads the rows the index has not reached yet as candidates,
/// so a filter's answer is exact at every moment.
/// </summary>
public interface IExceptionTextSearch
{
    /// <summary>
    /// What the index finds for the filter's comment or value text, or null when it cannot narrow the filter
    /// (no text, or a text so common that a scan finds the candidates' limit sooner): see <see cref="TextCandidates"/>.
    /// </summary>
    Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct);

    /// <summary>
    /// The ids of the newest entries (highest ids) the filter's text may match, newest first, at most
    /// <paramref name="count"/>: every entry the text matches whose id is at least the last id returned is in
    /// the list (with perhaps a few the caller's conditions then drop). Fewer than <paramref name="count"/>
    /// means there are no more. This is how the newest page of a common text is found without walking past
    /// every newer entry it does not match (a "batch 1" whose matches are the oldest fifth of a million).
    /// Only for a filter with a text the index can look up (<see cref="TextSearchTerms.Of"/>).
    /// </summary>
    Task<IReadOnlyList<long>> NewestCandidatesAsync(CrmDbContext db, ExceptionFilter filter, int count, CancellationToken ct);

    /// <summary>
    /// The filter with a type, when it names none and has both a comment and a value text, and every entry holding the
    /// comment text is of one type (as the distinct pairs of comment and type tell, with the entries the index has not
    /// reached): the same matches, and a value looked up on that type's entries alone. "telemarketing" with "12000"
    /// read 125,000 entries for 2 (73 ms on PostgreSQL at a million entries), as every phone holds "12000" and no
    /// phone has that comment. Otherwise the filter itself.
    /// </summary>
    Task<ExceptionFilter> WithTypeOfCommentAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct);

    /// <summary>The entries with these ids (at most a few times <see cref="TextSearchTerms.MaxCandidates"/>), as a query to filter and sort further.</summary>
    IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids);

    /// <summary>
    /// Begins one answer of <paramref name="filter"/> on <paramref name="db"/>: until the result is disposed, what the search
    /// learns of the data to choose its way (PostgreSQL's samples of the texts) is kept for every call made with this context,
    /// so that <see cref="CandidatesAsync"/> and then <see cref="NewestCandidatesAsync"/> for the same page learn it once. Kept
    /// no longer: contexts are pooled, and the next answer's data may differ. Nothing is kept by a search that learns nothing.
    /// </summary>
    IDisposable BeginAnswer(CrmDbContext db, ExceptionFilter filter) => NoAnswer.Instance;
}

/// <summary>The answer of a search that keeps nothing between calls (<see cref="IExceptionTextSearch.BeginAnswer"/>).</summary>
internal sealed class NoAnswer : IDisposable
{
    public static readonly NoAnswer Instance = new();

    public void Dispose()
    {
    }
}

/// <summary>
/// The entries a filter's text may match, as the index found them (X5).
/// </summary>
/// <param name="Ids">
/// When <paramref name="IsComplete"/>: every entry the text may match (a superset of its matches, at most
/// <see cref="TextSearchTerms.MaxCandidates"/>, in no order). Otherwise more entries may match than that, and
/// these are the newest <see cref="TextSearchTerms.MaxCandidates"/> + 1 of them, newest first (as
/// <see cref="IExceptionTextSearch.NewestCandidatesAsync"/> gives them), or none when the index cannot
/// tell the newest cheaply.
/// </param>
/// <param name="IsComplete">Whether <paramref name="Ids"/> holds every entry the text may match.</param>
/// <param name="IsExact">
/// Whether the candidates are exactly the entries meeting every condition of the filter but its status: the index
/// matched each of the filter's texts itself, on the types the filter matches it on (X5: a value query on phones'
/// digits, on other entries' text), and the filter's type, with no row it has not reached and no stale row among
/// them. An incomplete answer then means more than <see cref="TextSearchTerms.MaxCandidates"/> entries match, and a
/// filter with no status needs no count of its own.
/// </param>
public sealed record TextCandidates(IReadOnlyList<long> Ids, bool IsComplete, bool IsExact = false);

/// <summary>
/// The texts a trigram index can look up for a filter (X5), the same for both providers: the folded
/// comment, and the value's texts by type (a phone matches on the query's digits, an email or domain on the
/// text itself). A text under <see cref="MinimumLength"/> has no trigram: a comment's is looked up among the distinct
/// comments, a value's in the values' indexes of their one- and two-character texts.
/// </summary>
public static class TextSearchTerms
{
    /// <summary>Trigrams: a shorter text has none to look up, and the scan is the only way.</summary>
    public const int MinimumLength = 3;

    /// <summary>
    /// Past this many candidates the index is slower than the scan it replaces (it re-reads every
    /// candidate row, while the scan streams pages in order), so a common text such as "batch" scans,
    /// unless its newest matches are what the page needs (<see cref="IExceptionTextSearch.NewestCandidatesAsync"/>).
    /// </summary>
    public const int MaxCandidates = 10_000;

    /// <summary>
    /// Past this many distinct pairs of comment and type holding a comment text (each provider keeps the pairs,
    /// migration SearchCommentDictionary), the entries are found through the trigram index over every entry
    /// instead: a text in that many distinct comments is in most of them, as when every entry has a comment of its
    /// own. The benchmark's widest text, "batch 1", is in 1,111 of its 8,000 comments.
    /// </summary>
    public const int DistinctCommentsLimit = 2_000;

    /// <summary>
    /// The newest <paramref name="count"/> distinct ids of several lists, each the newest matches of one text
    /// or of the rows the index has not reached, newest first and at most <paramref name="count"/> long. Every
    /// match above the last id returned is in the answer: a list that stopped at the count stopped at or below it.
    /// </summary>
    public static IReadOnlyList<long> NewestOf(IEnumerable<long> ids, int count) => ids.Distinct().OrderDescending().Take(count).ToList();

    /// <summary>Whether <see cref="IExceptionTextSearch.WithTypeOfCommentAsync"/> may add a type: none named, a comment of trigrams and a value.</summary>
    public static bool MayTakeTypeOfComment(ExceptionFilter filter) =>
        filter is { Type: null, FoldedComment: { } comment, FoldedValue: not null } && !IsShort(comment);

    /// <summary>The one type of <paramref name="storedTypes"/> (as the entries store them, at most two read), or null.</summary>
    public static EntryType? OneType(StoreNames<ExceptionEntry> e, IReadOnlyList<string> storedTypes) =>
        storedTypes is [var stored] ? Enum.GetValues<EntryType>().Single(t => Equals(e.StoreValue(x => x.Type, t), stored)) : null;

    /// <summary>Whether a text is too short for a trigram index: under <see cref="MinimumLength"/> characters (code points, as both indexes count them).</summary>
    public static bool IsShort(string text) => text.EnumerateRunes().Take(MinimumLength).Count() < MinimumLength;

    /// <summary>Whether any of the texts is too short for a trigram index (<see cref="IsShort(string)"/>).</summary>
    public static bool IsShort(string[] texts) => texts.Any(IsShort);

    /// <summary>The entry types whose value is a phone number or a number prefix: a value query matches them on its digits (X5, X9).</summary>
    public static readonly EntryType[] PhoneTypes = [EntryType.Phone, EntryType.PhonePrefix];

    /// <summary>The entry types whose value is an address or a domain: a value query matches them on its text (X5).</summary>
    public static readonly EntryType[] OtherTypes = Enum.GetValues<EntryType>().Except(PhoneTypes).ToArray();

    /// <summary>
    /// For each column the filter has a text for (comment first, then value), the condition a row must meet, as arms
    /// of types and texts. The comment has one arm, of the filter's type (any when it names none). The value has an
    /// arm for phones and number prefixes, on the query's digits, and one for the other types, on its text in either
    /// spelling (<see cref="ExceptionFilter.FoldedValueAsWritten"/>), each kept only for the filter's type: so
    /// "12000" of type Email never reads the phones, every one of which may hold it. A value query that no entry of
    /// the filter's type could match (letters, for phones) has no arm at all (<see cref="TextTerm.MatchesNothing"/>);
    /// a text under <see cref="MinimumLength"/> has no trigram, and is looked up among the distinct comments (a comment's)
    /// or in the values' indexes of their one- and two-character texts (a value's; <see cref="TextTerm.IsShort"/>).
    /// </summary>
    public static IEnumerable<TextTerm> Of(StoreNames<ExceptionEntry> e, ExceptionFilter filter)
    {
        if (filter.FoldedComment is { Length: > 0 } comment)
        {
            yield return new TextTerm(e[ExceptionEntryConfiguration.CommentFolded], IsComment: true, [new TextArm(filter.Type is { } type ? [type] : null, [comment])]);
        }

        if (filter.FoldedValue is { } value)
        {
            var (phones, others) = filter.Type is { } type
                ? (PhoneTypes.Contains(type) ? ([type], []) : (Array.Empty<EntryType>(), new[] { type }))
                : (PhoneTypes, OtherTypes);
            var arms = new List<TextArm>(2);
            if (filter.ValueDigits is { } digits && phones.Length > 0)
            {
                arms.Add(new TextArm(phones, [digits]));
            }

            if (others.Length > 0)
            {
                arms.Add(new TextArm(others, filter.FoldedValueAsWritten is { } written ? [value, written] : [value]));
            }

            // A text under three characters has no trigram: the values have indexes of their one- and two-character texts
            // (migration ShortValueTexts), where "qz" or "é" among half a million addresses took 80–200 ms as a scan, and
            // "87" of type Phone 50–200 ms.
            yield return new TextTerm(e.Column(x => x.Value), IsComment: false, arms);
        }
    }

    /// <summary>
    /// Whether candidates found through these terms may be the filter's exact matches (<see cref="TextCandidates.IsExact"/>):
    /// they hold every text the filter has, comment and value.
    /// </summary>
    public static bool Covers(ExceptionFilter filter, IEnumerable<TextTerm> terms)
    {
        var held = terms.ToList();
        return (filter.FoldedComment is null || held.Any(t => t.IsComment)) && (filter.FoldedValue is null || held.Any(t => !t.IsComment));
    }
}

/// <summary>
/// One arm of a <see cref="TextTerm"/>: an entry of one of <paramref name="Types"/> (of any type when null) whose
/// column holds one of <paramref name="Texts"/>.
/// </summary>
public sealed record TextArm(IReadOnlyList<EntryType>? Types, string[] Texts);

/// <summary>
/// What one indexed column of an entry must hold for a filter (<see cref="TextSearchTerms.Of"/>): any of the arms.
/// <paramref name="Column"/> is the quoted column of the entries' table (and of each provider's index, which
/// carries the same names).
/// </summary>
public sealed record TextTerm(string Column, bool IsComment, IReadOnlyList<TextArm> Arms)
{
    /// <summary>
    /// Whether a text is too short for a trigram index (<see cref="TextSearchTerms.IsShort(string)"/>): a comment's can
    /// then be looked up among the distinct comments only, a value's in the indexes of the values' one- and
    /// two-character texts.
    /// </summary>
    public bool IsShort => Arms.Any(a => TextSearchTerms.IsShort(a.Texts));

    /// <summary>Whether this is a comment too short for a trigram index (<see cref="IsShort"/>): only its distinct comments can look it up.</summary>
    public bool IsShortComment => IsComment && IsShort;

    /// <summary>Whether no entry can meet the term: a value query no entry of the filter's type could match.</summary>
    public bool MatchesNothing => Arms.Count == 0;
}
