using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Crm;

public sealed record CrmSettingsDto(CrmMode Mode, bool RepeatedLeads, bool CreateFromNewEmails);

public sealed record DirectionDto(bool CreateEntities, bool Repeated);

public sealed record TelephonyLineDto(long Id, string Number, string Name, DirectionDto Incoming, DirectionDto Outgoing);

public sealed record TelephonyLineInput(string Number, string Name, DirectionDto? Incoming, DirectionDto? Outgoing);

/// <summary>CRM settings and telephony lines (§5, S4): anyone with View reads them, administrators change them.</summary>
public sealed class CrmSettingsService(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock)
{
    public async Task<CrmSettingsDto> GetAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var s = await db.CrmSettings.AsNoTracking().SingleAsync(ct);
        return new CrmSettingsDto(s.Mode, s.RepeatedLeads, s.CreateFromNewEmails);
    }

    public async Task<CrmSettingsDto> SetAsync(CrmSettingsDto settings, EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        if (!Enum.IsDefined(settings.Mode))
        {
            throw new CrmRequestException($"mode: one of {string.Join(", ", Enum.GetNames<CrmMode>())}.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.CrmSettings.SingleAsync(ct);
        var before = new CrmSettingsDto(row.Mode, row.RepeatedLeads, row.CreateFromNewEmails);
        (row.Mode, row.RepeatedLeads, row.CreateFromNewEmails) = (settings.Mode, settings.RepeatedLeads, settings.CreateFromNewEmails);
        if (before != settings)
        {
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, AuditAction.CrmSettingsChanged, source, null, Changes(before, settings)));
        }

        await db.SaveChangesAsync(ct);
        return settings;
    }

    /// <summary>
    /// The audit log's words for a change of the CRM settings: each setting that changed, as the settings page names it,
    /// old → new ("Mode: Classic (leads) → Simple (deals with contacts); Repeated leads: off → on"), where the record's own text showed its type's name.
    /// </summary>
    public static string Changes(CrmSettingsDto before, CrmSettingsDto after)
    {
        static string OnOff(bool on) => on ? "on" : "off";
        var changes = new List<string>();
        if (before.Mode != after.Mode)
        {
            changes.Add($"Mode: {Labels.Of(before.Mode)} → {Labels.Of(after.Mode)}");
        }

        if (before.RepeatedLeads != after.RepeatedLeads)
        {
            changes.Add($"Repeated leads: {OnOff(before.RepeatedLeads)} → {OnOff(after.RepeatedLeads)}");
        }

        if (before.CreateFromNewEmails != after.CreateFromNewEmails)
        {
            changes.Add($"Create entities from new emails: {OnOff(before.CreateFromNewEmails)} → {OnOff(after.CreateFromNewEmails)}");
        }

        return string.Join("; ", changes);
    }

    public async Task<IReadOnlyList<TelephonyLineDto>> GetLinesAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.TelephonyLines.AsNoTracking().OrderBy(l => l.Id).ToListAsync(ct)).Select(ToDto).ToList();
    }

    public async Task<TelephonyLineDto> SaveLineAsync(long? id, TelephonyLineInput input, EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        FieldLimits.Check(input.Number, FieldLimits.RawPhone, "number");
        FieldLimits.Check(input.Name?.Trim(), FieldLimits.LineName, "name");
        if (string.IsNullOrWhiteSpace(input.Number))
        {
            throw new CrmRequestException(EnterNumber);
        }

        var number = Domain.Exceptions.ContactPointNormalizer.NormalizePhone(input.Number);
        if (number.Point is not { } point)
        {
            throw new CrmRequestException(NotANumber(number.Error));
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            throw new CrmRequestException(EnterName);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var line = id is { } existing
            ? await db.TelephonyLines.FindAsync([existing], ct) ?? throw new CrmRequestException($"There is no telephony line {existing}.")
            : db.TelephonyLines.Add(new TelephonyLine(point.Value, input.Name.Trim())).Entity;
        line.Number = point.Value;
        line.Name = input.Name.Trim();
        if (input.Incoming is { } incoming)
        {
            (line.IncomingCreate, line.IncomingRepeated) = (incoming.CreateEntities, incoming.Repeated);
        }

        if (input.Outgoing is { } outgoing)
        {
            (line.OutgoingCreate, line.OutgoingRepeated) = (outgoing.CreateEntities, outgoing.Repeated);
        }

        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, AuditAction.TelephonyLineChanged, source, null,
            $"{line.Name} {line.Number}: incoming create {line.IncomingCreate}, repeated {line.IncomingRepeated}; outgoing create {line.OutgoingCreate}, repeated {line.OutgoingRepeated}"));
        await db.SaveChangesAsync(ct);
        return ToDto(line);
    }

    /// <summary>
    /// Deletes a line (administrators). Its past calls stay readable: an activity keeps the customer's
    /// number and a summary naming the line, and holds the line's id without a foreign key. Routing a
    /// call to the deleted line is refused as for any unknown line (docs/decisions/004). Answers false when there is no such line.
    /// </summary>
    public async Task<bool> DeleteLineAsync(long id, EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.TelephonyLines.FindAsync([id], ct) is not { } line)
        {
            return false;
        }

        db.TelephonyLines.Remove(line);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, AuditAction.TelephonyLineDeleted, source, null, $"{line.Name} {line.Number}"));
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>What an empty number says, on the page and from the API.</summary>
    public const string EnterNumber = "Enter the line's number.";

    /// <summary>What an empty name says, on the page and from the API.</summary>
    public const string EnterName = "Enter the line's name.";

    /// <summary>What a number that is not a phone number says: the parser's reason, as a sentence.</summary>
    public static string NotANumber(string? reason) => $"Not a phone number: {reason}.";

    private static TelephonyLineDto ToDto(TelephonyLine l) =>
        new(l.Id, l.Number, l.Name, new DirectionDto(l.IncomingCreate, l.IncomingRepeated), new DirectionDto(l.OutgoingCreate, l.OutgoingRepeated));
}
