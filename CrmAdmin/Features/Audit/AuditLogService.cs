using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Audit;

public sealed record AuditQuery(string? Actor = null, AuditAction? Action = null, string? Value = null, DateTime? From = null, DateTime? To = null,
    int Skip = 0, int Take = 50);

public sealed record AuditRow(long Id, DateTime At, string Actor, AuditAction Action, EntrySource Source, EntryType? EntryType, string? Value, string? Details);

/// <summary>The audit log (X6): who changed what, when and from where. Administrators read it; filtering and paging run in the database.</summary>
public sealed class AuditLogService(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer)
{
    public const int MaxTake = 200;

    public async Task<(int Total, IReadOnlyList<AuditRow> Items)> QueryAsync(AuditQuery query, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.Administer);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = db.AuditEntries.AsNoTracking().Containing(db.Database, query.Actor, a => a.Actor);

        if (query.Action is { } action)
        {
            rows = rows.Where(a => a.Action == action);
        }

        // A value is found in the entry's value or in the details (a user's email, a role, a title).
        rows = rows.Containing(db.Database, query.Value, a => a.Value, a => a.Details);

        if (query.From is { } from)
        {
            rows = rows.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            rows = rows.Where(a => a.At < to);
        }

        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(a => a.At).ThenByDescending(a => a.Id)
            .Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxTake))
            .Select(a => new AuditRow(a.Id, a.At, a.Actor, a.Action, a.Source, a.EntryType, a.Value, a.Details))
            .ToListAsync(ct);
        return (total, items);
    }
}
