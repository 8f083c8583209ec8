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
}

/// <summary>A request the CRM cannot carry out as asked (unknown entity, invalid phone), with the reason.</summary>
public sealed class CrmRequestException(string message) : RequestRefusedException(message);

/// <summary>Contacts, companies, leads and deals (§5): reading needs View, changing needs Edit (P3).</summary>
public sealed class CrmEntityService(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock)
{
    public const int MaxTake = 200;

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
        return (total, page.Select(r => r with { ContactPoints = string.Join(", ", points.Where(p => p.OwnerId == r.Id).Select(p => p.Value)) }).ToList());
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

    /// <summary>Sets a lead's status: Open, Junk, or Converted into a contact, a deal or both (§5).</summary>
    public async Task SetLeadStatusAsync(long id, LeadStatus status, IReadOnlyCollection<ConvertedTo>? convertedTo, DateTime? closedAt,
        ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        CheckStates(new LeadState(status, convertedTo?.ToList(), closedAt), null);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lead = await FindAsync(db.Leads, id, CrmEntityType.Lead, ct);
        ApplyLeadStatus(lead, status, convertedTo, closedAt ?? clock.GetUtcNow().UtcDateTime);
        Audit(db, actor, AuditAction.EntityChanged, CrmEntityType.Lead, id, lead.Title, [],
            status == LeadStatus.Converted ? $"{status} to {string.Join(" and ", convertedTo ?? [])}" : status.ToString());
        await db.SaveChangesAsync(ct);
    }

    public async Task SetDealStageAsync(long id, DealStage stage, DateTime? closedAt, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        CheckStates(null, new DealState(stage, closedAt));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deal = await FindAsync(db.Deals, id, CrmEntityType.Deal, ct);
        deal.MoveTo(stage, closedAt ?? clock.GetUtcNow().UtcDateTime);
        Audit(db, actor, AuditAction.EntityChanged, CrmEntityType.Deal, id, deal.Title, [], stage.ToString());
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
        return type switch
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
    }

    private static IReadOnlyList<ConvertedTo>? ConvertedList(Lead lead) => lead.Status != LeadStatus.Converted ? null
        : new[] { (lead.ConvertedToContact, ConvertedTo.Contact), (lead.ConvertedToDeal, ConvertedTo.Deal) }.Where(x => x.Item1).Select(x => x.Item2).ToList();

    private static async Task<T> FindAsync<T>(DbSet<T> set, long id, CrmEntityType type, CancellationToken ct) where T : class =>
        await set.FindAsync([id], ct) ?? throw new CrmRequestException($"There is no {type.Noun()} {id}.");

    private static async Task CheckLinksAsync(CrmDbContext db, EntityInput input, CancellationToken ct)
    {
        if (input.ContactId is { } contactId && !await db.Contacts.AnyAsync(c => c.Id == contactId, ct))
        {
            throw new CrmRequestException($"There is no contact {contactId}.");
        }

        if (input.CompanyId is { } companyId && !await db.Companies.AnyAsync(c => c.Id == companyId, ct))
        {
            throw new CrmRequestException($"There is no company {companyId}.");
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
