using CrmAdmin.Data;
using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// The telephony lines and CRM settings every routed call reads, held in memory: they change a few
/// times a year, and reading them was two of a decision's eight queries. Whoever saves a line or the
/// settings, on this instance or another on the same database, <see cref="DataChanges"/> drops the
/// copy after the commit, so the next decision reads the new values.
/// </summary>
public sealed class RoutingReferenceData
{
    private readonly IDbContextFactory<CrmDbContext> dbFactory;
    private readonly Lock gate = new();
    private Snapshot? current;
    private long version;

    public RoutingReferenceData(IDbContextFactory<CrmDbContext> dbFactory, DataChanges changes)
    {
        this.dbFactory = dbFactory;
        changes.Subscribe([typeof(Domain.Crm.TelephonyLine), typeof(Domain.Crm.CrmSettings)], Invalidate);
    }

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

    /// <summary>Drops the copy; the next decision reads the lines and settings again.</summary>
    public void Invalidate()
    {
        lock (gate)
        {
            version++;
            current = null;
        }
    }
}
