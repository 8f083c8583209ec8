using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Crm;

/// <summary>What a person or client typed for a new or changed entity; phones and emails are normalized (X2, X3).</summary>
public sealed record EntityInput(
    string Title, IReadOnlyList<string>? Phones = null, IReadOnlyList<string>? Emails = null, long? ContactId = null, long? CompanyId = null);

/// <summary>The status a lead is created with (the API can record history: closed, converted, when).</summary>
public sealed record LeadState(LeadStatus Status, IReadOnlyList<ConvertedTo>? ConvertedTo = null, DateTime? ClosedAt = null);

public sealed record DealState(DealStage Stage, DateTime? ClosedAt = null);

public sealed record EntityListItem(CrmEntityType Type, long Id, string Title, string? State, string ContactPoints, DateTime CreatedAt);

public sealed record ActivityItem(long Id, ActivityKind Kind, CallDirection? Direction, string From, string Summary, DateTime At);

public sealed record EntityDetails(
    CrmEntityType Type, long Id, string Title, IReadOnlyList<string> Phones, IReadOnlyList<string> Emails,
    long? ContactId, long? CompanyId, LeadStatus? LeadStatus, IReadOnlyList<ConvertedTo>? ConvertedTo, DealStage? DealStage,
    DateTime? ClosedAt, bool IsRepeated, DateTime CreatedAt, IReadOnlyList<ActivityItem> Activities)
{
    public bool IsClosed => ClosedAt is not null;

    /// <summary>The linked contact by name (null when none, or when it is in the Recycle bin).</summary>
    public EntityOption? Contact { get; init; }

    /// <summary>The linked company by name (null when none, or when it is in the Recycle bin).</summary>
    public EntityOption? Company { get; init; }

    /// <summary>A lead's deal: the one it was converted into (§5); null for other types.</summary>
    public EntityOption? Deal { get; init; }
}

/// <summary>An entity as a picker offers it: its name or title, and its phones and emails to tell namesakes apart (never shown as an id).</summary>
public sealed record EntityOption(CrmEntityType Type, long Id, string Title, string? Detail = null);

/// <summary>What a lead conversion created or linked (§5): the contact and the deal, each null when not asked for.</summary>
public sealed record LeadConversion(long? ContactId, long? DealId);

/// <summary>A request the CRM cannot carry out as asked (unknown entity, invalid phone), with the reason and the input field it is about, if one.</summary>
public class CrmRequestException(string message, string? field = null) : RequestRefusedException(message)
{
    /// <summary>The field the reason is about ("contactId", "companyId"), so a form shows it there; null for the request as a whole.</summary>
    public string? Field { get; } = field;
}

/// <summary>A refusal as a form shows it: the reason, under the field it is about (null: above the form).</summary>
public sealed record FieldRefusal(string Message, string? Field = null)
{
    public static FieldRefusal From(RequestRefusedException refused) => new(refused.Message, (refused as CrmRequestException)?.Field);
}

/// <summary>The entity asked for does not exist or is in the Recycle bin: the API answers 404.</summary>
public sealed class CrmNotFoundException(string message) : CrmRequestException(message);

/// <summary>The entity is not in a state that allows the change (a lead already converted or junk): the API answers 409.</summary>
public sealed class CrmConflictException(string message) : CrmRequestException(message);

/// <summary>Contacts, companies, leads and deals (§5): reading needs View, changing needs Edit (P3).</summary>
public sealed class CrmEntityService(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock)
{
    public const int MaxTake = 200;

    /// <summary>The most a picker's search returns: a person narrows the search rather than scrolls.</summary>
    public const int MaxOptions = 20;

