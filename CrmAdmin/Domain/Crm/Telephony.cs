namespace CrmAdmin.Domain.Crm;

public enum CallDirection
{
    Incoming,
    Outgoing,
}

/// <summary>What a telephony line does for calls in one direction (§5).</summary>
public sealed record DirectionSettings(bool CreateEntities, bool Repeated);

/// <summary>A telephony line and its CRM integration settings (§5, S4).</summary>
public sealed class TelephonyLine
{
    private TelephonyLine()
    {
        Number = "";
        Name = "";
    }

    public TelephonyLine(string number, string name)
    {
        Number = number;
        Name = name;
        IncomingCreate = true;
    }

    public long Id { get; private set; }
    public string Number { get; set; }
    public string Name { get; set; }
    public bool IncomingCreate { get; set; }
    public bool IncomingRepeated { get; set; }
    public bool OutgoingCreate { get; set; }
    public bool OutgoingRepeated { get; set; }

    public DirectionSettings For(CallDirection direction) => direction == CallDirection.Incoming
        ? new DirectionSettings(IncomingCreate, IncomingRepeated)
        : new DirectionSettings(OutgoingCreate, OutgoingRepeated);
}

/// <summary>The CRM-wide settings routing reads (§5). There is one row.</summary>
public sealed class CrmSettings
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;
    public CrmMode Mode { get; set; } = CrmMode.Classic;
    public bool RepeatedLeads { get; set; }
    public bool CreateFromNewEmails { get; set; } = true;
}

public enum ActivityKind
{
    Call,
    Email,
    Chat,
    Form,
}

/// <summary>A call, email, chat or form logged to an entity.</summary>
public sealed class Activity
{
    private Activity()
    {
        From = "";
        Summary = "";
    }

    public Activity(CrmEntityType entityType, long entityId, ActivityKind kind, string from, string summary, DateTime at,
        CallDirection? direction = null, long? lineId = null, string? messageId = null)
    {
        EntityType = entityType;
        EntityId = entityId;
        Kind = kind;
        From = from;
        Summary = summary;
        At = at;
        Direction = direction;
        LineId = lineId;
        MessageId = messageId;
    }

    public long Id { get; private set; }
    public CrmEntityType EntityType { get; private set; }
    public long EntityId { get; private set; }
    public ActivityKind Kind { get; private set; }
    public CallDirection? Direction { get; private set; }
    public long? LineId { get; private set; }

    /// <summary>The customer's normalized number or address.</summary>
    public string From { get; private set; }

    public string Summary { get; private set; }

    /// <summary>An email's Message-ID, so a reply can find its thread (E1).</summary>
    public string? MessageId { get; private set; }

    public DateTime At { get; private set; }
}
