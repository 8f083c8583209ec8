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

    public ExceptionEntry(ContactPoint point, string? comment, EntrySource source, string createdBy, DateTime createdAt)
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

    public ContactPoint Point => new(Type, Value);
}
