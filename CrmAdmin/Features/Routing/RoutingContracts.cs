using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;

namespace CrmAdmin.Features.Routing;

public sealed record CardRequest(CrmEntityType Type, long Id);

public sealed record CallRequest(long LineId, CallDirection Direction, string Number, CardRequest? InitiatedFrom = null, bool DryRun = true);

/// <summary>An email to route (E1–E3); <see cref="References"/> is the thread's message ids, oldest first, as the References header lists them.</summary>
public sealed record EmailRequest(string From, string? MessageId = null, string? InReplyTo = null, string? Subject = null, bool DryRun = true,
    IReadOnlyList<string>? References = null);

public sealed record ChatOrFormRequest(string? Phone = null, string? Email = null, string? Name = null, bool DryRun = true);

public sealed record MatchedExceptionDto(long Id, EntryType Type, string Value, string? Comment);

/// <summary>An entity the decision created (Id null in a dry run) or logged to, with the rule that created it (C5, C6) or logged it (C3, C8, E1…).</summary>
public sealed record OutcomeEntity(CrmEntityType Type, long? Id, string Title, string? Rule = null);

/// <summary>The outcome of §8, plus the verdict a person reads first.</summary>
public sealed record RoutingOutcome(
    string Channel,
    string? Customer,
    bool DryRun,
    bool Blocked,
    MatchedExceptionDto? MatchedException,
    IReadOnlyList<OutcomeEntity> Created,
    IReadOnlyList<OutcomeEntity> LoggedTo,
    bool Repeated,
    IReadOnlyList<string> Rules,
    IReadOnlyList<string> Explanation,
    string Verdict)
{
    public static RoutingOutcome From(RoutingDecision decision, bool dryRun, IReadOnlyDictionary<int, long>? createdIds = null) => new(
        decision.Channel.ToString(),
        decision.Customer?.Value,
        dryRun,
        decision.Blocked,
        decision.MatchedException is { } m ? new MatchedExceptionDto(m.Id, m.Type, m.Value, m.Comment) : null,
        decision.Create.Select(p => new OutcomeEntity(p.Type, createdIds?.GetValueOrDefault(p.Key), Labels.ForPeopleText(p.Title), p.Rule)).ToList(),
        decision.LogTo.Select(l => new OutcomeEntity(l.Type, l.Entity.ExistingId ?? (l.Entity.PlannedKey is { } k ? createdIds?.GetValueOrDefault(k) : null), Labels.ForPeopleText(l.Title), l.Rule)).ToList(),
        decision.Repeated,
        decision.Rules,
        // The sentences and titles are for people (§8): an IDN domain reads in Unicode, as in the exception grid
        // (a title saved before routing wrote titles in Unicode, too); the fields clients match on (customer,
        // matchedException.value) keep the stored form.
        decision.Steps.Select(s => $"{s.Rule}: {Labels.ForPeopleText(s.Explanation)}").ToList(),
        Labels.ForPeopleText(dryRun ? decision.Verdict + " (dry run: nothing was changed)" : decision.Verdict));
}

/// <summary>An email the CRM saved (an applied email's activity with its Message-ID), as the simulator's "Email reply" offers it (E1).</summary>
public sealed record SavedMessage(string MessageId, string Subject, string From, DateTime At);

/// <summary>A routing request that cannot be decided (C1: a number that cannot be normalized; an unknown line).</summary>
public sealed class RoutingRequestException(string message) : RequestRefusedException(message);
