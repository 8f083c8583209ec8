using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Crm;

/// <summary>
/// With <c>Demo:Seed</c>, an empty CRM gets a small believable one (SPEC §10), so the simulator shows
/// every kind of answer on first run: a line, open and closed leads and deals, and a few exceptions.
/// </summary>
public static class DemoSeeder
{
    public static async Task SeedDemoCrmAsync(this IServiceProvider services, IConfiguration configuration, CancellationToken ct = default)
    {
        if (!configuration.GetValue<bool>("Demo:Seed"))
        {
            return;
        }

        var factory = services.GetRequiredService<IDbContextFactory<CrmDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.TelephonyLines.AnyAsync(ct) || await db.Contacts.AnyAsync(ct) || await db.Leads.AnyAsync(ct))
        {
            return;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.TelephonyLines.Add(new TelephonyLine("+12125550100", "Sales line"));
        var support = new TelephonyLine("+12125550199", "Support line") { IncomingRepeated = true, OutgoingCreate = true, OutgoingRepeated = true };
        db.TelephonyLines.Add(support);

        var acme = db.Companies.Add(new Company("Acme Corp", now.AddDays(-90))).Entity;
        await db.SaveChangesAsync(ct);
        Points(db, CrmEntityType.Company, acme.Id, "+1 212 555 0150", "info@acme.example");

        // An existing customer with an open deal: calls are logged to the deal, contact and company (C3).
        var ann = db.Contacts.Add(new Contact("Ann Lee", acme.Id, now.AddDays(-60))).Entity;
        // A customer whose lead became a deal that was won: nothing open (C4, C6, C7).
        var bob = db.Contacts.Add(new Contact("Bob Stone", null, now.AddDays(-120))).Entity;
        // A customer whose lead was converted into a contact only (C7 refuses a repeated lead on outgoing calls).
        var cara = db.Contacts.Add(new Contact("Cara Diaz", null, now.AddDays(-100))).Entity;
        await db.SaveChangesAsync(ct);
        Points(db, CrmEntityType.Contact, ann.Id, "+1 415 555 0111", "ann@acme.example");
        Points(db, CrmEntityType.Contact, bob.Id, "+1 415 555 0122", "bob@stone.example");
        Points(db, CrmEntityType.Contact, cara.Id, "+1 415 555 0133", "cara@diaz.example");

        db.Deals.Add(new Deal("Acme: 40 licences", ann.Id, acme.Id, now.AddDays(-20)));
        var bobLead = db.Leads.Add(new Lead("Bob: website enquiry", bob.Id, null, now.AddDays(-120))).Entity;
        bobLead.Convert([ConvertedTo.Contact, ConvertedTo.Deal], now.AddDays(-110));
        var bobDeal = db.Deals.Add(new Deal("Bob: starter plan", bob.Id, null, now.AddDays(-110))).Entity;
        bobDeal.MoveTo(DealStage.Won, now.AddDays(-80));
        var caraLead = db.Leads.Add(new Lead("Cara: price question", cara.Id, null, now.AddDays(-100))).Entity;
        caraLead.Convert([ConvertedTo.Contact], now.AddDays(-95));
        // A lead with no contact, closed as junk: calls go to the most recently closed lead (C4).
        var junk = db.Leads.Add(new Lead("Unknown caller", null, null, now.AddDays(-30))).Entity;
        junk.MarkJunk(now.AddDays(-29));
        // An open lead: calls are logged to it.
        var open = db.Leads.Add(new Lead("Dan: callback request", null, null, now.AddDays(-2))).Entity;
        await db.SaveChangesAsync(ct);
        Points(db, CrmEntityType.Lead, bobLead.Id, "+1 415 555 0122");
        Points(db, CrmEntityType.Lead, caraLead.Id, "+1 415 555 0133");
        Points(db, CrmEntityType.Lead, junk.Id, "+1 415 555 0144");
        Points(db, CrmEntityType.Lead, open.Id, "+1 415 555 0155", "dan@example.net");

        foreach (var (value, comment) in new[] { ("+1 415 555 0100", "spam robot"), ("+1 800 555 0199", "telemarketing"), ("@newsletters.example.com", "all newsletters"), ("noreply@shop.example", "order notifications") })
        {
            db.ExceptionEntries.Add(new ExceptionEntry(ContactPointNormalizer.Normalize(value).Point!.Value, comment, EntrySource.Settings, "demo", now.AddDays(-10)));
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static void Points(CrmDbContext db, CrmEntityType type, long id, params string[] values)
    {
        foreach (var value in values)
        {
            db.EntityContactPoints.Add(new EntityContactPoint(type, id, ContactPointNormalizer.Normalize(value).Point!.Value));
        }
    }
}
