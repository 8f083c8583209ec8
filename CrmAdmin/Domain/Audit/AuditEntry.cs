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
}

/// <summary>Who changed the exception list, when, what and through which entry point (X6).</summary>
public sealed class AuditEntry
{
    private AuditEntry()
    {
        Actor = "";
    }

    public AuditEntry(DateTime at, string actor, AuditAction action, EntrySource source, ContactPoint? point, string? details)
    {
        At = at;
        Actor = actor;
        Action = action;
        Source = source;
        EntryType = point?.Type;
        Value = point?.Value;
        Details = details;
    }

    public long Id { get; private set; }
    public DateTime At { get; private set; }
    public string Actor { get; private set; }
    public AuditAction Action { get; private set; }
    public EntrySource Source { get; private set; }
    public EntryType? EntryType { get; private set; }
    public string? Value { get; private set; }
    public string? Details { get; private set; }
}
