namespace CrmAdmin.Domain.Exceptions;

/// <summary>One line of the CRM-wide exception list (X1).</summary>
public sealed class ExceptionEntry
{
    public const int MaxCommentLength = 500;

    // For EF Core materialization.
    private ExceptionEntry()
    {
        Value = "";
        CreatedBy = "";
    }

    /// <summary>An entry; <paramref name="expiresAt"/> (UTC) is when it stops matching (X10), <paramref name="importId"/> the import that added it (I10).</summary>
    /// <exception cref="ArgumentException">The comment is longer than <see cref="MaxCommentLength"/>.</exception>
    public ExceptionEntry(ContactPoint point, string? comment, EntrySource source, string createdBy, DateTime createdAt,
        DateTime? expiresAt = null, long? importId = null)
    {
        if (comment is { Length: > MaxCommentLength })
        {
            throw new ArgumentException($"A comment is at most {MaxCommentLength} characters.", nameof(comment));
        }

        Type = point.Type;
        Value = point.Value;
        Comment = string.IsNullOrWhiteSpace(comment) ? null : comment;
        Source = source;
        CreatedBy = createdBy;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
        ImportId = importId;
    }

    public long Id { get; private set; }
    public EntryType Type { get; private set; }
    public string Value { get; private set; }
    public string? Comment { get; private set; }
    public EntrySource Source { get; private set; }
    public DateTime CreatedAt { get; private set; }
    public string CreatedBy { get; private set; }

    /// <summary>How many applied routing decisions this entry blocked, and the last time (shows which entries still fire).</summary>
    public int HitCount { get; private set; }

    public DateTime? LastHitAt { get; private set; }

    /// <summary>From this instant (UTC) the entry no longer matches and is shown as expired (X10); null: never.</summary>
    public DateTime? ExpiresAt { get; private set; }

    /// <summary>The import that added the entry (I10), so undoing it removes exactly these; null for entries added otherwise.</summary>
    public long? ImportId { get; private set; }

    /// <summary>X10: an entry matches until its expiry instant, and from that instant on it does not.</summary>
    public static bool IsActiveAt(DateTime? expiresAt, DateTime now) => expiresAt is not { } end || now < end;

    public ContactPoint Point => new(Type, Value);
}
