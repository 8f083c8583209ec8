using CrmAdmin.Data;
using CrmAdmin.Domain.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// The telephony lines and CRM settings every routed call reads, held in memory: they change a few
/// times a year, and reading them was two of a decision's eight queries. Whoever saves a line or the
/// settings, on this instance or another on the same database, <see cref="DataChanges"/> drops the
/// copy after the commit, so the next decision reads the new values. Another instance's notification
/// arrives a moment after its change's answer, so a decision also holds its copy against the
/// <see cref="ReferenceDataVersion"/> its facts were read with (<see cref="GetAsync(long, CancellationToken)"/>):
/// a change committed anywhere governs the very next decision here.
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

    /// <summary>The lines by id and the settings, as of <paramref name="Version"/> (<see cref="ReferenceDataVersion"/>) or later.</summary>
    public sealed record Snapshot(IReadOnlyDictionary<long, LineSettings> Lines, RoutingSettings Settings, long Version);

    /// <summary>
    /// The copy, unless the database's <see cref="ReferenceDataVersion"/> as a decision's facts read it
    /// (<paramref name="factsVersion"/>, <see cref="CustomerFacts.ReferenceVersion"/>) differs from the copy's: then the
    /// lines and settings are read again, once, and what was read is at least as new as the facts.
    /// </summary>
    public async ValueTask<Snapshot> GetAsync(long factsVersion, CancellationToken ct = default)
    {
        var snapshot = await GetAsync(ct);
        if (snapshot.Version == factsVersion)
        {
            return snapshot;
        }

        Invalidate();
        return await GetAsync(ct);
    }

    /// <summary>The copy as it is, or read now when there is none.</summary>
    private async ValueTask<Snapshot> GetAsync(CancellationToken ct)
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
        // The version first: lines and settings read after it are at least that new, never older than the label they get.
        var at = await db.ReferenceDataVersions.Select(v => v.Version).SingleAsync(ct);
        var lines = await db.TelephonyLines.AsNoTracking().ToListAsync(ct);
        var settings = await db.CrmSettings.AsNoTracking().SingleAsync(ct);
        var loaded = new Snapshot(
            lines.ToDictionary(l => l.Id, l => new LineSettings(l.Name, l.For(Domain.Crm.CallDirection.Incoming), l.For(Domain.Crm.CallDirection.Outgoing))),
            new RoutingSettings(settings.Mode, settings.RepeatedLeads, settings.CreateFromNewEmails), at);
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
