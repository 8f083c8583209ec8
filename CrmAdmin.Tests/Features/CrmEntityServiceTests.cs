using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;

namespace CrmAdmin.Tests.Features;

public abstract class CrmEntityServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : CrmEntityServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : CrmEntityServiceTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;
    private CrmEntityService entities = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        entities = host.Get<CrmEntityService>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Lists_show_each_type_with_its_state_and_phones_and_search_by_title()
    {
        var contact = await entities.CreateAsync(CrmEntityType.Contact, new EntityInput("Ann Lee", ["+1 415 555 0111"], ["ann@acme.example"]), host.Supervisor);
        await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Website enquiry", ["+1 415 555 0112"]), host.Supervisor);
        await entities.CreateAsync(CrmEntityType.Deal, new EntityInput("40 licences", ContactId: contact), host.Supervisor, dealState: new DealState(DealStage.Won));

        var (leadTotal, leads) = await entities.ListAsync(CrmEntityType.Lead, null, 0, 25, host.Viewer);
        var (_, deals) = await entities.ListAsync(CrmEntityType.Deal, null, 0, 25, host.Viewer);
        var (_, contacts) = await entities.ListAsync(CrmEntityType.Contact, "ann", 0, 25, host.Viewer);
        var (none, _) = await entities.ListAsync(CrmEntityType.Contact, "nobody", 0, 25, host.Viewer);

        Assert.Equal(1, leadTotal);
        Assert.Equal(("Website enquiry", "Open", "+14155550112"), (leads[0].Title, leads[0].State, leads[0].ContactPoints));
        Assert.Equal("Won", deals[0].State);
        Assert.Equal("+14155550111, ann@acme.example", contacts[0].ContactPoints);
        Assert.Equal(0, none);
    }

    [Fact]
    public async Task A_lead_is_converted_reopened_and_junked_and_its_details_say_so()
    {
        var id = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Enquiry"), host.Supervisor);

        await entities.SetLeadStatusAsync(id, LeadStatus.Converted, [ConvertedTo.Contact, ConvertedTo.Deal], null, host.Supervisor);
        var converted = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);
        await entities.SetLeadStatusAsync(id, LeadStatus.Junk, null, null, host.Supervisor);
        var junk = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);
        await entities.SetLeadStatusAsync(id, LeadStatus.Open, null, null, host.Supervisor);
        var reopened = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);

        Assert.Equal([ConvertedTo.Contact, ConvertedTo.Deal], converted!.ConvertedTo);
        Assert.True(converted.IsClosed);
        Assert.Equal(LeadStatus.Junk, junk!.LeadStatus);
        Assert.False(reopened!.IsClosed);
        await Assert.ThrowsAsync<CrmRequestException>(() => entities.SetLeadStatusAsync(id, LeadStatus.Converted, [], null, host.Supervisor));
    }

    [Fact]
    public async Task Editing_replaces_phones_and_emails_and_a_viewer_cannot_edit()
    {
        var id = await entities.CreateAsync(CrmEntityType.Company, new EntityInput("Acme", ["+1 415 555 0100"]), host.Supervisor);

        await entities.UpdateAsync(CrmEntityType.Company, id, new EntityInput("Acme Corp", ["0044 20 7946 0958"], ["info@acme.example"]), host.Supervisor);

        var company = await entities.GetAsync(CrmEntityType.Company, id, host.Viewer);
        Assert.Equal(("Acme Corp", "+442079460958", "info@acme.example"), (company!.Title, company.Phones.Single(), company.Emails.Single()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => entities.UpdateAsync(CrmEntityType.Company, id, new EntityInput("X"), host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => entities.GetAsync(CrmEntityType.Company, id, host.Intern));
    }
}
