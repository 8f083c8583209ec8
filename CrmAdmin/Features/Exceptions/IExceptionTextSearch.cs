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
    /// (no text, or a text under three characters): see <see cref="TextCandidates"/>.
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

    /// <summary>The entries with these ids (at most a few times <see cref="TextSearchTerms.MaxCandidates"/>), as a query to filter and sort further.</summary>
    IQueryable<ExceptionEntry> Among(CrmDbContext db, IReadOnlyCollection<long> ids);
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
/// Whether the index matched the text itself, and the filter's type when it names one, not a superset (no row
/// it has not reached and no stale row counted as a match): then an incomplete answer means more than
/// <see cref="TextSearchTerms.MaxCandidates"/> entries hold the text, and a filter with no other condition
/// (<see cref="TextSearchTerms.IsWholeFilter"/>) needs no count of its own.
/// </param>
public sealed record TextCandidates(IReadOnlyList<long> Ids, bool IsComplete, bool IsExact = false);

/// <summary>
/// The texts a trigram index can look up for a filter (X5), the same for both providers: the folded
/// comment, and the value's texts (a phone matches on the query's digits, an email or domain on the
/// text itself). A text under <see cref="MinimumLength"/> has no trigram, so it cannot narrow.
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

    /// <summary>
    /// Whether one indexed text, with the type if the filter names one, is the filter's only condition (no
    /// status, not both texts), so that an index that matched them exactly (<see cref="TextCandidates.IsExact"/>)
    /// found exactly the filter's matches. A comment text always is. A value text is when the filter matches it
    /// on entries other than phones (no digits to match phones on, <see cref="ExceptionFilter.ValueDigits"/>) and
    /// no phone or number prefix could hold it (a character other than +, * and digits), so the index's phones
    /// are no matches.
    /// </summary>
    public static bool IsWholeFilter(ExceptionFilter filter) => filter is { Status: null } && filter switch
    {
        { FoldedComment.Length: > 0, FoldedValue: null } => true,
        { FoldedComment: null, ValueDigits: null, FoldedValue: { } value } =>
            new[] { value, filter.FoldedValueAsWritten }.All(t => t is null || (t.Length >= MinimumLength && !PhoneCouldHold(t))),
        _ => false,
    };

    /// <summary>Whether a phone's or number prefix's stored value (E.164 "+…", a prefix "+…*") could contain the text.</summary>
    private static bool PhoneCouldHold(string text) => text.All(c => c is '+' or '*' || char.IsAsciiDigit(c));

    /// <summary>
    /// <see cref="Of"/>, with a comment text too short for trigrams (1–2 characters, e.g. "99" or "電話") first:
    /// only the distinct comments can look that up (<see cref="DistinctCommentsLimit"/>), by reading them all,
    /// so a provider tries it only while they are few, and never through its trigram index (<see cref="IsShort"/>).
    /// </summary>
    public static IEnumerable<(string Column, string[] Texts)> WithShortComment(StoreNames<ExceptionEntry> e, ExceptionFilter filter) =>
        filter.FoldedComment is { Length: > 0 and < MinimumLength } comment
            ? Of(e, filter).Prepend((e[ExceptionEntryConfiguration.CommentFolded], [comment]))
            : Of(e, filter);

    /// <summary>Whether a text is too short for a trigram index (<see cref="MinimumLength"/>).</summary>
    public static bool IsShort(string[] texts) => texts.Any(t => t.Length < MinimumLength);

    /// <summary>
    /// For each indexed column the filter constrains (comment first), the texts any of which a row's
    /// column must contain. Both must hold, so either one's candidates will do.
    /// </summary>
    public static IEnumerable<(string Column, string[] Texts)> Of(StoreNames<ExceptionEntry> e, ExceptionFilter filter)
    {
        if (filter.FoldedComment is { Length: >= MinimumLength } comment)
        {
            yield return (e[ExceptionEntryConfiguration.CommentFolded], [comment]);
        }

        if (filter.FoldedValue is { } value)
        {
            // A query with no digits can only match emails and domains; a Unicode one in either spelling.
            var texts = (filter.ValueDigits is { } digits && digits != value ? new[] { digits, value } : [filter.ValueDigits ?? value])
                .Concat(filter.FoldedValueAsWritten is { } written ? [written] : []).ToArray();
            if (texts.All(t => t.Length >= MinimumLength))
            {
                yield return (e.Column(x => x.Value), texts);
            }
        }
    }
}
