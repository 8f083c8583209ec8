using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// Gathers the facts of a call, email, chat or form, asks <see cref="RoutingEngine"/>, and (unless it is
/// a dry run) applies the decision in one transaction. The simulator page and the API both call this.
/// A dry run needs View on the exception list; applying needs Edit (P3).
/// </summary>
public sealed class RoutingService(
    IDbContextFactory<CrmDbContext> dbFactory, RoutingReferenceData referenceData, ICustomerFactsReader customers, CrmAuthorizer authorizer,
    UserAccessCache access, TimeProvider clock, CrmMetrics metrics, ILogger<RoutingService> logger)
{
    /// <summary>The activity summary column's length (an email's summary carries its subject).</summary>
    public const int ActivitySummaryLength = 500;

    public async Task<RoutingOutcome> RouteCallAsync(CallRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, request.DryRun);
        FieldLimits.Check(request.Number, FieldLimits.RawPhone, "number");
        if (!Enum.IsDefined(request.Direction) || request.InitiatedFrom is { } initiated && !Enum.IsDefined(initiated.Type))
        {
            throw new RoutingRequestException($"direction: one of {string.Join(", ", Enum.GetNames<CallDirection>())}; initiatedFrom.type: one of {string.Join(", ", Enum.GetNames<CrmEntityType>())}.");
        }

        var number = ContactPointNormalizer.NormalizePhone(request.Number ?? "");
        if (number.Point is not { } point)
        {
            throw new RoutingRequestException(RoutingEngine.InvalidNumberMessage(request.Number ?? "", number.Error!));
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await BeginIfAppliedAsync(db, request.DryRun, ct);
        var card = request.Direction == CallDirection.Outgoing && request.InitiatedFrom is { } from ? await CardAsync(db, from, ct) : null;
        var customer = await customers.ReadAsync(db, point, ct);
        actor = await RequireAgainIfChangedAsync(customer, user, request.DryRun, actor);
        // The lines as of the facts' reading or later: a line added or changed on another instance a moment ago counts.
        var reference = await referenceData.GetAsync(customer.ReferenceVersion, ct);
        // A body without lineId reads as line 0, which no line has: say what is missing rather than "no line 0".
        var line = reference.Lines.GetValueOrDefault(request.LineId)
                   ?? throw new RoutingRequestException(request.LineId == 0
                       ? "lineId: the id of the telephony line the call is on is required (GET /api/telephony/lines lists them)."
                       : $"There is no telephony line {request.LineId}.");
        var decision = RoutingEngine.DecideCall(new CallFacts(
            request.Direction, request.Number!, point, line, reference.Settings, customer.Related, customer.MatchAt(clock.GetUtcNow().UtcDateTime), card));
        var summary = $"{(request.Direction == CallDirection.Incoming ? "Incoming call from" : "Outgoing call to")} {point.Value} on {line.Name}";
        return await FinishAsync(db, decision, request.DryRun, ActivityKind.Call, summary, request.Direction, request.LineId, null, actor, ct);
    }

    public async Task<RoutingOutcome> RouteEmailAsync(EmailRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, request.DryRun);
        FieldLimits.Check(request.From, FieldLimits.Email, "from");
        FieldLimits.Check(request.MessageId?.Trim(), FieldLimits.MessageId, "messageId");
        FieldLimits.Check(request.InReplyTo?.Trim(), FieldLimits.MessageId, "inReplyTo");
        FieldLimits.Check(request.Subject?.Trim(), FieldLimits.Subject, "subject");
        FieldLimits.CheckCount(request.References, FieldLimits.References, "references");
        foreach (var id in request.References ?? [])
        {
            FieldLimits.Check(id?.Trim(), FieldLimits.MessageId, "references");
        }

        var address = ContactPointNormalizer.NormalizeEmail(request.From ?? "");
        if (address.Point is not { Type: EntryType.Email } point)
        {
            throw new RoutingRequestException($"\"{request.From}\" is not an email address: {address.Error ?? "a sender needs a name before the @"}.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await BeginIfAppliedAsync(db, request.DryRun, ct);
        var (replyTo, thread) = await ReplyThreadAsync(db, request, ct);
        var customer = await customers.ReadAsync(db, point, ct);
        actor = await RequireAgainIfChangedAsync(customer, user, request.DryRun, actor);
        var decision = RoutingEngine.DecideEmail(new EmailFacts(request.From!, point, (await referenceData.GetAsync(customer.ReferenceVersion, ct)).Settings,
            customer.Related, customer.MatchAt(clock.GetUtcNow().UtcDateTime), replyTo, thread));
        // The summary is for people: the address as written (Unicode domain); the activity's From keeps the stored form.
        var summary = string.IsNullOrWhiteSpace(request.Subject) ? $"Email from {point.AsWritten}" : $"Email from {point.AsWritten}: {request.Subject.Trim()}";
        // The activity keeps a summary of at most its column's length; a long subject is cut, not refused.
        summary = summary.Length <= ActivitySummaryLength ? summary : summary[..(ActivitySummaryLength - 1)] + "…";
        return await FinishAsync(db, decision, request.DryRun, ActivityKind.Email, summary, null, null, request.MessageId?.Trim(), actor, ct);
    }

    public async Task<RoutingOutcome> RouteChatOrFormAsync(RoutingChannel channel, ChatOrFormRequest request, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await RequireAsync(user, request.DryRun);
        FieldLimits.Check(request.Phone, FieldLimits.RawPhone, "phone");
        FieldLimits.Check(request.Email, FieldLimits.Email, "email");
        FieldLimits.Check(request.Name?.Trim(), FieldLimits.PersonName, "name");
        ContactPoint? phone = null, email = null;
        if (!string.IsNullOrWhiteSpace(request.Phone))
        {
            var normalized = ContactPointNormalizer.NormalizePhone(request.Phone);
            phone = normalized.Point ?? throw new RoutingRequestException(RoutingEngine.InvalidNumberMessage(request.Phone, normalized.Error!));
        }

        if (!string.IsNullOrWhiteSpace(request.Email))
        {
            var normalized = ContactPointNormalizer.NormalizeEmail(request.Email);
            email = normalized.Point is { Type: EntryType.Email } p ? p : throw new RoutingRequestException($"\"{request.Email}\" is not an email address.");
        }

        if (phone is null && email is null)
        {
            throw new RoutingRequestException("A chat or form needs a phone or an email to be routed.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await BeginIfAppliedAsync(db, request.DryRun, ct);
        var byPhone = phone is { } ph ? await customers.ReadAsync(db, ph, ct) : null;
        var byEmail = email is { } em ? await customers.ReadAsync(db, em, ct) : null;
        var related = (byPhone?.Related ?? RelatedEntities.None).Union(byEmail?.Related ?? RelatedEntities.None);
        var now = clock.GetUtcNow().UtcDateTime;
        var ignored = byPhone?.MatchAt(now) ?? byEmail?.MatchAt(now);
        // The later of the two reads (the email's when there is one).
        var later = (byEmail ?? byPhone)!;
        actor = await RequireAgainIfChangedAsync(later, user, request.DryRun, actor);
        var settings = (await referenceData.GetAsync(later.ReferenceVersion, ct)).Settings;
        var decision = RoutingEngine.DecideChatOrForm(new ChatOrFormFacts(channel, phone, email, request.Name, settings, related, ignored));
        var kind = channel == RoutingChannel.Chat ? ActivityKind.Chat : ActivityKind.Form;
        // Both the phone and the email a person typed are kept on what is created, so the next call or email finds it.
        return await FinishAsync(db, decision, request.DryRun, kind, $"{(kind == ActivityKind.Chat ? "Chat" : "CRM form")} from {decision.Customer?.AsWritten}", null, null, null, actor, ct,
            new[] { phone, email }.OfType<ContactPoint>().ToList());
    }

    /// <summary>
    /// The saved emails a reply can answer (E1), for the simulator's picker: those whose subject, sender or Message-ID
    /// contains <paramref name="text"/>, newest first, each Message-ID once, at most <paramref name="take"/> (1–20).
    /// Needs View (P3).
    /// </summary>
    public async Task<IReadOnlyList<SavedMessage>> SearchSavedMessagesAsync(string? text, int take, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        text = FieldLimits.Check(text?.Trim(), FieldLimits.MessageId, "search");
        take = Math.Clamp(take, 1, CrmEntityService.MaxOptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // One message is logged once per entity of its thread: read a few more rows than asked for, then keep each Message-ID once.
        var rows = await db.Activities.AsNoTracking().Where(a => a.Kind == ActivityKind.Email && a.MessageId != null)
            .Containing(db.Database, text, a => a.Summary, a => a.From, a => a.MessageId)
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(take * 5)
            .Select(a => new { a.MessageId, a.Summary, a.From, a.At }).ToListAsync(ct);
        return rows.DistinctBy(r => r.MessageId).Take(take)
            .Select(r => new SavedMessage(r.MessageId!, SubjectOf(r.Summary, r.From), r.From, r.At)).ToList();
    }

    // An email's activity summary is "Email from {address}: {subject}" (RouteEmailAsync); without a subject it is "Email from {address}".
    // The address is as written (Unicode domain) since IDN titles were fixed, and as stored in summaries saved before.
    private static string SubjectOf(string summary, string from)
    {
        foreach (var address in new[] { InternationalDomains.ToUnicode(from), from })
        {
            var prefix = $"Email from {address}: ";
            if (summary.StartsWith(prefix, StringComparison.Ordinal))
            {
                return summary[prefix.Length..];
            }
        }

        return "(no subject)";
    }

    /// <summary>
    /// An applied decision reads its facts inside its own write transaction (SQLite's BEGIN IMMEDIATE
    /// serializes writers), so two calls from one new number at once create one lead, not two: the
    /// second sees the first's lead and is logged to it (C3). A dry run writes nothing and needs none.
    /// </summary>
    private static async Task<IDbContextTransaction?> BeginIfAppliedAsync(CrmDbContext db, bool dryRun, CancellationToken ct) =>
        dryRun ? null : await db.Database.BeginTransactionAsync(ct);

    private Task<string> RequireAsync(ClaimsPrincipal user, bool dryRun) => authorizer.RequireAsync(user, dryRun ? Policies.ViewExceptions : Policies.EditExceptions);

    /// <summary>
    /// P3 on the database's access as the facts saw it: when the users' access changed since the cache was read (on another
    /// instance whose notice has not arrived yet), the user is authorized again from the database before anything is decided.
    /// </summary>
    private async Task<string> RequireAgainIfChangedAsync(CustomerFacts facts, ClaimsPrincipal user, bool dryRun, string actor) =>
        access.Holds(facts.AccessVersion) ? actor : await RequireAsync(user, dryRun);

    private async Task<RoutingOutcome> FinishAsync(CrmDbContext db, RoutingDecision decision, bool dryRun, ActivityKind kind, string summary,
        CallDirection? direction, long? lineId, string? messageId, string actor, CancellationToken ct, IReadOnlyList<ContactPoint>? points = null)
    {
        metrics.Decided(decision, dryRun);
        if (dryRun)
        {
            return RoutingOutcome.From(decision, dryRun: true);
        }

        var ids = await RoutingApplier.ApplyAsync(db, decision, new RoutingApplier.ActivityInfo(kind, summary, direction, lineId, messageId),
            clock.GetUtcNow().UtcDateTime, actor, ct, points);
        logger.LogInformation("Routed {Channel} from {Customer}: {Verdict} [{Rules}]", decision.Channel, decision.Customer?.Value, decision.Verdict, string.Join(",", decision.Rules));
        return RoutingOutcome.From(decision, dryRun: false, ids);
    }

    /// <summary>
    /// E1: the message this email replies to that the CRM saved, and that thread's entities. The
    /// chain is References (oldest first) then In-Reply-To; the newest saved id in it wins, so a reply
    /// whose direct parent was never saved (sent from another mail client) still finds its thread.
    /// With none saved, the In-Reply-To (or the newest reference) is named as an unknown reply.
    /// </summary>
    private static async Task<(string? ReplyTo, IReadOnlyList<LogTarget> Thread)> ReplyThreadAsync(CrmDbContext db, EmailRequest request, CancellationToken ct)
    {
        var chain = (request.References ?? []).Append(request.InReplyTo)
            .Select(id => id?.Trim()).OfType<string>().Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).Reverse().ToList();
        foreach (var id in chain)
        {
            if (await ThreadAsync(db, id, ct) is { Count: > 0 } thread)
            {
                return (id, thread);
            }
        }

        return (chain.FirstOrDefault(), []);
    }

    private static async Task<IReadOnlyList<LogTarget>> ThreadAsync(CrmDbContext db, string inReplyTo, CancellationToken ct)
    {
        var targets = await db.Activities.AsNoTracking().Where(a => a.MessageId == inReplyTo)
            .Select(a => new { a.EntityType, a.EntityId }).Distinct().ToListAsync(ct);
        var thread = new List<LogTarget>();
        foreach (var target in targets)
        {
            if (await CrmEntityService.DetailsAsync(db, target.EntityType, target.EntityId, ct, withActivities: false) is { } entity)
            {
                thread.Add(new LogTarget(target.EntityType, new EntityLink(target.EntityId, null), entity.Title));
            }
        }

        return thread;
    }

    private static async Task<CardRef> CardAsync(CrmDbContext db, CardRequest card, CancellationToken ct)
    {
        var entity = await CrmEntityService.DetailsAsync(db, card.Type, card.Id, ct, withActivities: false)
                     ?? throw new RoutingRequestException($"There is no {card.Type.Noun()} {card.Id} to start the call from.");
        return new CardRef(card.Type, card.Id, entity.Title, entity.IsClosed);
    }
}
