using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Crm;

/// <summary>The CRM entities routing knows (SPEC §5).</summary>
public enum CrmEntityType
{
    Lead,
    Deal,
    Contact,
    Company,
}

public enum LeadStatus
{
    Open,
    Converted,
    Junk,
}

public enum DealStage
{
    Open,
    Won,
    Lost,
}

/// <summary>What a converted lead became (§5): a contact, a deal, or both.</summary>
public enum ConvertedTo
{
    Contact,
    Deal,
}

/// <summary>Classic creates leads; Simple creates a deal with a contact (§5).</summary>
public enum CrmMode
{
    Classic,
    Simple,
}

public sealed class Company
{
    private Company()
    {
        Name = "";
    }

    public Company(string name, DateTime createdAt)
    {
        Name = name;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string Name { get; set; }
    public DateTime CreatedAt { get; private set; }

    /// <summary>Set while the entity is in the Recycle bin (S2); such an entity is related to nothing (§5).</summary>
    public DateTime? DeletedAt { get; set; }
}

public sealed class Contact
{
    private Contact()
    {
        Name = "";
    }

    public Contact(string name, long? companyId, DateTime createdAt)
    {
        Name = name;
        CompanyId = companyId;
        CreatedAt = createdAt;
    }

    public long Id { get; private set; }
    public string Name { get; set; }
    public long? CompanyId { get; set; }
    public DateTime CreatedAt { get; private set; }

    /// <summary>Set while the entity is in the Recycle bin (S2); such an entity is related to nothing (§5).</summary>
    public DateTime? DeletedAt { get; set; }
}

/// <summary>What a lead and a deal share: a title, links to a contact and a company, and a life that ends closed.</summary>
public abstract class SalesItem
{
    protected SalesItem()
    {
        Title = "";
    }

    protected SalesItem(string title, long? contactId, long? companyId, DateTime createdAt, bool isRepeated)
    {
        Title = title;
        ContactId = contactId;
        CompanyId = companyId;
        CreatedAt = createdAt;
        IsRepeated = isRepeated;
    }

    public long Id { get; private set; }
    public string Title { get; set; }
    public long? ContactId { get; set; }
    public long? CompanyId { get; set; }
    public DateTime? ClosedAt { get; protected set; }
    public DateTime CreatedAt { get; private set; }

    /// <summary>Created for a customer the CRM already knew (C6, C7).</summary>
    public bool IsRepeated { get; private set; }

    /// <summary>Set while the item is in the Recycle bin (S2); such an item is related to nothing (§5).</summary>
    public DateTime? DeletedAt { get; set; }
}

public sealed class Lead : SalesItem
{
    private Lead()
    {
    }

    public Lead(string title, long? contactId, long? companyId, DateTime createdAt, bool isRepeated = false)
        : base(title, contactId, companyId, createdAt, isRepeated)
    {
    }

    public LeadStatus Status { get; private set; }
    public bool ConvertedToContact { get; private set; }
    public bool ConvertedToDeal { get; private set; }

    /// <summary>The deal this lead was converted into (§5), shown on its card (no foreign key: a deal that is gone shows no link); the contact it became is <see cref="SalesItem.ContactId"/>.</summary>
    public long? DealId { get; private set; }

    public bool IsOpen => Status == LeadStatus.Open;

    /// <summary>
    /// §5: the lead is closed as converted into what it became, and linked to it: <paramref name="contactId"/>
    /// (the contact created from it, or the one it already had) and <paramref name="dealId"/> (the Open deal created from it).
    /// Throws <see cref="InvalidOperationException"/> if the lead is not open.
    /// </summary>
    public void ConvertInto(long? contactId, long? dealId, DateTime at)
    {
        if (!IsOpen)
        {
            throw new InvalidOperationException($"Lead {Id} is {Status}: only an open lead is converted.");
        }

        var into = new List<ConvertedTo>();
        if (contactId is not null)
        {
            into.Add(ConvertedTo.Contact);
            ContactId = contactId;
        }

        if (dealId is not null)
        {
            into.Add(ConvertedTo.Deal);
            DealId = dealId;
        }

        Convert(into, at);
    }

    public void Reopen()
    {
        Status = LeadStatus.Open;
        ConvertedToContact = ConvertedToDeal = false;
        ClosedAt = null;
    }

    public void Convert(IReadOnlyCollection<ConvertedTo> into, DateTime at)
    {
        if (into.Count == 0)
        {
            throw new ArgumentException("A lead is converted to a contact, a deal, or both.", nameof(into));
        }

        Status = LeadStatus.Converted;
        ConvertedToContact = into.Contains(ConvertedTo.Contact);
        ConvertedToDeal = into.Contains(ConvertedTo.Deal);
        ClosedAt = at;
    }

    public void MarkJunk(DateTime at)
    {
        Status = LeadStatus.Junk;
        ConvertedToContact = ConvertedToDeal = false;
        ClosedAt = at;
    }
}

public sealed class Deal : SalesItem
{
    private Deal()
    {
    }

    public Deal(string title, long? contactId, long? companyId, DateTime createdAt, bool isRepeated = false)
        : base(title, contactId, companyId, createdAt, isRepeated)
    {
    }

    public DealStage Stage { get; private set; }

    public bool IsOpen => Stage == DealStage.Open;

    public void MoveTo(DealStage stage, DateTime at)
    {
        Stage = stage;
        ClosedAt = stage == DealStage.Open ? null : at;
    }
}

/// <summary>A phone or email of a contact, company or lead (§5); deals have theirs through contact and company.</summary>
public sealed class EntityContactPoint
{
    private EntityContactPoint()
    {
        Value = "";
    }

    public EntityContactPoint(CrmEntityType ownerType, long ownerId, ContactPoint point)
    {
        OwnerType = ownerType;
        OwnerId = ownerId;
        Type = point.Type;
        Value = point.Value;
    }

    public long Id { get; private set; }
    public CrmEntityType OwnerType { get; private set; }
    public long OwnerId { get; private set; }
    public EntryType Type { get; private set; }
    public string Value { get; private set; }
}
