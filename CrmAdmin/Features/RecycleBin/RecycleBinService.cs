using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.RecycleBin;

/// <summary>A phone or email that "Add to exceptions" would add, and whose it is.</summary>
public sealed record PreviewEntry(EntryType Type, string Value, string Of, bool AlreadyListed);

/// <summary>A linked contact or company that stays, and why.</summary>
public sealed record KeptMember(CrmEntityType EntityType, long EntityId, string Title, string Reason);

/// <summary>What "Add to exceptions" will do, shown before it is confirmed (S2).</summary>
public sealed record AddToExceptionsPreview(
    CrmEntityType EntityType, long EntityId, string Title, IReadOnlyList<PreviewEntry> Entries,
    IReadOnlyList<RecycledMember> Recycled, IReadOnlyList<KeptMember> Kept);

public sealed record AddToExceptionsResult(int Entries, int Recycled);

public sealed record RecycleBinRow(long Id, CrmEntityType EntityType, long EntityId, string Title, DateTime DeletedAt, string DeletedBy,
    IReadOnlyList<RecycledMember> With, int Entries);

public sealed record RestoreResult(int Restored, int RemovedEntries);

/// <summary>
/// "Add to exceptions" from a lead or deal form (S2) and the Recycle bin (S3). Everything here
/// changes the exception list, so it needs Edit (P3); each step is one transaction.
/// </summary>
public sealed class RecycleBinService(IDbContextFactory<CrmDbContext> dbFactory, IExceptionEntryWriters writers, CrmAuthorizer authorizer, TimeProvider clock, ILogger<RecycleBinService> logger)
{
    public async Task<AddToExceptionsPreview> PreviewAsync(CrmEntityType type, long id, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.EditExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await PlanAsync(db, type, id, ct)).Preview;
    }

    /// <summary>Adds the phones and emails of the item and its contact and company (Source EntityForm) and moves the group to the Recycle bin.</summary>
    public async Task<AddToExceptionsResult> AddToExceptionsAsync(CrmEntityType type, long id, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var at = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var plan = await PlanAsync(db, type, id, ct);
        var added = new List<ContactPoint>();
        using (var writer = writers.Open(db, EntrySource.EntityForm, actor, at))
        {
            var comment = $"Added from {type.Noun()} #{id}: {plan.Preview.Title}";
            foreach (var entry in plan.Preview.Entries)
            {
                var point = new ContactPoint(entry.Type, entry.Value);
                if (writer.TryAdd(point, comment[..Math.Min(comment.Length, ExceptionEntry.MaxCommentLength)]))
                {
                    added.Add(point);
                }
            }

            writer.AuditAdded();
        }

        var addedValues = added.Select(p => p.Value).ToList();
        var addedEntries = (await db.ExceptionEntries.Where(e => addedValues.Contains(e.Value)).Select(e => new { e.Id, e.Type, e.Value }).ToListAsync(ct))
            .Where(e => added.Contains(new ContactPoint(e.Type, e.Value)))
            .Select(e => new AddedEntry(e.Id, e.Type, e.Value)).ToList();

        foreach (var member in plan.Preview.Recycled.Prepend(new RecycledMember(type, id, plan.Preview.Title)))
        {
            await SetDeletedAsync(db, member, at, ct);
        }

        db.RecycleBin.Add(new RecycleBinItem(type, id, plan.Preview.Title, at, actor, plan.Preview.Recycled, addedEntries));
        db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.MovedToRecycleBin, EntrySource.EntityForm, null,
            $"{type} #{id} {plan.Preview.Title}{string.Concat(plan.Preview.Recycled.Select(m => $", {m.EntityType.Noun()} #{m.EntityId} {m.Title}"))}; {Labels.Count(addedEntries.Count, "exception entry", "exception entries")} added"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("{Actor} added {Type} {Id} to exceptions: {Entries} entries, {Recycled} entities recycled", actor, type, id, addedEntries.Count, plan.Preview.Recycled.Count + 1);
        return new AddToExceptionsResult(addedEntries.Count, plan.Preview.Recycled.Count + 1);
    }

    /// <summary>The items in the Recycle bin, newest first. Anyone with View reads them; restoring needs Edit (S3, P3).</summary>
    public async Task<IReadOnlyList<RecycleBinRow>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var items = await db.RecycleBin.AsNoTracking().OrderByDescending(i => i.DeletedAt).ThenByDescending(i => i.Id).ToListAsync(ct);
        // Titles as people read them: one recycled before routing composed titles as written may hold a punycode domain.
        return items.Select(i => new RecycleBinRow(i.Id, i.EntityType, i.EntityId, Labels.ForPeopleText(i.Title), i.DeletedAt, i.DeletedBy,
            i.With.Select(w => w with { Title = Labels.ForPeopleText(w.Title) }).ToList(), i.Entries.Count)).ToList();
    }

    /// <summary>Brings the group back (S3) and, if asked, removes the exception entries that "Add to exceptions" added.</summary>
    public async Task<RestoreResult> RestoreAsync(long itemId, bool removeExceptions, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var at = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var item = await db.RecycleBin.SingleOrDefaultAsync(i => i.Id == itemId, ct)
                   ?? throw new CrmRequestException($"There is no item {itemId} in the Recycle bin.");
        var members = item.With.Prepend(new RecycledMember(item.EntityType, item.EntityId, item.Title)).ToList();
        foreach (var member in members)
        {
            await SetDeletedAsync(db, member, null, ct);
        }

        var removed = new List<ContactPoint>();
        if (removeExceptions && item.Entries.Count > 0)
        {
            var ids = item.Entries.Select(e => e.EntryId).ToList();
            var existing = await db.ExceptionEntries.Where(e => ids.Contains(e.Id)).Select(e => new { e.Type, e.Value }).ToListAsync(ct);
            await db.ExceptionEntries.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
            removed.AddRange(existing.Select(e => new ContactPoint(e.Type, e.Value)));
            using var writer = writers.Open(db, EntrySource.EntityForm, actor, at);
            foreach (var point in removed)
            {
                writer.Audit(AuditAction.ExceptionRemoved, point);
            }
        }

        db.RecycleBin.Remove(item);
        db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.Restored, EntrySource.EntityForm, null,
            $"{item.EntityType} #{item.EntityId} {item.Title} and {members.Count - 1} linked; {Labels.Count(removed.Count, "exception entry", "exception entries")} removed"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new RestoreResult(members.Count, removed.Count);
    }

    private sealed record Plan(AddToExceptionsPreview Preview);

    private static async Task<Plan> PlanAsync(CrmDbContext db, CrmEntityType type, long id, CancellationToken ct)
    {
        if (type is not (CrmEntityType.Lead or CrmEntityType.Deal))
        {
            throw new CrmRequestException("Only a lead or a deal is added to exceptions from its form.");
        }

        var item = await CrmEntityService.DetailsAsync(db, type, id, ct, withActivities: false) ?? throw new CrmRequestException($"There is no {type.Noun()} {id}.");
        var contact = item.ContactId is { } contactId ? await CrmEntityService.DetailsAsync(db, CrmEntityType.Contact, contactId, ct, withActivities: false) : null;
        var companyId = item.CompanyId ?? (contact is null ? null : await db.Contacts.Where(c => c.Id == contact.Id).Select(c => c.CompanyId).SingleAsync(ct));
        var company = companyId is { } cid ? await CrmEntityService.DetailsAsync(db, CrmEntityType.Company, cid, ct, withActivities: false) : null;

        var entries = new List<PreviewEntry>();
        void Collect(EntityDetails? owner, string of)
        {
            // Stored values are normalized already: they become entries as they are.
            var points = (owner?.Phones ?? []).Select(p => new ContactPoint(EntryType.Phone, p))
                .Concat((owner?.Emails ?? []).Select(e => new ContactPoint(EntryType.Email, e)));
            foreach (var point in points)
            {
                if (!entries.Any(e => e.Type == point.Type && e.Value == point.Value))
                {
                    entries.Add(new PreviewEntry(point.Type, point.Value, of, false));
                }
            }
        }

        Collect(item, $"{type.Noun()} {item.Title}");
        Collect(contact, $"contact {contact?.Title}");
        Collect(company, $"company {company?.Title}");
        var values = entries.Select(e => e.Value).ToList();
        var listed = (await db.ExceptionEntries.Where(e => values.Contains(e.Value)).Select(e => new { e.Type, e.Value }).ToListAsync(ct))
            .Select(e => (e.Type, e.Value)).ToHashSet();
        entries = entries.Select(e => e with { AlreadyListed = listed.Contains((e.Type, e.Value)) }).ToList();

        var recycled = new List<RecycledMember>();
        var kept = new List<KeptMember>();
        if (contact is not null)
        {
            var others = await OtherItemsAsync(db, type, id, l => l.ContactId == contact.Id, d => d.ContactId == contact.Id, ct);
            if (others is null)
            {
                recycled.Add(new RecycledMember(CrmEntityType.Contact, contact.Id, contact.Title));
            }
            else
            {
                kept.Add(new KeptMember(CrmEntityType.Contact, contact.Id, contact.Title, $"still linked to {others}"));
            }
        }

        if (company is not null)
        {
            var others = await OtherItemsAsync(db, type, id, l => l.CompanyId == company.Id, d => d.CompanyId == company.Id, ct);
            var recycledContactId = recycled.FirstOrDefault()?.EntityId;
            var otherContact = await db.Contacts.Where(c => c.CompanyId == company.Id && c.Id != recycledContactId).Select(c => c.Name).FirstOrDefaultAsync(ct);
            others ??= otherContact is null ? null : $"contact {otherContact}";
            if (others is null)
            {
                recycled.Add(new RecycledMember(CrmEntityType.Company, company.Id, company.Title));
            }
            else
            {
                kept.Add(new KeptMember(CrmEntityType.Company, company.Id, company.Title, $"still linked to {others}"));
            }
        }

        return new Plan(new AddToExceptionsPreview(type, id, item.Title, entries, recycled, kept));
    }

    /// <summary>Another live lead or deal linked the same way, named for the preview; null when there is none.</summary>
    private static async Task<string?> OtherItemsAsync(CrmDbContext db, CrmEntityType type, long id,
        System.Linq.Expressions.Expression<Func<Lead, bool>> leadLinked, System.Linq.Expressions.Expression<Func<Deal, bool>> dealLinked, CancellationToken ct)
    {
        var lead = await db.Leads.Where(leadLinked).Where(l => type != CrmEntityType.Lead || l.Id != id).Select(l => l.Title).FirstOrDefaultAsync(ct);
        if (lead is not null)
        {
            return $"lead {lead}";
        }

        var deal = await db.Deals.Where(dealLinked).Where(d => type != CrmEntityType.Deal || d.Id != id).Select(d => d.Title).FirstOrDefaultAsync(ct);
        return deal is null ? null : $"deal {deal}";
    }

    private static async Task SetDeletedAsync(CrmDbContext db, RecycledMember member, DateTime? deletedAt, CancellationToken ct)
    {
        switch (member.EntityType)
        {
            case CrmEntityType.Lead:
                (await db.Leads.IgnoreQueryFilters().SingleAsync(l => l.Id == member.EntityId, ct)).DeletedAt = deletedAt;
                break;
            case CrmEntityType.Deal:
                (await db.Deals.IgnoreQueryFilters().SingleAsync(d => d.Id == member.EntityId, ct)).DeletedAt = deletedAt;
                break;
            case CrmEntityType.Contact:
                (await db.Contacts.IgnoreQueryFilters().SingleAsync(c => c.Id == member.EntityId, ct)).DeletedAt = deletedAt;
                break;
            default:
                (await db.Companies.IgnoreQueryFilters().SingleAsync(c => c.Id == member.EntityId, ct)).DeletedAt = deletedAt;
                break;
        }
    }

}
