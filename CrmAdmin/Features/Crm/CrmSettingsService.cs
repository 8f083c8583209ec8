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
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, AuditAction.CrmSettingsChanged, source, null, $"{before} → {settings}"));
        }

        await db.SaveChangesAsync(ct);
        return settings;
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
        var number = Domain.Exceptions.ContactPointNormalizer.NormalizePhone(input.Number ?? "");
        if (number.Point is not { } point)
        {
            throw new CrmRequestException($"Line number \"{input.Number}\": {number.Error}.");
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            throw new CrmRequestException("A line needs a name.");
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

    private static TelephonyLineDto ToDto(TelephonyLine l) =>
        new(l.Id, l.Number, l.Name, new DirectionDto(l.IncomingCreate, l.IncomingRepeated), new DirectionDto(l.OutgoingCreate, l.OutgoingRepeated));
}
