using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Domain.Routing;

public enum RoutingChannel
{
    IncomingCall,
    OutgoingCall,
    NewEmail,
    EmailReply,
    Chat,
    Form,
}

public sealed record RelatedLead(long Id, string Title, LeadStatus Status, bool ConvertedToContact, bool ConvertedToDeal, DateTime? ClosedAt, long? ContactId)
{
    public bool IsOpen => Status == LeadStatus.Open;
}

public sealed record RelatedDeal(long Id, string Title, DealStage Stage, DateTime? ClosedAt, long? ContactId)
{
    public bool IsOpen => Stage == DealStage.Open;
}

/// <summary>A related contact or company.</summary>
public sealed record RelatedParty(long Id, string Title);

/// <summary>
/// The live (not recycled) entities that have the customer's number or address (§5): contacts,
/// companies and leads with it, and deals whose contact or company has it.
/// </summary>
public sealed record RelatedEntities(
    IReadOnlyList<RelatedLead> Leads, IReadOnlyList<RelatedDeal> Deals, IReadOnlyList<RelatedParty> Contacts, IReadOnlyList<RelatedParty> Companies)
{
    public static readonly RelatedEntities None = new([], [], [], []);

    public bool Any => Leads.Count + Deals.Count + Contacts.Count + Companies.Count > 0;

    /// <summary>Both sets, each entity once (a chat or form can bring a phone and an email, O1).</summary>
    public RelatedEntities Union(RelatedEntities other) => new(
        Leads.Concat(other.Leads).DistinctBy(l => l.Id).ToList(),
        Deals.Concat(other.Deals).DistinctBy(d => d.Id).ToList(),
        Contacts.Concat(other.Contacts).DistinctBy(c => c.Id).ToList(),
        Companies.Concat(other.Companies).DistinctBy(c => c.Id).ToList());
}

public sealed record MatchedException(long Id, EntryType Type, string Value, string? Comment);

/// <summary>The card an outgoing call was started from (C8).</summary>
public sealed record CardRef(CrmEntityType Type, long Id, string Title, bool IsClosed);

/// <summary>An existing entity (Id) or one this decision creates (PlannedKey).</summary>
public readonly record struct EntityLink(long? ExistingId, int? PlannedKey);

/// <summary>An entity a decision creates, and the rule id that creates it (§8): "C5" for a customer the CRM does not know, "C6" for a repeated lead or deal.</summary>
public sealed record PlannedEntity(int Key, CrmEntityType Type, string Title, bool IsRepeated, EntityLink? Contact, EntityLink? Company, string Rule);

/// <summary>An entity the call, email, chat or form is logged to, and the rule id that logged it (§8: every logged entity has its rule in the trail).</summary>
public sealed record LogTarget(CrmEntityType Type, EntityLink Entity, string Title)
{
    /// <summary>The rule that logged it ("C3", "C8", "E1"); empty only in facts (an email thread) before a decision logs them.</summary>
    public string Rule { get; init; } = "";
}

public sealed record RuleStep(string Rule, string Explanation);

/// <summary>
/// What the CRM does with one call, email, chat or form (§8), before anything is written: a dry run
/// shows it as it is; applying it creates <see cref="Create"/> and logs to <see cref="LogTo"/>.
/// </summary>
public sealed record RoutingDecision(
    RoutingChannel Channel,
    ContactPoint? Customer,
    bool Blocked,
    MatchedException? MatchedException,
    IReadOnlyList<PlannedEntity> Create,
    IReadOnlyList<LogTarget> LogTo,
    bool Repeated,
    IReadOnlyList<RuleStep> Steps,
    string Verdict)
{
    public IReadOnlyList<string> Rules => Steps.Select(s => s.Rule).ToList();
}

/// <summary>The CRM settings and line settings a decision depends on.</summary>
public sealed record RoutingSettings(CrmMode Mode, bool RepeatedLeads, bool CreateFromNewEmails)
{
    public static readonly RoutingSettings Default = new(CrmMode.Classic, false, true);
}

public sealed record LineSettings(string Name, DirectionSettings Incoming, DirectionSettings Outgoing)
{
    public static readonly LineSettings Default = new("Main line", new(true, false), new(false, false));

    public DirectionSettings For(CallDirection direction) => direction == CallDirection.Incoming ? Incoming : Outgoing;
}

/// <summary>The facts of a call: the number as dialled and as normalized (C1), and what the CRM already has.</summary>
public sealed record CallFacts(
    CallDirection Direction, string RawNumber, ContactPoint Number, LineSettings Line, RoutingSettings Settings,
    RelatedEntities Related, MatchedException? Match, CardRef? StartedFrom = null);

public sealed record EmailFacts(
    string RawAddress, ContactPoint Address, RoutingSettings Settings, RelatedEntities Related, MatchedException? Match,
    string? InReplyTo = null, IReadOnlyList<LogTarget>? Thread = null);

public sealed record ChatOrFormFacts(
    RoutingChannel Channel, ContactPoint? Phone, ContactPoint? Email, string? Name, RoutingSettings Settings,
    RelatedEntities Related, MatchedException? IgnoredMatch);