    /// <summary>
    /// A picker's search (issue 13): entities of <paramref name="type"/> whose name or title, phone or email
    /// contains <paramref name="text"/> (a phone also matches by its digits, so "415 555" finds +1415555…),
    /// newest first, at most <paramref name="take"/> (1–<see cref="MaxOptions"/>). Blank text lists the newest.
    /// Needs View (P3); items in the Recycle bin never appear.
    /// </summary>
    public async Task<IReadOnlyList<EntityOption>> SearchAsync(CrmEntityType type, string? text, int take, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        if (!Enum.IsDefined(type))
        {
            throw new CrmRequestException($"type: one of {string.Join(", ", Enum.GetNames<CrmEntityType>())}.");
        }

        text = FieldLimits.Check(text?.Trim(), FieldLimits.Email, "search");
        take = Math.Clamp(take, 1, MaxOptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var byPoint = new List<long>();
        if (!string.IsNullOrEmpty(text) && type != CrmEntityType.Deal)
        {
            var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
            var points = db.EntityContactPoints.Where(p => p.OwnerType == type).Containing(db.Database, text, p => p.Value)
                .Select(p => p.OwnerId);
            if (digits.Length >= 3 && digits.Length != text.Length)
            {
                points = points.Union(db.EntityContactPoints.Where(p => p.OwnerType == type && p.Type == EntryType.Phone)
                    .Containing(db.Database, digits, p => p.Value).Select(p => p.OwnerId));
            }

            byPoint = await points.Distinct().OrderByDescending(owner => owner).Take(MaxOptions * 5).ToListAsync(ct);
        }

        var rows = type switch
        {
            CrmEntityType.Lead => await MatchesAsync(db.Leads, db, text, l => l.Title, l => new OptionRow { Id = l.Id, Title = l.Title }, byPoint, take, ct),
            CrmEntityType.Deal => await MatchesAsync(db.Deals, db, text, d => d.Title, d => new OptionRow { Id = d.Id, Title = d.Title }, byPoint, take, ct),
            CrmEntityType.Contact => await MatchesAsync(db.Contacts, db, text, c => c.Name, c => new OptionRow { Id = c.Id, Title = c.Name }, byPoint, take, ct),
            _ => await MatchesAsync(db.Companies, db, text, c => c.Name, c => new OptionRow { Id = c.Id, Title = c.Name }, byPoint, take, ct),
        };
        var found = rows.Select(r => r.Id).ToList();
        var details = await db.EntityContactPoints.Where(p => p.OwnerType == type && found.Contains(p.OwnerId)).OrderBy(p => p.Id)
            .Select(p => new { p.OwnerId, p.Value }).ToListAsync(ct);
        return rows.Select(r => new EntityOption(type, r.Id, AsWritten(r.Title),
            string.Join(", ", details.Where(d => d.OwnerId == r.Id).Select(d => InternationalDomains.ToUnicode(d.Value)).Take(3)) is { Length: > 0 } d ? d : null)).ToList();
    }

    public async Task<(int Total, IReadOnlyList<EntityListItem> Items)> ListAsync(CrmEntityType type, string? search, int skip, int take,
        ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        take = Math.Clamp(take, 1, MaxTake);
        skip = Math.Max(0, skip);
        // Filter, count and page on the table itself; only the page is projected for display.
        var (total, page) = type switch
        {
            CrmEntityType.Lead => await PageAsync(db.Leads.Containing(db.Database, search, l => l.Title), l => l.Id, skip, take,
                l => new EntityListItem(CrmEntityType.Lead, l.Id, l.Title, l.Status.ToString(), "", l.CreatedAt), ct),
            CrmEntityType.Deal => await PageAsync(db.Deals.Containing(db.Database, search, d => d.Title), d => d.Id, skip, take,
                d => new EntityListItem(CrmEntityType.Deal, d.Id, d.Title, d.Stage.ToString(), "", d.CreatedAt), ct),
            CrmEntityType.Contact => await PageAsync(db.Contacts.Containing(db.Database, search, c => c.Name), c => c.Id, skip, take,
                c => new EntityListItem(CrmEntityType.Contact, c.Id, c.Name, null, "", c.CreatedAt), ct),
            _ => await PageAsync(db.Companies.Containing(db.Database, search, c => c.Name), c => c.Id, skip, take,
                c => new EntityListItem(CrmEntityType.Company, c.Id, c.Name, null, "", c.CreatedAt), ct),
        };
        var ids = page.Select(r => r.Id).ToList();
        var points = await db.EntityContactPoints.Where(p => p.OwnerType == type && ids.Contains(p.OwnerId))
            .Select(p => new { p.OwnerId, p.Value }).ToListAsync(ct);
        return (total, page.Select(r => r with
        {
            Title = AsWritten(r.Title),
            ContactPoints = string.Join(", ", points.Where(p => p.OwnerId == r.Id).Select(p => p.Value)),
        }).ToList());
    }

    private sealed class OptionRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
    }

