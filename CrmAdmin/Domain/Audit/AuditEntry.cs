using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Audit;

public enum AuditAction
{
    ExceptionAdded,
    ExceptionRemoved,
    ExceptionsImported,
    RoleAdded,
    PermissionChanged,
    UserCreated,
    UserRoleChanged,
    UserLocked,
    UserUnlocked,
    PasswordReset,
    CrmSettingsChanged,
    TelephonyLineChanged,
    MovedToRecycleBin,
    Restored,
    UserDeleted,
    EntityCreated,
    EntityChanged,
    RoutingApplied,
    BackupDownloaded,
    ImportUndone,
    TelephonyLineDeleted,
    SessionsEnded,
}

/// <summary>Who changed the exception list, when, what and through which entry point (X6).</summary>
public sealed class AuditEntry
{
    private AuditEntry()
    {
        Actor = "";
    }

    /// <summary>The most an audit row keeps of its actor, value and details (the columns' lengths); longer text is cut with "…".</summary>
    public const int MaxActorLength = 256, MaxValueLength = 320, MaxDetailsLength = 1000;

    /// <summary>An audit row; text beyond the columns' lengths is cut, so no request can write megabytes to the log.</summary>
    public AuditEntry(DateTime at, string actor, AuditAction action, EntrySource source, ContactPoint? point, string? details)
    {
        At = at;
        Actor = Bound(actor, MaxActorLength)!;
        Action = action;
        Source = source;
        EntryType = point?.Type;
        Value = Bound(point?.Value, MaxValueLength);
        Details = Bound(details, MaxDetailsLength);
    }

    private static string? Bound(string? text, int max) => text is { Length: var length } && length > max ? text[..(max - 1)] + "…" : text;

    public long Id { get; private set; }
    public DateTime At { get; private set; }
    public string Actor { get; private set; }
    public AuditAction Action { get; private set; }
    public EntrySource Source { get; private set; }
    public EntryType? EntryType { get; private set; }
    public string? Value { get; private set; }
    public string? Details { get; private set; }
}
