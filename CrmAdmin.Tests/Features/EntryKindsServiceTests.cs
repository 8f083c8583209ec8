using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Undoing an import (I10), expiry on import and in the list (I11, X10) and routing through the new
/// kinds (X8, X9), through the services on each provider's bulk writers and lookup statement.
/// </summary>
public abstract class EntryKindsServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : EntryKindsServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : EntryKindsServiceTests(DatabaseProvider.Postgres);

    private readonly FixedClock clock = new();
    private ServiceTestHost host = default!;
    private ExceptionImportService imports = default!;
    private ExceptionImportHistoryService history = default!;
    private ExceptionListService list = default!;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(clock, provider);
        imports = host.Get<ExceptionImportService>();
        history = host.Get<ExceptionImportHistoryService>();
        list = host.Get<ExceptionListService>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<List<string>> ValuesAsync()
    {
        await using var db = host.Database.CreateDbContext();
        return await db.ExceptionEntries.OrderBy(e => e.Value).Select(e => e.Value).ToListAsync();
    }

    [Fact]
    public async Task I10_undo_removes_what_the_import_added_and_never_what_was_already_listed()
    {
        await imports.ImportAsync("+14155550100;before", EntrySource.Settings, host.Supervisor);
        var report = await imports.ImportAsync("+14155550100;again\n+1900*;premium\n@*.example.com;tree\nbad", EntrySource.Api, host.Supervisor);
        Assert.NotNull(report.ImportId);

        var removed = await history.UndoAsync(report.ImportId.Value, EntrySource.Settings, host.Supervisor);

        Assert.Equal(2, removed);
        Assert.Equal(["+14155550100"], await ValuesAsync());
        await using var db = host.Database.CreateDbContext();
        var audit = await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionRemoved || a.Action == AuditAction.ImportUndone).ToListAsync();
        Assert.Equal(["+1900*", "@*.example.com"], audit.Where(a => a.Action == AuditAction.ExceptionRemoved).Select(a => a.Value).Order(StringComparer.Ordinal));
        Assert.Contains($"Import {report.ImportId} undone: 2 entries removed", Assert.Single(audit, a => a.Action == AuditAction.ImportUndone).Details);
        var row = Assert.Single((await history.ListAsync(host.Viewer)).Items, i => i.Id == report.ImportId);
        Assert.Equal((2, 1, 0, 1, Now, "supervisor@test.local"), (row.Added, row.AlreadyListed, row.DuplicateInInput, row.Invalid, row.UndoneAt, row.UndoneBy));
    }

    [Fact]
    public async Task I10_a_second_undo_changes_nothing()
    {
        var report = await imports.ImportAsync("+1900*\n+1800*", EntrySource.Settings, host.Supervisor);
        Assert.Equal(2, await history.UndoAsync(report.ImportId!.Value, EntrySource.Settings, host.Supervisor));
        await imports.ImportAsync("+1900*", EntrySource.Settings, host.Supervisor);

        Assert.Equal(0, await history.UndoAsync(report.ImportId.Value, EntrySource.Api, host.Administrator));

        Assert.Equal(["+1900*"], await ValuesAsync());
        await using var db = host.Database.CreateDbContext();
        Assert.Equal(1, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ImportUndone));
    }

    [Fact]
    public async Task I10_undo_leaves_an_entry_removed_by_hand_and_added_again_by_a_later_import()
    {
        var first = await imports.ImportAsync("+14155550100\n+14155550101\n+14155550102", EntrySource.Settings, host.Supervisor);
        var page = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Value: "555 0100")), host.Supervisor);
        await list.RemoveAsync([page.Items.Single().Id], EntrySource.Settings, host.Supervisor);
        await imports.ImportAsync("+14155550100;re-added", EntrySource.Settings, host.Supervisor);
        var manual = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Value: "555 0101")), host.Supervisor);
        await list.RemoveAsync([manual.Items.Single().Id], EntrySource.Settings, host.Supervisor);

        var removed = await history.UndoAsync(first.ImportId!.Value, EntrySource.Settings, host.Supervisor);

        Assert.Equal(1, removed);
        Assert.Equal(["+14155550100"], await ValuesAsync());
    }

    [Fact]
    public async Task I10_undo_needs_edit_and_an_existing_import()
    {
        var report = await imports.ImportAsync("+1900*", EntrySource.Settings, host.Supervisor);

        await Assert.ThrowsAsync<AccessDeniedException>(() => history.UndoAsync(report.ImportId!.Value, EntrySource.Settings, host.Viewer));
        await Assert.ThrowsAsync<ImportNotFoundException>(() => history.UndoAsync(report.ImportId!.Value + 1000, EntrySource.Settings, host.Supervisor));
        Assert.Equal(["+1900*"], await ValuesAsync());
    }

    [Fact]
    public async Task I11_X10_an_import_with_expiry_gives_it_to_the_entries_it_adds_and_the_status_filter_follows_the_clock()
    {
        await imports.ImportAsync("+14155550100;kept", EntrySource.Settings, host.Supervisor);
        var options = ImportOptions.From(7, null, Now);
        await imports.ImportAsync("+14155550100;already\n+1900*;for a week", EntrySource.Settings, options, host.Supervisor);

        var all = (await list.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Viewer)).Items;
        Assert.Equal(Now.AddDays(7), all.Single(r => r.Value == "+1900*").ExpiresAt);
        Assert.Null(all.Single(r => r.Value == "+14155550100").ExpiresAt);

        async Task<string[]> WithStatus(EntryStatus status) =>
            (await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Status: status)), host.Viewer)).Items.Select(r => r.Value).ToArray();

        Assert.Equal(["+14155550100", "+1900*"], (await WithStatus(EntryStatus.Active)).Order());
        Assert.Empty(await WithStatus(EntryStatus.Expired));
        clock.Now = clock.Now.AddDays(7);
        Assert.Equal(["+14155550100"], await WithStatus(EntryStatus.Active));
        Assert.Equal(["+1900*"], await WithStatus(EntryStatus.Expired));
    }

    [Fact]
    public async Task X10_remove_expired_removes_only_the_expired_entries_and_audits_each()
    {
        await imports.ImportAsync("+1900*\n+1800*", EntrySource.Settings, ImportOptions.From(1, null, Now), host.Supervisor);
        await imports.ImportAsync("+1700*", EntrySource.Settings, ImportOptions.From(3, null, Now), host.Supervisor);
        clock.Now = clock.Now.AddDays(2);

        Assert.Equal(2, await list.RemoveExpiredAsync(EntrySource.Settings, host.Supervisor));

        Assert.Equal(["+1700*"], await ValuesAsync());
        await using var db = host.Database.CreateDbContext();
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ExceptionRemoved));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(3651, null)]
    [InlineData(null, -1)]
    [InlineData(5, 5)]
    public void I11_expiry_options_out_of_range_or_both_at_once_are_refused(int? days, int? atDaysFromNow) =>
        Assert.Throws<ImportOptionsException>(() => ImportOptions.From(days, atDaysFromNow is { } d ? new DateTimeOffset(FixedClock.Default.UtcDateTime.AddDays(d)) : null,
            FixedClock.Default.UtcDateTime));

    [Fact]
    public async Task I6_the_export_round_trips_prefixes_trees_and_expiry()
    {
        await imports.ImportAsync("+1900*;premium\n@*.example.com;tree\n@example.org\nann@example.net", EntrySource.Settings,
            ImportOptions.From(30, null, Now), host.Supervisor);
        await imports.ImportAsync("+14155550100;forever", EntrySource.Settings, host.Supervisor);
        var before = (await list.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Viewer)).Items
            .Select(r => (r.Type, r.Value, r.Comment, r.ExpiresAt)).OrderBy(r => r.Value).ToList();
        var csv = new StringWriter();
        await ExceptionCsv.WriteExportAsync(list.StreamAsync(ExceptionFilter.None, host.Viewer), csv);

        await using (var db = host.Database.CreateDbContext())
        {
            await db.ExceptionEntries.ExecuteDeleteAsync();
        }

        var report = await imports.ImportAsync(csv.ToString(), EntrySource.Settings, host.Supervisor);

        Assert.Equal(5, report.Added);
        var after = (await list.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Viewer)).Items
            .Select(r => (r.Type, r.Value, r.Comment, r.ExpiresAt)).OrderBy(r => r.Value).ToList();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task X8_X9_X10_routing_reports_the_most_specific_active_entry_and_ignores_it_from_its_expiry()
    {
        await imports.ImportAsync("@*.example.com;tree\n+1900*;premium", EntrySource.Settings, host.Supervisor);
        await imports.ImportAsync("+1900555*;short-lived", EntrySource.Settings, ImportOptions.From(1, null, Now), host.Supervisor);
        var routing = host.Get<RoutingService>();

        var email = await routing.RouteEmailAsync(new EmailRequest("Ann@Mail.Example.com"), host.Viewer);
        Assert.True(email.Blocked);
        Assert.Equal((EntryType.EmailDomainTree, "@*.example.com"), (email.MatchedException!.Type, email.MatchedException.Value));

        var chat = await routing.RouteChatOrFormAsync(CrmAdmin.Domain.Routing.RoutingChannel.Chat, new ChatOrFormRequest(Phone: "+1 900 555 0100"), host.Viewer);
        Assert.Contains("+1900555*", chat.Explanation.Single(e => e.StartsWith("O1", StringComparison.Ordinal)));

        clock.Now = clock.Now.AddDays(1);
        var later = await routing.RouteChatOrFormAsync(CrmAdmin.Domain.Routing.RoutingChannel.Chat, new ChatOrFormRequest(Phone: "+1 900 555 0100"), host.Viewer);
        Assert.Contains("+1900*", later.Explanation.Single(e => e.StartsWith("O1", StringComparison.Ordinal)));
        Assert.DoesNotContain("+1900555*", later.Explanation.Single(e => e.StartsWith("O1", StringComparison.Ordinal)));
    }
}
