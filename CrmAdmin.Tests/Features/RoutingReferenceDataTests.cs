using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Routing keeps the lines, CRM settings and users' access in memory; a change made through the settings service,
/// or committed by another instance whose notice has not arrived (here: plain SQL no one announces), must reach the
/// very next decision, or a line switched off would go on creating leads and a viewer whose role was taken away
/// would go on being answered.
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

    [Fact]
    public async Task A_line_changed_where_no_notice_is_sent_governs_the_very_next_decision()
    {
        var line = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", new DirectionDto(true, false), null), EntrySource.Settings, host.Administrator);
        Assert.NotEmpty((await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer)).Created);

        // As another instance's change looks here before its notification arrives: committed, and announced to no one.
        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<TelephonyLine>(db)} SET "Name" = 'Sales (changed elsewhere)', "IncomingCreate" = FALSE WHERE "Id" = {line.Id}""");

        var after = await routing.RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);
        Assert.Empty(after.Created);
        Assert.Contains("Sales (changed elsewhere)", string.Join(" ", after.Explanation));
    }

    [Fact]
    public async Task A_line_added_where_no_notice_is_sent_is_known_to_the_very_next_decision()
    {
        var first = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", null, null), EntrySource.Settings, host.Administrator);
        await routing.RouteCallAsync(new CallRequest(first.Id, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);

        await host.SqlAsync(db => $"""
            INSERT INTO {ServiceTestHost.Table<TelephonyLine>(db)} ("Number", "Name", "IncomingCreate", "IncomingRepeated", "OutgoingCreate", "OutgoingRepeated")
            VALUES ('+12125550199', 'Support (added elsewhere)', FALSE, FALSE, FALSE, FALSE)
            """);
        long added;
        await using (var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync())
        {
            added = await db.TelephonyLines.Where(l => l.Name == "Support (added elsewhere)").Select(l => l.Id).SingleAsync();
        }

        // Its own settings (it creates nothing), not "There is no telephony line".
        var outcome = await routing.RouteCallAsync(new CallRequest(added, CallDirection.Incoming, "+1 415 555 0142"), host.Viewer);
        Assert.Empty(outcome.Created);
        Assert.Contains("Support (added elsewhere)", string.Join(" ", outcome.Explanation));
    }

    [Fact]
    public async Task The_CRM_settings_changed_where_no_notice_is_sent_govern_the_very_next_email()
    {
        var email = new EmailRequest("new.customer@example.com", Subject: "Hello");
        Assert.NotEmpty((await routing.RouteEmailAsync(email, host.Viewer)).Created);

        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmSettings>(db)} SET "CreateFromNewEmails" = FALSE""");

        Assert.Empty((await routing.RouteEmailAsync(email, host.Viewer)).Created);
    }

    [Fact]
    public async Task Every_statement_on_the_lines_or_settings_raises_the_reference_data_version_in_its_own_transaction()
    {
        var before = await VersionAsync();
        var line = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", null, null), EntrySource.Settings, host.Administrator);
        var afterInsert = await VersionAsync();
        Assert.True(afterInsert > before, $"an added line: {before} → {afterInsert}");

        await using (var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var sql = $"""UPDATE {ServiceTestHost.Table<CrmSettings>(db)} SET "RepeatedLeads" = TRUE""";
            await db.Database.ExecuteSqlRawAsync(sql);
            await transaction.RollbackAsync();
        }

        Assert.Equal(afterInsert, await VersionAsync());
        await host.SqlAsync(db => $"""DELETE FROM {ServiceTestHost.Table<TelephonyLine>(db)} WHERE "Id" = {line.Id}""");
        Assert.True(await VersionAsync() > afterInsert, "a removed line");
    }

    [Fact]
    public async Task A_role_taken_away_where_no_notice_is_sent_refuses_the_very_next_decision()
    {
        var call = new CallRequest((await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", null, null), EntrySource.Settings, host.Administrator)).Id,
            CallDirection.Incoming, "+1 415 555 0142");
        await routing.RouteCallAsync(call, host.Viewer);

        var viewerId = UserAccessCache.UserIdOf(host.Viewer);
        await host.SqlAsync(db => $"""DELETE FROM {ServiceTestHost.Table<Microsoft.AspNetCore.Identity.IdentityUserRole<string>>(db)} WHERE "UserId" = '{viewerId}'""");

        await Assert.ThrowsAsync<AccessDeniedException>(() => routing.RouteCallAsync(call, host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => routing.RouteEmailAsync(new EmailRequest("new.customer@example.com"), host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => routing.RouteChatOrFormAsync(RoutingChannel.Chat, new ChatOrFormRequest(Phone: "+1 415 555 0142"), host.Viewer));
    }

    [Fact]
    public async Task A_level_raised_where_no_notice_is_sent_allows_the_very_next_decision()
    {
        var line = await settings.SaveLineAsync(null, new TelephonyLineInput("+1 212 555 0100", "Sales", null, null), EntrySource.Settings, host.Administrator);
        var applied = new CallRequest(line.Id, CallDirection.Incoming, "+1 415 555 0142", DryRun: false);
        // A viewer may not apply a decision, and the refusal leaves the viewer's access in the cache.
        await Assert.ThrowsAsync<AccessDeniedException>(() => routing.RouteCallAsync(applied, host.Viewer));

        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmRole>(db)} SET "Exceptions" = 'Edit' WHERE "Name" = '{Roles.Viewer}'""");

        Assert.NotEmpty((await routing.RouteCallAsync(applied, host.Viewer)).Created);
    }

    private async Task<long> VersionAsync()
    {
        await using var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        return await db.ReferenceDataVersions.Select(v => v.Version).SingleAsync();
    }
}
