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
    /// The entries the filter's own conditions are then applied to: only the candidates the index finds
    /// for the filter's comment or value text (a superset of its matches, at most
    /// <see cref="TextSearchTerms.MaxCandidates"/>), or every entry when the index cannot narrow the
    /// filter (no text, a text under three characters, or one so common the scan is quicker).
    /// The caller's conditions still decide every row, so the index can change the speed, never the rows.
    /// </summary>
    Task<IQueryable<ExceptionEntry>> EntriesAsync(CrmDbContext db, ExceptionFilter filter, CancellationToken ct);
}

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
    /// candidate row, while the scan streams pages in order), so a common text such as "batch" scans.
    /// </summary>
    public const int MaxCandidates = 10_000;

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
            // A query with no digits can only match emails and domains.
            var texts = filter.ValueDigits is { } digits && digits != value ? new[] { digits, value } : [filter.ValueDigits ?? value];
            if (texts.All(t => t.Length >= MinimumLength))
            {
                yield return (e.Column(x => x.Value), texts);
            }
        }
    }
}
