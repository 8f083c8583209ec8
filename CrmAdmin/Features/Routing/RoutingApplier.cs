using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// Writes a routing decision exactly as decided, in one transaction: the planned entities (with
/// the customer's phone or email), one activity per entity logged to, and for a blocked one a hit on
/// the exception entry and a <see cref="BlockedEvent"/> row (the dashboard's statistics).
/// </summary>
internal static class RoutingApplier
{
    public sealed record ActivityInfo(ActivityKind Kind, string Summary, CallDirection? Direction, long? LineId, string? MessageId);

    /// <summary>
    /// Returns the ids of the created entities by their planned key. Runs in, and commits, the
    /// caller's transaction; a decision that creates entities is audited in it, in the name of
    /// <paramref name="actor"/> (the integration's account). Created entities get <paramref name="points"/> (a chat or form can bring
    /// a phone and an email, O1), or the decision's customer when none are given.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, long>> ApplyAsync(CrmDbContext db, RoutingDecision decision, ActivityInfo activity, DateTime at,
        string actor, CancellationToken ct, IReadOnlyList<ContactPoint>? points = null)
    {
        var customerPoints = points ?? (decision.Customer is { } only ? [only] : []);
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("A decision is applied in the transaction its facts were read in.");
        var ids = new Dictionary<int, long>();
        foreach (var planned in decision.Create)
        {
            var contactId = Resolve(planned.Contact, ids);
            var companyId = Resolve(planned.Company, ids);
            long id;
            switch (planned.Type)
            {
                case CrmEntityType.Lead:
                    var lead = db.Leads.Add(new Lead(planned.Title, contactId, companyId, at, planned.IsRepeated)).Entity;
                    await db.SaveChangesAsync(ct);
                    id = lead.Id;
                    break;
                case CrmEntityType.Deal:
                    var deal = db.Deals.Add(new Deal(planned.Title, contactId, companyId, at, planned.IsRepeated)).Entity;
                    await db.SaveChangesAsync(ct);
                    id = deal.Id;
                    break;
                case CrmEntityType.Contact:
                    var contact = db.Contacts.Add(new Contact(planned.Title, companyId, at)).Entity;
                    await db.SaveChangesAsync(ct);
                    id = contact.Id;
                    break;
                default:
                    var company = db.Companies.Add(new Company(planned.Title, at)).Entity;
                    await db.SaveChangesAsync(ct);
                    id = company.Id;
                    break;
            }

            ids[planned.Key] = id;
            // A deal carries no phone of its own: it is found through its contact (§5). A lead, repeated
            // or not, carries it, so the next call finds it open and is logged to it (C3).
            if (planned.Type != CrmEntityType.Deal)
            {
                db.EntityContactPoints.AddRange(customerPoints.Select(point => new EntityContactPoint(planned.Type, id, point)));
            }
        }

        foreach (var target in decision.LogTo)
        {
            var entityId = Resolve(target.Entity, ids) ?? throw new InvalidOperationException("A log target names an entity that was not created.");
            db.Activities.Add(new Activity(target.Type, entityId, activity.Kind, decision.Customer?.Value ?? "", activity.Summary, at,
                activity.Direction, activity.LineId, activity.MessageId));
        }

        if (decision.Create.Count > 0)
        {
            db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.RoutingApplied,
                activity.Kind == ActivityKind.Call ? EntrySource.Telephony : EntrySource.Api, decision.Customer,
                $"{activity.Summary}: created {string.Join(", ", decision.Create.Select(p => $"{p.Type} {ids[p.Key]} \"{p.Title}\""))} [{string.Join(",", decision.Rules)}]"));
        }

        if (decision is { Blocked: true, MatchedException: { } blockedBy })
        {
            db.BlockedEvents.Add(new BlockedEvent(at, decision.Channel, blockedBy));
        }

        await db.SaveChangesAsync(ct);
        if (decision is { Blocked: true, MatchedException: { } match })
        {
            await db.ExceptionEntries.Where(e => e.Id == match.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.HitCount, e => e.HitCount + 1).SetProperty(e => e.LastHitAt, at), ct);
        }

        await transaction.CommitAsync(ct);
        return ids;
    }

    private static long? Resolve(EntityLink? link, Dictionary<int, long> ids) =>
        link is { ExistingId: { } existing } ? existing : link is { PlannedKey: { } key } ? ids[key] : null;
}
