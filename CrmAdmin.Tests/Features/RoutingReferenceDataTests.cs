using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Routing keeps the lines and CRM settings in memory; a change made through the settings service
/// must reach the very next decision, or a line switched off would go on creating leads.
/// </summary>
public abstract class RoutingReferenceDataTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : RoutingReferenceDataTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : RoutingReferenceDataTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;
    private CrmSettingsService settings = default!;
    private RoutingService routing = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        settings = host.Get<CrmSettingsService>();
        routing = host.Get<RoutingService>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_line_changed_after_routing_read_it_is_routed_with_its_new_settings()
    {
        var line = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", new DirectionDto(true, false), null), EntrySource.Settings, host.Administrator);
        var before = await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);
        Assert.NotEmpty(before.Created);

        await settings.SaveLineAsync(line.Id, new TelephonyLineInput("+1 212 555 0100", "Sales (no CRM)", new DirectionDto(false, false), null), EntrySource.Settings, host.Administrator);
        var after = await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);

        Assert.Empty(after.Created);
        Assert.Contains("Sales (no CRM)", string.Join(" ", after.Explanation));
    }

    [Fact]
    public async Task A_line_added_after_routing_read_the_lines_is_known_at_once()
    {
        var first = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", null, null), EntrySource.Settings, host.Administrator);
        await routing.RouteCallAsync(new CallRequest(first.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);

        var second = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0199", "Support", null, null), EntrySource.Settings, host.Administrator);

        var outcome = await routing.RouteCallAsync(new CallRequest(second.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);
        Assert.Equal("+14155550142", outcome.Customer);
    }

    [Fact]
    public async Task A_line_changed_by_any_writer_reaches_the_next_decision_without_anyone_invalidating_the_cache()
    {
        var line = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", new DirectionDto(true, false), null), EntrySource.Settings, host.Administrator);
        Assert.NotEmpty((await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer)).Created);

        // Not through CrmSettingsService: a plain SaveChanges on the app's context, in a transaction.
        await using (var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var stored = await db.TelephonyLines.SingleAsync(l => l.Id == line.Id);
            stored.Name = "Renamed elsewhere";
            stored.IncomingCreate = false;
            await db.SaveChangesAsync();
            // Not committed yet: the cache must not reload what others cannot see.
            Assert.NotEmpty((await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer)).Created);
            await transaction.CommitAsync();
        }

        var after = await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);
        Assert.Empty(after.Created);
        Assert.Contains("Renamed elsewhere", string.Join(" ", after.Explanation));
    }
}
