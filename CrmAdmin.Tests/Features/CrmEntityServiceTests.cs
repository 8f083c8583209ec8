using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using Microsoft.EntityFrameworkCore;

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
    public async Task A_lead_is_junked_and_reopened_but_a_converted_lead_stays_converted()
    {
        var id = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Enquiry"), host.Supervisor);

        await entities.SetLeadStatusAsync(id, LeadStatus.Junk, host.Supervisor);
        var junk = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);
        await entities.SetLeadStatusAsync(id, LeadStatus.Open, host.Supervisor);
        var reopened = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);
        await entities.ConvertLeadAsync(id, [ConvertedTo.Contact], host.Supervisor);

        Assert.Equal(LeadStatus.Junk, junk!.LeadStatus);
        Assert.True(junk.IsClosed);
        Assert.False(reopened!.IsClosed);
        await Assert.ThrowsAsync<CrmConflictException>(() => entities.SetLeadStatusAsync(id, LeadStatus.Open, host.Supervisor));
        await Assert.ThrowsAsync<CrmConflictException>(() => entities.SetLeadStatusAsync(id, LeadStatus.Junk, host.Supervisor));
        await Assert.ThrowsAsync<CrmRequestException>(() => entities.SetLeadStatusAsync(id, LeadStatus.Converted, host.Supervisor));
        await Assert.ThrowsAsync<CrmNotFoundException>(() => entities.SetLeadStatusAsync(id + 100, LeadStatus.Junk, host.Supervisor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => entities.SetLeadStatusAsync(id, LeadStatus.Junk, host.Viewer));
    }

    [Fact]
    public async Task Converting_to_contact_and_deal_creates_both_with_the_leads_phones_and_emails_and_links_them()
    {
        var company = await entities.CreateAsync(CrmEntityType.Company, new EntityInput("Acme"), host.Supervisor);
        var id = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Grace Hopper", ["+1 415 555 0142"], ["grace@navy.example"], CompanyId: company), host.Supervisor);

        var result = await entities.ConvertLeadAsync(id, [ConvertedTo.Contact, ConvertedTo.Deal], host.Supervisor);

        var lead = await entities.GetAsync(CrmEntityType.Lead, id, host.Viewer);
        var contact = await entities.GetAsync(CrmEntityType.Contact, result.ContactId!.Value, host.Viewer);
        var deal = await entities.GetAsync(CrmEntityType.Deal, result.DealId!.Value, host.Viewer);
        Assert.Equal(LeadStatus.Converted, lead!.LeadStatus);
        Assert.Equal([ConvertedTo.Contact, ConvertedTo.Deal], lead.ConvertedTo);
        Assert.Equal(("Grace Hopper", result.ContactId, result.DealId), (lead.Contact!.Title, lead.Contact.Id, lead.Deal!.Id));
        Assert.Equal(("Grace Hopper", "+14155550142", "grace@navy.example", "Acme"), (contact!.Title, contact.Phones.Single(), contact.Emails.Single(), contact.Company!.Title));
        Assert.Equal((DealStage.Open, result.ContactId, (long?)company), (deal!.DealStage!.Value, deal.ContactId, deal.CompanyId));
        Assert.Equal("Grace Hopper", deal.Contact!.Title);
        await Assert.ThrowsAsync<CrmConflictException>(() => entities.ConvertLeadAsync(id, [ConvertedTo.Deal], host.Supervisor));
    }

    [Fact]
    public async Task A_lead_that_already_has_a_contact_is_converted_into_that_contact_not_a_duplicate()
    {
        var ann = await entities.CreateAsync(CrmEntityType.Contact, new EntityInput("Ann Lee", ["+1 415 555 0111"]), host.Supervisor);
        var id = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Ann's renewal", ["+1 415 555 0111"], ["ann@acme.example"], ContactId: ann), host.Supervisor);
        var dealOnly = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Ann's second site", ContactId: ann), host.Supervisor);

        var toContact = await entities.ConvertLeadAsync(id, [ConvertedTo.Contact], host.Supervisor);
        var toDeal = await entities.ConvertLeadAsync(dealOnly, [ConvertedTo.Deal], host.Supervisor);

        var (contacts, _) = await entities.ListAsync(CrmEntityType.Contact, null, 0, 25, host.Viewer);
        var contact = await entities.GetAsync(CrmEntityType.Contact, ann, host.Viewer);
        var deal = await entities.GetAsync(CrmEntityType.Deal, toDeal.DealId!.Value, host.Viewer);
        Assert.Equal(new LeadConversion(ann, null), toContact);
        Assert.Equal(1, contacts);
        Assert.Equal(["+14155550111"], contact!.Phones);
        Assert.Equal(["ann@acme.example"], contact.Emails);
        Assert.Null(toDeal.ContactId);
        Assert.Equal(ann, deal!.ContactId);
        Assert.Equal([ConvertedTo.Deal], (await entities.GetAsync(CrmEntityType.Lead, dealOnly, host.Viewer))!.ConvertedTo);
    }

    [Fact]
    public async Task Conversion_refuses_junk_unknown_and_empty_requests_and_viewers_and_changes_nothing()
    {
        var junk = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Robocall", ["+1 415 555 0199"]), host.Supervisor,
            leadState: new LeadState(LeadStatus.Junk));
        var open = await entities.CreateAsync(CrmEntityType.Lead, new EntityInput("Enquiry"), host.Supervisor);

        await Assert.ThrowsAsync<CrmConflictException>(() => entities.ConvertLeadAsync(junk, [ConvertedTo.Contact], host.Supervisor));
        await Assert.ThrowsAsync<CrmNotFoundException>(() => entities.ConvertLeadAsync(open + 100, [ConvertedTo.Contact], host.Supervisor));
        await Assert.ThrowsAsync<CrmRequestException>(() => entities.ConvertLeadAsync(open, [], host.Supervisor));
        await Assert.ThrowsAsync<CrmRequestException>(() => entities.ConvertLeadAsync(open, [(ConvertedTo)7], host.Supervisor));
        await Assert.ThrowsAsync<AccessDeniedException>(() => entities.ConvertLeadAsync(open, [ConvertedTo.Contact], host.Viewer));

        var (contacts, _) = await entities.ListAsync(CrmEntityType.Contact, null, 0, 25, host.Viewer);
        Assert.Equal(0, contacts);
        Assert.Equal(LeadStatus.Open, (await entities.GetAsync(CrmEntityType.Lead, open, host.Viewer))!.LeadStatus);
    }

    [Fact]
    public async Task A_deal_moves_between_stages_and_an_unknown_deal_is_not_found()
    {
        var id = await entities.CreateAsync(CrmEntityType.Deal, new EntityInput("Licences"), host.Supervisor);

        await entities.SetDealStageAsync(id, DealStage.Won, host.Supervisor);
        var won = await entities.GetAsync(CrmEntityType.Deal, id, host.Viewer);
        await entities.SetDealStageAsync(id, DealStage.Open, host.Supervisor);

        Assert.Equal(DealStage.Won, won!.DealStage);
        Assert.True(won.IsClosed);
        Assert.False((await entities.GetAsync(CrmEntityType.Deal, id, host.Viewer))!.IsClosed);
        await Assert.ThrowsAsync<CrmNotFoundException>(() => entities.SetDealStageAsync(id + 100, DealStage.Lost, host.Supervisor));
        await Assert.ThrowsAsync<CrmRequestException>(() => entities.SetDealStageAsync(id, (DealStage)9, host.Supervisor));
    }

    [Fact]
    public async Task The_picker_search_finds_by_name_phone_digits_or_email_newest_first_bounded_and_never_recycled()
    {
        for (var i = 0; i < 25; i++)
        {
            await entities.CreateAsync(CrmEntityType.Contact, new EntityInput($"Bulk contact {i:00}", [$"+44 20 7946 {100 + i:0000}"]), host.Supervisor);
        }

        var ann = await entities.CreateAsync(CrmEntityType.Contact, new EntityInput("Ann Lee", ["+44 20 7946 0958"], ["ann@acme.example"]), host.Supervisor);
        // The newest of all, but in the Recycle bin: an opened picker (blank text) must not offer it.
        var recycled = await entities.CreateAsync(CrmEntityType.Contact, new EntityInput("Recycled Anna", ["+44 20 7946 0959"]), host.Supervisor);
        await using (var db = host.Database.CreateDbContext())
        {
            (await db.Contacts.SingleAsync(c => c.Id == recycled)).DeletedAt = DateTime.UtcNow;
            await db.SaveChangesAsync();
        }

        var byName = await entities.SearchAsync(CrmEntityType.Contact, "ann", 10, host.Viewer);
        var byDigits = await entities.SearchAsync(CrmEntityType.Contact, "7946 0958", 10, host.Viewer);
        var byEmail = await entities.SearchAsync(CrmEntityType.Contact, "ACME.example", 10, host.Viewer);
        var newest = await entities.SearchAsync(CrmEntityType.Contact, null, 5, host.Viewer);
        var bounded = await entities.SearchAsync(CrmEntityType.Contact, "bulk", 1000, host.Viewer);

        Assert.Equal([("Ann Lee", ann)], byName.Select(o => (o.Title, o.Id)));
        Assert.Equal("+442079460958, ann@acme.example", byName[0].Detail);
        Assert.Equal([ann], byDigits.Select(o => o.Id));
        Assert.Equal([ann], byEmail.Select(o => o.Id));
        Assert.Equal(["Ann Lee", "Bulk contact 24", "Bulk contact 23", "Bulk contact 22", "Bulk contact 21"], newest.Select(o => o.Title));
        Assert.Equal(CrmEntityService.MaxOptions, bounded.Count);
        Assert.Empty(await entities.SearchAsync(CrmEntityType.Company, "ann", 10, host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => entities.SearchAsync(CrmEntityType.Contact, "ann", 10, host.Intern));
    }

    [Fact]
    public async Task A_link_to_a_contact_that_no_longer_exists_is_refused_on_the_contact_field()
    {
        var refused = await Assert.ThrowsAsync<CrmRequestException>(() =>
            entities.CreateAsync(CrmEntityType.Deal, new EntityInput("Licences", ContactId: 999), host.Supervisor));

        Assert.Equal("contactId", refused.Field);
        Assert.DoesNotContain("999", refused.Message);
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
