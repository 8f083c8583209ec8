using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.RecycleBin;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

public abstract class RecycleBinServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : RecycleBinServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : RecycleBinServiceTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;
    private CrmEntityService entities = default!;
    private RecycleBinService recycleBin = default!;
    private long company, contact, lead;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        entities = host.Get<CrmEntityService>();
        recycleBin = host.Get<RecycleBinService>();
        company = await entities.CreateAsync(CrmEntityType.Company, new EntityInput("Spam Inc", ["+1 415 555 0300"]), host.Supervisor);
        contact = await entities.CreateAsync(CrmEntityType.Contact, new EntityInput("Robo Caller", ["+1 415 555 0301"], ["robo@spam.example"], CompanyId: company), host.Supervisor);
        lead = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Robocall", ["+1 415 555 0302"], ContactId: contact, CompanyId: company), host.Supervisor);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<List<(EntryType, string, EntrySource, string?)>> EntriesAsync()
    {
        await using var db = host.Database.CreateDbContext();
        return (await db.ExceptionEntries.OrderBy(e => e.Value).Select(e => new { e.Type, e.Value, e.Source, e.Comment }).ToListAsync())
            .Select(e => (e.Type, e.Value, e.Source, e.Comment)).ToList();
    }

    [Fact]
    public async Task A_viewer_reads_the_Recycle_bin_but_only_an_editor_restores_and_a_role_without_access_reads_nothing()
    {
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);

        var item = Assert.Single(await recycleBin.ListAsync(host.Viewer));
        Assert.Equal((CrmEntityType.Lead, "Robocall"), (item.EntityType, item.Title));
        await Assert.ThrowsAsync<AccessDeniedException>(() => recycleBin.RestoreAsync(item.Id, removeExceptions: true, host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => recycleBin.ListAsync(host.Intern));
        Assert.Single(await recycleBin.ListAsync(host.Viewer));
        Assert.Null(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));

        await recycleBin.RestoreAsync(item.Id, removeExceptions: true, host.Supervisor);
        Assert.Empty(await recycleBin.ListAsync(host.Viewer));
    }

    [Fact]
    public async Task S2_the_phones_and_emails_of_the_item_its_contact_and_company_become_entries_and_the_group_is_recycled()
    {
        var preview = await recycleBin.PreviewAsync(CrmEntityType.Lead, lead, host.Supervisor);
        var result = await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);

        Assert.Equal(["+14155550302", "+14155550301", "robo@spam.example", "+14155550300"], preview.Entries.Select(e => e.Value));
        Assert.Equal([CrmEntityType.Contact, CrmEntityType.Company], preview.Recycled.Select(r => r.EntityType));
        Assert.Equal((4, 3), (result.Entries, result.Recycled));
        var entries = await EntriesAsync();
        Assert.All(entries, e => Assert.Equal((EntrySource.EntityForm, $"Added from lead #{lead}: Robocall"), (e.Item3, e.Item4)));
        Assert.Null(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));
        Assert.Null(await entities.GetAsync(CrmEntityType.Contact, contact, host.Viewer));
        Assert.Null(await entities.GetAsync(CrmEntityType.Company, company, host.Viewer));
        Assert.Equal(0, (await entities.ListAsync(CrmEntityType.Lead, null, 0, 10, host.Viewer)).Total);
        var item = Assert.Single(await recycleBin.ListAsync(host.Supervisor));
        Assert.Equal(("Robocall", "supervisor@test.local", 2, 4), (item.Title, item.DeletedBy, item.With.Count, item.Entries));
    }

    [Fact]
    public async Task S2_a_contact_still_linked_to_another_live_deal_stays_and_the_preview_says_so()
    {
        await entities.CreateAsync(CrmEntityType.Deal, new EntityInput("Real order", ContactId: contact), host.Supervisor);

        var preview = await recycleBin.PreviewAsync(CrmEntityType.Lead, lead, host.Supervisor);
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);

        var kept = Assert.Single(preview.Kept, k => k.EntityType == CrmEntityType.Contact);
        Assert.Equal("still linked to deal Real order", kept.Reason);
        Assert.Contains(preview.Kept, k => k.EntityType == CrmEntityType.Company && k.Reason == "still linked to contact Robo Caller");
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Contact, contact, host.Viewer));
        Assert.Null(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));
    }

    [Fact]
    public async Task S3_restore_brings_the_group_back_and_removes_the_entries_it_added_but_not_one_listed_before()
    {
        await host.Get<ExceptionImportService>().ImportAsync("+1 415 555 0300;listed before", EntrySource.Settings, host.Supervisor);
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);
        var item = Assert.Single(await recycleBin.ListAsync(host.Supervisor));

        var restored = await recycleBin.RestoreAsync(item.Id, removeExceptions: true, host.Supervisor);

        Assert.Equal((3, 3), (restored.Restored, restored.RemovedEntries));
        Assert.Equal([(EntryType.Phone, "+14155550300", EntrySource.Settings, "listed before")], await EntriesAsync());
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Contact, contact, host.Viewer));
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Company, company, host.Viewer));
        Assert.Empty(await recycleBin.ListAsync(host.Supervisor));
    }

    [Fact]
    public async Task S3_restore_can_keep_the_entries()
    {
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);

        await recycleBin.RestoreAsync((await recycleBin.ListAsync(host.Supervisor))[0].Id, removeExceptions: false, host.Supervisor);

        Assert.Equal(4, (await EntriesAsync()).Count);
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));
    }

    [Fact]
    public async Task X6_moving_adding_restoring_and_removing_are_audited()
    {
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);
        await recycleBin.RestoreAsync((await recycleBin.ListAsync(host.Supervisor))[0].Id, removeExceptions: true, host.Supervisor);

        await using var db = host.Database.CreateDbContext();
        var actions = await db.AuditEntries.Where(a => a.Source == EntrySource.EntityForm).Select(a => a.Action).ToListAsync();
        Assert.Equal(4, actions.Count(a => a == AuditAction.ExceptionAdded));
        Assert.Equal(4, actions.Count(a => a == AuditAction.ExceptionRemoved));
        Assert.Single(actions, a => a == AuditAction.MovedToRecycleBin);
        Assert.Single(actions, a => a == AuditAction.Restored);
    }

    [Theory]
    [InlineData(1, "1 exception entry")]
    [InlineData(2, "2 exception entries")]
    public async Task X6_the_audit_detail_counts_the_entries_in_the_right_number(int phones, string counted)
    {
        var numbers = new[] { "+1 415 555 0400", "+1 415 555 0401" }.Take(phones).ToList();
        var solo = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Solo caller", numbers), host.Supervisor);
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, solo, host.Supervisor);
        await recycleBin.RestoreAsync((await recycleBin.ListAsync(host.Supervisor))[0].Id, removeExceptions: true, host.Supervisor);

        await using var db = host.Database.CreateDbContext();
        var details = await db.AuditEntries.Where(a => a.Action == AuditAction.MovedToRecycleBin || a.Action == AuditAction.Restored)
            .OrderBy(a => a.Id).Select(a => a.Details!).ToListAsync();
        Assert.Collection(details, moved => Assert.EndsWith($"; {counted} added", moved), restored => Assert.EndsWith($"; {counted} removed", restored));
    }

    [Fact]
    public async Task Routing_never_relates_a_call_to_entities_in_the_recycle_bin()
    {
        await entities.CreateAsync(CrmEntityType.Deal, new EntityInput("Other order", CompanyId: company), host.Supervisor);
        var line = await host.Get<CrmSettingsService>().SaveLineAsync(null, new TelephonyLineInput("+12125550000", "Main", null, null), EntrySource.Settings, host.Administrator);
        await recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Supervisor);
        var ids = (await host.Get<ExceptionListService>().ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Supervisor)).Items.Select(i => i.Id).ToList();
        await host.Get<ExceptionListService>().RemoveAsync(ids, EntrySource.Settings, host.Supervisor);

        var outcome = await host.Get<RoutingService>().RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, "+14155550301"), host.Viewer);

        Assert.Equal(["C1", "C5"], outcome.Rules);
        Assert.Equal("New lead created (dry run: nothing was changed)", outcome.Verdict);
    }

    [Fact]
    public async Task P3_a_viewer_cannot_add_to_exceptions_or_restore()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => recycleBin.AddToExceptionsAsync(CrmEntityType.Lead, lead, host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => recycleBin.RestoreAsync(1, true, host.Viewer));
        Assert.NotNull(await entities.GetAsync(CrmEntityType.Lead, lead, host.Viewer));
        Assert.Empty(await EntriesAsync());
    }

    [Fact]
    public async Task Only_leads_and_deals_that_exist_can_be_added()
    {
        await Assert.ThrowsAsync<CrmRequestException>(() => recycleBin.AddToExceptionsAsync(CrmEntityType.Contact, contact, host.Supervisor));
        await Assert.ThrowsAsync<CrmRequestException>(() => recycleBin.AddToExceptionsAsync(CrmEntityType.Deal, 999, host.Supervisor));
    }
}
