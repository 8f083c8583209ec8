using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Routing;

/// <summary>
/// One call, email, chat or form the exception list kept out of the CRM, written with the applied
/// decision (never for a dry run) so the dashboard counts a day with an indexed query instead of
/// reading activities (SPEC §9 <c>GET /api/stats/blocked</c>). It keeps the entry's type and value
/// as they were, so the statistics still read after the entry is removed.
/// </summary>
public sealed class BlockedEvent
{
    private BlockedEvent()
    {
        Value = "";
    }

    /// <summary>A blocked event at <paramref name="at"/> (UTC) through <paramref name="channel"/>, matched by <paramref name="entry"/>.</summary>
    public BlockedEvent(DateTime at, RoutingChannel channel, MatchedException entry)
    {
        if (at.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("A blocked event's time is UTC.", nameof(at));
        }

        At = at;
        Day = DateOnly.FromDateTime(at);
        Channel = channel;
        EntryId = entry.Id;
        EntryType = entry.Type;
        Value = entry.Value;
    }

    public long Id { get; private set; }

    /// <summary>When the decision was applied (UTC).</summary>
    public DateTime At { get; private set; }

    /// <summary>The UTC day of <see cref="At"/>: the dashboard's bucket, stored so counting a day is an index range.</summary>
    public DateOnly Day { get; private set; }

    public RoutingChannel Channel { get; private set; }

    /// <summary>The exception entry that matched; it may have been removed since.</summary>
    public long EntryId { get; private set; }

    public EntryType EntryType { get; private set; }

    /// <summary>The entry's canonical value when it matched.</summary>
    public string Value { get; private set; }
}
