using CrmAdmin.Data;
using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// The telephony lines and CRM settings every routed call reads, held in memory: they change a few
/// times a year, and reading them was two of a decision's eight queries. Every change goes through
/// <see cref="Crm.CrmSettingsService"/> (or the demo seeder), which calls <see cref="Invalidate"/> after
/// committing, so the next decision reads the new values.
/// </summary>
public sealed class RoutingReferenceData(IDbContextFactory<CrmDbContext> dbFactory)
{
    private readonly Lock gate = new();
    private Snapshot? current;
    private long version;

    public sealed record Snapshot(IReadOnlyDictionary<long, LineSettings> Lines, RoutingSettings Settings);

    public async ValueTask<Snapshot> GetAsync(CancellationToken ct = default)
    {
        if (Volatile.Read(ref current) is { } snapshot)
        {
            return snapshot;
        }

        long seen;
        lock (gate)
        {
            seen = version;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var lines = await db.TelephonyLines.AsNoTracking().ToListAsync(ct);
        var settings = await db.CrmSettings.AsNoTracking().SingleAsync(ct);
        var loaded = new Snapshot(
            lines.ToDictionary(l => l.Id, l => new LineSettings(l.Name, l.For(Domain.Crm.CallDirection.Incoming), l.For(Domain.Crm.CallDirection.Outgoing))),
            new RoutingSettings(settings.Mode, settings.RepeatedLeads, settings.CreateFromNewEmails));
        lock (gate)
        {
            // A change committed while we read makes what we read stale: use it once, keep nothing.
            if (version == seen)
            {
                current = loaded;
            }
        }

        return loaded;
    }

    public void Invalidate()
    {
        lock (gate)
        {
            version++;
            current = null;
        }
    }
}