    // The newest entities whose title matches, and those whose phone or email matched: each once, newest first.
    private static async Task<List<OptionRow>> MatchesAsync<T>(IQueryable<T> rows, CrmDbContext db, string? text, System.Linq.Expressions.Expression<Func<T, string?>> title,
        System.Linq.Expressions.Expression<Func<T, OptionRow>> project, List<long> byPoint, int take, CancellationToken ct) where T : class
    {
        var byTitle = await rows.AsNoTracking().Containing(db.Database, text, title).Select(project).OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);
        var byContactPoint = byPoint.Count == 0 ? []
            : await rows.AsNoTracking().Select(project).Where(r => byPoint.Contains(r.Id)).OrderByDescending(r => r.Id).Take(take).ToListAsync(ct);
        return byTitle.Concat(byContactPoint).DistinctBy(r => r.Id).OrderByDescending(r => r.Id).Take(take).ToList();
    }

    private static async Task<(int Total, List<EntityListItem> Page)> PageAsync<T>(IQueryable<T> rows, System.Linq.Expressions.Expression<Func<T, long>> id,
        int skip, int take, Func<T, EntityListItem> toItem, CancellationToken ct) where T : class
    {
        var total = await rows.CountAsync(ct);
        var page = await rows.AsNoTracking().OrderByDescending(id).Skip(skip).Take(take).ToListAsync(ct);
        return (total, page.Select(toItem).ToList());
    }

    public async Task<EntityDetails?> GetAsync(CrmEntityType type, long id, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await DetailsAsync(db, type, id, ct);
    }

    /// <summary>Creates the entity and audits it (who, when, what); throws <see cref="RequestRefusedException"/> for invalid or over-long input.</summary>
    public async Task<long> CreateAsync(CrmEntityType type, EntityInput input, ClaimsPrincipal user, CancellationToken ct = default,
        LeadState? leadState = null, DealState? dealState = null, EntrySource source = EntrySource.EntityForm)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        CheckStates(leadState, dealState);
        var (phones, emails) = Normalize(input);
        var title = RequireTitle(input.Title, type);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await CheckLinksAsync(db, input, ct);
        long id;
        switch (type)
        {
            case CrmEntityType.Company:
                var company = db.Companies.Add(new Company(title, now)).Entity;
                await db.SaveChangesAsync(ct);
                id = company.Id;
                break;
            case CrmEntityType.Contact:
                var contact = db.Contacts.Add(new Contact(title, input.CompanyId, now)).Entity;
                await db.SaveChangesAsync(ct);
                id = contact.Id;
                break;
            case CrmEntityType.Lead:
                var lead = db.Leads.Add(new Lead(title, input.ContactId, input.CompanyId, now)).Entity;
                if (leadState is not null)
                {
                    ApplyLeadStatus(lead, leadState.Status, leadState.ConvertedTo, leadState.ClosedAt ?? now);
                }

                await db.SaveChangesAsync(ct);
                id = lead.Id;
                break;
            default:
                if (phones.Count + emails.Count > 0)
                {
                    throw new CrmRequestException("A deal has no phones or emails of its own: give them to its contact or company (§5).");
                }

                var deal = db.Deals.Add(new Deal(title, input.ContactId, input.CompanyId, now)).Entity;
                if (dealState is not null)
                {
                    deal.MoveTo(dealState.Stage, dealState.ClosedAt ?? now);
                }

                await db.SaveChangesAsync(ct);
                id = deal.Id;
                break;
        }

        db.EntityContactPoints.AddRange(phones.Concat(emails).Select(p => new EntityContactPoint(type, id, p)));
        Audit(db, actor, AuditAction.EntityCreated, type, id, title, phones.Concat(emails), leadState?.Status.ToString() ?? dealState?.Stage.ToString(), source);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return id;
    }

    /// <summary>Changes the title or name, links and phones and emails (replacing them).</summary>
    public async Task UpdateAsync(CrmEntityType type, long id, EntityInput input, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var (phones, emails) = Normalize(input);
        var title = RequireTitle(input.Title, type);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await CheckLinksAsync(db, input, ct);
        switch (type)
        {
            case CrmEntityType.Company:
                (await FindAsync(db.Companies, id, type, ct)).Name = title;
                break;
            case CrmEntityType.Contact:
                var contact = await FindAsync(db.Contacts, id, type, ct);
                (contact.Name, contact.CompanyId) = (title, input.CompanyId);
                break;
            case CrmEntityType.Lead:
                var lead = await FindAsync(db.Leads, id, type, ct);
                (lead.Title, lead.ContactId, lead.CompanyId) = (title, input.ContactId, input.CompanyId);
                break;
            default:
                var deal = await FindAsync(db.Deals, id, type, ct);
                (deal.Title, deal.ContactId, deal.CompanyId) = (title, input.ContactId, input.CompanyId);
                break;
        }

        if (type != CrmEntityType.Deal)
        {
            await db.EntityContactPoints.Where(p => p.OwnerType == type && p.OwnerId == id).ExecuteDeleteAsync(ct);
            db.EntityContactPoints.AddRange(phones.Concat(emails).Select(p => new EntityContactPoint(type, id, p)));
        }

        Audit(db, actor, AuditAction.EntityChanged, type, id, title, phones.Concat(emails), null);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Converts an open lead (§5) into a contact, a deal, or both, in one transaction, and returns their ids.
    /// <list type="bullet">
    /// <item>Contact: a lead with no contact gets a new one, named as the lead is titled, in the lead's company, with the lead's
    /// phones and emails. A lead that already has a contact is converted into that contact (it gets the lead's phones and
    /// emails it lacks) rather than into a duplicate of the same person.</item>
    /// <item>Deal: a new Open deal titled as the lead, linked to the contact above (or, converting to a deal only, to the
    /// contact the lead already had, if any) and to the lead's company.</item>
    /// </list>
    /// The lead is closed as Converted, records what it became (C7 reads it), and links to the contact and the deal.
    /// Needs Edit (P3). Throws <see cref="CrmNotFoundException"/> for an unknown or recycled lead,
    /// <see cref="CrmConflictException"/> when the lead is not open (converted or junk), <see cref="CrmRequestException"/> for an empty or unknown target.
    /// </summary>
    public async Task<LeadConversion> ConvertLeadAsync(long id, IReadOnlyCollection<ConvertedTo>? to, ClaimsPrincipal user, EntrySource source = EntrySource.EntityForm,
        CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        FieldLimits.CheckCount(to, Enum.GetValues<ConvertedTo>().Length, "to");
        if (to is not { Count: > 0 } || to.Any(t => !Enum.IsDefined(t)))
        {
            throw new CrmRequestException($"to: one or both of {string.Join(", ", Enum.GetNames<ConvertedTo>())}.", "to");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var lead = await FindAsync(db.Leads, id, CrmEntityType.Lead, ct);
        if (!lead.IsOpen)
        {
            throw new CrmConflictException(lead.Status == LeadStatus.Converted
                ? $"Lead \"{lead.Title}\" is already converted: see its contact and deal."
                : $"Lead \"{lead.Title}\" is junk: reopen it before converting it.");
        }

        var leadPoints = await db.EntityContactPoints.AsNoTracking().Where(p => p.OwnerType == CrmEntityType.Lead && p.OwnerId == id).OrderBy(p => p.Id).ToListAsync(ct);
        // A contact link the lead kept to a contact now in the Recycle bin counts as none.
        var existingContact = lead.ContactId is { } linked && await db.Contacts.AnyAsync(c => c.Id == linked, ct) ? lead.ContactId : null;
        long? contactId = null, dealId = null;
        if (to.Contains(ConvertedTo.Contact))
        {
            if (existingContact is { } known)
            {
                contactId = known;
                var has = await db.EntityContactPoints.Where(p => p.OwnerType == CrmEntityType.Contact && p.OwnerId == known).Select(p => p.Value).ToListAsync(ct);
                db.EntityContactPoints.AddRange(leadPoints.Where(p => !has.Contains(p.Value))
                    .Select(p => new EntityContactPoint(CrmEntityType.Contact, known, new ContactPoint(p.Type, p.Value))));
            }
            else
            {
                var contact = db.Contacts.Add(new Contact(lead.Title, lead.CompanyId, now)).Entity;
                await db.SaveChangesAsync(ct);
                contactId = contact.Id;
                db.EntityContactPoints.AddRange(leadPoints.Select(p => new EntityContactPoint(CrmEntityType.Contact, contact.Id, new ContactPoint(p.Type, p.Value))));
                Audit(db, actor, AuditAction.EntityCreated, CrmEntityType.Contact, contact.Id, contact.Name,
                    leadPoints.Select(p => new ContactPoint(p.Type, p.Value)), $"from lead {id}", source);
            }
        }

        if (to.Contains(ConvertedTo.Deal))
        {
            var deal = db.Deals.Add(new Deal(lead.Title, contactId ?? existingContact, lead.CompanyId, now)).Entity;
            await db.SaveChangesAsync(ct);
            dealId = deal.Id;
            Audit(db, actor, AuditAction.EntityCreated, CrmEntityType.Deal, deal.Id, deal.Title, [], $"{DealStage.Open}, from lead {id}", source);
        }

        lead.ConvertInto(contactId, dealId, now);
        Audit(db, actor, AuditAction.EntityChanged, CrmEntityType.Lead, id, lead.Title, [],
            $"Converted to {string.Join(" and ", new[] { (contactId, $"contact {contactId}"), (dealId, $"deal {dealId}") }.Where(x => x.Item1 is not null).Select(x => x.Item2))}", source);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new LeadConversion(contactId, dealId);
    }

    /// <summary>
    /// Marks an open lead Junk, or reopens a junk one (SPEC §9 <c>PUT /api/leads/{id}</c>); converting is <see cref="ConvertLeadAsync"/>.
    /// Needs Edit (P3). Throws <see cref="CrmNotFoundException"/> for an unknown or recycled lead, <see cref="CrmConflictException"/>
    /// for a converted lead (what it became exists and stays), <see cref="CrmRequestException"/> for another status.
    /// </summary>
    public async Task SetLeadStatusAsync(long id, LeadStatus status, ClaimsPrincipal user, EntrySource source = EntrySource.EntityForm, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        if (status is not (LeadStatus.Open or LeadStatus.Junk))
        {
            throw new CrmRequestException($"status: {LeadStatus.Open} or {LeadStatus.Junk}; a lead is converted with POST /api/leads/{{id}}/convert.", "status");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lead = await FindAsync(db.Leads, id, CrmEntityType.Lead, ct);
        if (lead.Status == LeadStatus.Converted)
        {
            throw new CrmConflictException($"Lead \"{lead.Title}\" is converted: its contact and deal stay as they are, and the lead stays closed.");
        }

        ApplyLeadStatus(lead, status, null, clock.GetUtcNow().UtcDateTime);
        Audit(db, actor, AuditAction.EntityChanged, CrmEntityType.Lead, id, lead.Title, [], status.ToString(), source);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Moves a deal to a stage (SPEC §9 <c>PUT /api/deals/{id}</c>): Won or Lost closes it, Open reopens it. Needs Edit (P3).
    /// Throws <see cref="CrmNotFoundException"/> for an unknown or recycled deal, <see cref="CrmRequestException"/> for an undefined stage.
    /// </summary>
    public async Task SetDealStageAsync(long id, DealStage stage, ClaimsPrincipal user, EntrySource source = EntrySource.EntityForm, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        CheckStates(null, new DealState(stage));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deal = await FindAsync(db.Deals, id, CrmEntityType.Deal, ct);
        deal.MoveTo(stage, clock.GetUtcNow().UtcDateTime);
        Audit(db, actor, AuditAction.EntityChanged, CrmEntityType.Deal, id, deal.Title, [], stage.ToString(), source);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>One audit row per created or changed entity: its type, id, title, phones and emails (cut to the row's size).</summary>
    private void Audit(CrmDbContext db, string actor, AuditAction action, CrmEntityType type, long id, string title, IEnumerable<ContactPoint> points, string? state,
        EntrySource source = EntrySource.EntityForm) =>
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, action, source, null,
            $"{type} {id} \"{title}\"{(state is null ? "" : $", {state}")}{(points.Any() ? $": {string.Join(", ", points.Select(p => p.Value))}" : "")}"));

    /// <summary>Statuses and stages are defined values only (P5: an API client could send a number).</summary>
    private static void CheckStates(LeadState? lead, DealState? deal)
    {
        if (lead is not null && (!Enum.IsDefined(lead.Status) || lead.ConvertedTo?.Any(c => !Enum.IsDefined(c)) == true))
        {
            throw new CrmRequestException($"status: one of {string.Join(", ", Enum.GetNames<LeadStatus>())}; convertedTo: {string.Join(", ", Enum.GetNames<ConvertedTo>())}.");
        }

        FieldLimits.CheckCount(lead?.ConvertedTo, Enum.GetValues<ConvertedTo>().Length, "convertedTo");
        if (deal is not null && !Enum.IsDefined(deal.Stage))
        {
            throw new CrmRequestException($"stage: one of {string.Join(", ", Enum.GetNames<DealStage>())}.");
        }
    }

    internal static void ApplyLeadStatus(Lead lead, LeadStatus status, IReadOnlyCollection<ConvertedTo>? convertedTo, DateTime at)
    {
        switch (status)
        {
            case LeadStatus.Open:
                lead.Reopen();
                break;
            case LeadStatus.Junk:
                lead.MarkJunk(at);
                break;
            default:
                if (convertedTo is not { Count: > 0 })
                {
                    throw new CrmRequestException("Say what the lead was converted into: a contact, a deal, or both.");
                }

                lead.Convert(convertedTo, at);
                break;
        }
    }

    /// <summary>The entity as shown; <paramref name="withActivities"/> false where only its title, state or phones are wanted.</summary>
    internal static async Task<EntityDetails?> DetailsAsync(CrmDbContext db, CrmEntityType type, long id, CancellationToken ct, bool withActivities = true)
    {
        var points = await db.EntityContactPoints.AsNoTracking().Where(p => p.OwnerType == type && p.OwnerId == id).OrderBy(p => p.Id).ToListAsync(ct);
        var phones = points.Where(p => p.Type == EntryType.Phone).Select(p => p.Value).ToList();
        var emails = points.Where(p => p.Type != EntryType.Phone).Select(p => p.Value).ToList();
        var activities = !withActivities ? [] : await db.Activities.AsNoTracking().Where(a => a.EntityType == type && a.EntityId == id).OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Select(a => new ActivityItem(a.Id, a.Kind, a.Direction, a.From, a.Summary, a.At)).ToListAsync(ct);
        var details = type switch
        {
            CrmEntityType.Company => await db.Companies.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new EntityDetails(type, c.Id, c.Name, phones, emails, null, null, null, null, null, null, false, c.CreatedAt, activities)).SingleOrDefaultAsync(ct),
            CrmEntityType.Contact => await db.Contacts.AsNoTracking().Where(c => c.Id == id)
                .Select(c => new EntityDetails(type, c.Id, c.Name, phones, emails, null, c.CompanyId, null, null, null, null, false, c.CreatedAt, activities)).SingleOrDefaultAsync(ct),
            CrmEntityType.Lead => (await db.Leads.AsNoTracking().Where(l => l.Id == id).ToListAsync(ct)).Select(l => new EntityDetails(type, l.Id, l.Title, phones, emails,
                l.ContactId, l.CompanyId, l.Status, ConvertedList(l), null, l.ClosedAt, l.IsRepeated, l.CreatedAt, activities)).SingleOrDefault(),
            _ => await db.Deals.AsNoTracking().Where(d => d.Id == id)
                .Select(d => new EntityDetails(type, d.Id, d.Title, phones, emails, d.ContactId, d.CompanyId, null, null, d.Stage, d.ClosedAt, d.IsRepeated, d.CreatedAt, activities))
                .SingleOrDefaultAsync(ct),
        };
        if (details is null)
        {
            return null;
        }

        var dealId = type == CrmEntityType.Lead ? await db.Leads.Where(l => l.Id == id).Select(l => l.DealId).SingleAsync(ct) : null;
        var contact = details.ContactId is { } contactId ? await db.Contacts.AsNoTracking().Where(c => c.Id == contactId)
            .Select(c => new EntityOption(CrmEntityType.Contact, c.Id, c.Name, null)).SingleOrDefaultAsync(ct) : null;
        var company = details.CompanyId is { } companyId ? await db.Companies.AsNoTracking().Where(c => c.Id == companyId)
            .Select(c => new EntityOption(CrmEntityType.Company, c.Id, c.Name, null)).SingleOrDefaultAsync(ct) : null;
        var linkedDeal = dealId is { } deal ? await db.Deals.AsNoTracking().Where(d => d.Id == deal)
            .Select(d => new EntityOption(CrmEntityType.Deal, d.Id, d.Title, null)).SingleOrDefaultAsync(ct) : null;
        return details with
        {
            Title = AsWritten(details.Title),
            Activities = details.Activities.Select(a => a with { Summary = AsWritten(a.Summary) }).ToList(),
            Contact = contact is null ? null : contact with { Title = AsWritten(contact.Title) },
            Company = company is null ? null : company with { Title = AsWritten(company.Title) },
            Deal = linkedDeal is null ? null : linkedDeal with { Title = AsWritten(linkedDeal.Title) },
        };
    }

    /// <summary>
    /// A title or name as people read it. Routing composes titles with the address as written
    /// (<see cref="ContactPoint.AsWritten"/>), but rows created before that read "Email from kontakt@xn--bcher-kva.example":
    /// every title this service hands out (lists, pickers, cards, the API) shows such a domain in Unicode, and saving
    /// the entity keeps that spelling.
    /// </summary>
    private static string AsWritten(string title) => Labels.ForPeopleText(title);

    private static IReadOnlyList<ConvertedTo>? ConvertedList(Lead lead) => lead.Status != LeadStatus.Converted ? null
        : new[] { (lead.ConvertedToContact, ConvertedTo.Contact), (lead.ConvertedToDeal, ConvertedTo.Deal) }.Where(x => x.Item1).Select(x => x.Item2).ToList();

    private static async Task<T> FindAsync<T>(DbSet<T> set, long id, CrmEntityType type, CancellationToken ct) where T : class =>
        await set.FindAsync([id], ct) ?? throw new CrmNotFoundException($"There is no {type.Noun()} {id}, or it is in the Recycle bin.");

    // A link names the field it came from, so a form shows the reason under its picker, not as a number the person never saw.
    private static async Task CheckLinksAsync(CrmDbContext db, EntityInput input, CancellationToken ct)
    {
        if (input.ContactId is { } contactId && !await db.Contacts.AnyAsync(c => c.Id == contactId, ct))
        {
            throw new CrmRequestException("The chosen contact does not exist (it may have been moved to the Recycle bin): choose another.", "contactId");
        }

        if (input.CompanyId is { } companyId && !await db.Companies.AnyAsync(c => c.Id == companyId, ct))
        {
            throw new CrmRequestException("The chosen company does not exist (it may have been moved to the Recycle bin): choose another.", "companyId");
        }
    }

    private static string RequireTitle(string? title, CrmEntityType type)
    {
        var field = type is CrmEntityType.Lead or CrmEntityType.Deal ? "title" : "name";
        return string.IsNullOrWhiteSpace(title) ? throw new CrmRequestException($"A {type.Noun()} needs a {field}.")
            : FieldLimits.Check(title.Trim(), FieldLimits.Title, field)!;
    }

    private static (List<ContactPoint> Phones, List<ContactPoint> Emails) Normalize(EntityInput input)
    {
        FieldLimits.CheckCount(input.Phones, FieldLimits.ContactPointsPerEntity, "phones");
        FieldLimits.CheckCount(input.Emails, FieldLimits.ContactPointsPerEntity, "emails");
        foreach (var phone in input.Phones ?? [])
        {
            FieldLimits.Check(phone, FieldLimits.RawPhone, "phones[]");
        }

        foreach (var email in input.Emails ?? [])
        {
            FieldLimits.Check(email, FieldLimits.Email, "emails[]");
        }

        var phones = new List<ContactPoint>();
        foreach (var raw in (input.Phones ?? []).Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var normalized = ContactPointNormalizer.NormalizePhone(raw);
            phones.Add(normalized.Point ?? throw new CrmRequestException($"Phone \"{raw}\": {normalized.Error}."));
        }

        var emails = new List<ContactPoint>();
        foreach (var raw in (input.Emails ?? []).Where(e => !string.IsNullOrWhiteSpace(e)))
        {
            var normalized = raw.Contains('@') ? ContactPointNormalizer.NormalizeEmail(raw) : Normalized.Fail("an email address needs an @");
            emails.Add(normalized.Point is { Type: EntryType.Email } point ? point : throw new CrmRequestException($"Email \"{raw}\": {normalized.Error ?? "a domain alone is not an address"}."));
        }

        return (phones.Distinct().ToList(), emails.Distinct().ToList());
    }
}
