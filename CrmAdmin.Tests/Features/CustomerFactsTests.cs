using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Routing;
using CrmAdmin.Data.Postgres;
using CrmAdmin.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Routing reads a customer's facts in one hand-written statement; these hold it to what the
/// entities and EF Core's query filters say: recycled entities are invisible (§5, S2), deals come
/// through a live contact or company, and an address beats its domain (X4).
/// </summary>
public abstract class CustomerFactsTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : CustomerFactsTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : CustomerFactsTests(DatabaseProvider.Postgres)
    {
        /// <summary>
        /// Many dry runs at once share the multiplexed pool's few connections: unbounded, Npgsql opened about one per
        /// concurrent decision, and every statement woke its own PostgreSQL backend.
        /// </summary>
        [Fact]
        public async Task Concurrent_dry_run_reads_share_a_few_connections_and_each_gets_its_own_facts()
        {
            await SeedAsync();
            var points = Enumerable.Range(0, 64).Select(i => i % 2 == 0 ? Phone : new ContactPoint(EntryType.Phone, $"+1415555{1000 + i}")).ToList();

            var facts = await Task.WhenAll(points.Select(point => Task.Run(() => ReadAsync(point))));

            Assert.All(facts.Where((_, i) => i % 2 == 0), f => Assert.True(f.Related.Any));
            Assert.All(facts.Where((_, i) => i % 2 == 1), f => Assert.False(f.Related.Any));
            await using var db = database.CreateDbContext();
            var opened = await db.Database.SqlQuery<int>(
                $"SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND application_name = {PostgresMultiplexedReads.ApplicationName}").SingleAsync();
            Assert.InRange(opened, 1, reads!.Connections);
        }

        /// <summary>
        /// The statement searches the contact points once, in its WITH, where each of its five branches of related
        /// entities searched them again (<see cref="CustomerFactsStatement.Sql"/>'s pointsOnce). Read inside a transaction
        /// (an applied decision's path, the same statement), whose own counts PostgreSQL shows at once.
        /// </summary>
        [Fact]
        public async Task A_read_searches_the_contact_points_once()
        {
            var s = await SeedAsync();
            await using var db = database.CreateDbContext();
            await using var transaction = await db.Database.BeginTransactionAsync();

            var facts = await reader.ReadAsync(db, Phone, CancellationToken.None);

            Assert.Equal([s.Contact], facts.Related.Contacts.Select(c => c.Id));
            Assert.Equal([s.Company], facts.Related.Companies.Select(c => c.Id));
            var scans = await db.Database.SqlQueryRaw<long>(
                """SELECT coalesce(idx_scan, 0) + coalesce(seq_scan, 0) AS "Value" FROM pg_stat_xact_user_tables WHERE relname = 'EntityContactPoints'""").SingleAsync();
            Assert.Equal(1, scans);
        }
    }

    private static readonly DateTime At = new(2026, 11, 1, 8, 0, 0, DateTimeKind.Utc);
    private static readonly ContactPoint Phone = new(EntryType.Phone, "+14155550142");
    private static readonly ContactPoint Address = new(EntryType.Email, "ann@example.com");

    private TestDatabase database = default!;
    private ICustomerFactsReader reader = default!;
    private PostgresMultiplexedReads? reads;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(provider);
        reads = provider == DatabaseProvider.Postgres ? new PostgresMultiplexedReads(database.ConnectionString) : null;
        reader = reads is null ? new SqliteCustomerFactsReader() : new PostgresCustomerFactsReader(reads);
    }

    public async Task DisposeAsync()
    {
        (reader as IDisposable)?.Dispose();
        reads?.Dispose();

        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_point_nobody_has_and_no_entry_matches_has_no_facts()
    {
        var facts = await ReadAsync(Phone);

        Assert.Null(facts.MatchAt(At));
        Assert.False(facts.Related.Any);
    }

    [Fact]
    public async Task A_phone_entry_matches_its_own_number_only()
    {
        await AddEntriesAsync((Phone, "blocked"), (new ContactPoint(EntryType.Phone, "+14155550143"), null));

        var match = (await ReadAsync(Phone)).MatchAt(At);

        Assert.NotNull(match);
        Assert.Equal((EntryType.Phone, "+14155550142", "blocked"), (match.Type, match.Value, match.Comment));
    }

    [Fact]
    public async Task X4_an_address_is_matched_by_its_domain_and_the_address_itself_wins_over_the_domain()
    {
        await AddEntriesAsync((new ContactPoint(EntryType.EmailDomain, "@example.com"), "whole domain"));
        Assert.Equal(EntryType.EmailDomain, (await ReadAsync(Address)).MatchAt(At)?.Type);
        Assert.Null((await ReadAsync(new ContactPoint(EntryType.Email, "ann@example.org"))).MatchAt(At));

        await AddEntriesAsync((Address, "just Ann"));
        var match = (await ReadAsync(Address)).MatchAt(At);
        Assert.Equal((EntryType.Email, "ann@example.com", "just Ann"), (match?.Type, match?.Value, match?.Comment));
    }

    [Fact]
    public async Task Related_entities_are_the_live_owners_of_the_point_and_the_deals_of_its_live_contacts_and_companies()
    {
        var s = await SeedAsync();

        var related = (await ReadAsync(Phone)).Related;

        Assert.Equal([s.Contact], related.Contacts.Select(c => c.Id));
        Assert.Equal([s.Company], related.Companies.Select(c => c.Id));
        Assert.Equal([s.OpenLead, s.ConvertedLead], related.Leads.Select(l => l.Id));
        // The deal of both the contact and the company comes once; the recycled deal and the deal of
        // the recycled contact do not come at all.
        Assert.Equal([s.ContactDeal, s.CompanyDeal, s.SharedDeal], related.Deals.Select(d => d.Id));
    }

    [Fact]
    public async Task Related_entities_carry_what_the_rules_read_from_them()
    {
        var s = await SeedAsync();

        var related = (await ReadAsync(Phone)).Related;

        var converted = related.Leads.Single(l => l.Id == s.ConvertedLead);
        Assert.Equal((LeadStatus.Converted, true, true, s.Contact), (converted.Status, converted.ConvertedToContact, converted.ConvertedToDeal, converted.ContactId));
        Assert.Equal(At.AddDays(1), converted.ClosedAt);
        Assert.Equal(DateTimeKind.Utc, converted.ClosedAt!.Value.Kind);
        var open = related.Leads.Single(l => l.Id == s.OpenLead);
        Assert.Equal((LeadStatus.Open, false, false, (DateTime?)null, "Open lead"), (open.Status, open.ConvertedToContact, open.ConvertedToDeal, open.ClosedAt, open.Title));
        var won = related.Deals.Single(d => d.Id == s.CompanyDeal);
        Assert.Equal((DealStage.Won, At.AddDays(2), (long?)null, "Company deal"), (won.Stage, won.ClosedAt, won.ContactId, won.Title));
        Assert.Equal(s.Contact, related.Deals.Single(d => d.Id == s.ContactDeal).ContactId);
        Assert.Equal("Ann", related.Contacts.Single().Title);
        Assert.Equal("Acme", related.Companies.Single().Title);
    }

    [Fact]
    public async Task The_facts_are_what_EF_Core_reads_through_its_query_filters_for_every_point_of_a_varied_CRM()
    {
        var random = new Random(20261122);
        var points = Enumerable.Range(0, 12).Select(i => new ContactPoint(EntryType.Phone, $"+1415555{i:D4}"))
            .Concat(Enumerable.Range(0, 6).Select(i => new ContactPoint(EntryType.Email, $"user{i}@example.com"))).ToList();
        await using (var db = database.CreateDbContext())
        {
            var companies = Enumerable.Range(0, 8).Select(i => new Company($"Company {i}", At)).ToList();
            db.Companies.AddRange(companies);
            await db.SaveChangesAsync();
            var contacts = Enumerable.Range(0, 16).Select(i => new Contact($"Contact {i}", random.Next(3) == 0 ? null : companies[random.Next(8)].Id, At)).ToList();
            db.Contacts.AddRange(contacts);
            await db.SaveChangesAsync();
            var leads = Enumerable.Range(0, 16).Select(i => new Lead($"Lead {i}", contacts[random.Next(16)].Id, null, At)).ToList();
            var deals = Enumerable.Range(0, 24).Select(i => new Deal($"Deal {i}", random.Next(3) == 0 ? null : contacts[random.Next(16)].Id,
                random.Next(2) == 0 ? null : companies[random.Next(8)].Id, At)).ToList();
            db.Leads.AddRange(leads);
            db.Deals.AddRange(deals);
            await db.SaveChangesAsync();
            foreach (var (type, id) in companies.Select(c => (CrmEntityType.Company, c.Id)).Concat(contacts.Select(c => (CrmEntityType.Contact, c.Id)))
                         .Concat(leads.Select(l => (CrmEntityType.Lead, l.Id))))
            {
                db.EntityContactPoints.AddRange(Enumerable.Range(0, random.Next(1, 3)).Select(_ => new EntityContactPoint(type, id, points[random.Next(points.Count)])));
            }

            foreach (var recycled in new object[] { companies[1], contacts[2], contacts[5], leads[3], deals[4], deals[7] })
            {
                db.Entry(recycled).Property("DeletedAt").CurrentValue = At;
            }

            await db.SaveChangesAsync();
        }

        await AddEntriesAsync((points[0], null), (points[13], null), (new ContactPoint(EntryType.EmailDomain, "@example.com"), null));
        foreach (var point in points)
        {
            var facts = await ReadAsync(point);
            await using var db = database.CreateDbContext();
            var expected = await ThroughEfCoreAsync(db, point);
            Assert.Equal(expected.Match, facts.MatchAt(At));
            Assert.Equal(expected.Related.Contacts, facts.Related.Contacts);
            Assert.Equal(expected.Related.Companies, facts.Related.Companies);
            Assert.Equal(expected.Related.Leads, facts.Related.Leads);
            Assert.Equal(expected.Related.Deals, facts.Related.Deals);
        }
    }

    [Fact]
    public async Task Inside_a_write_transaction_the_facts_include_what_it_has_written()
    {
        await using var db = database.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.ExceptionEntries.Add(new ExceptionEntry(Phone, "just now", EntrySource.Settings, "test", At));
        await db.SaveChangesAsync();

        var facts = await reader.ReadAsync(db, Phone, CancellationToken.None);

        Assert.Equal("just now", facts.MatchAt(At)?.Comment);
    }

    [Fact]
    public async Task The_connections_kept_for_dry_runs_see_every_write_made_since_their_last_read()
    {
        // Several reads at once, so more than one connection is kept open and reused.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReadAsync(Phone)));
        Assert.Null((await ReadAsync(Phone)).MatchAt(At));

        await AddEntriesAsync((Phone, "added later"));
        var seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => ReadAsync(Phone)));

        Assert.All(seen, facts => Assert.Equal("added later", facts.MatchAt(At)?.Comment));
    }

    /// <summary>The same facts the plain way, as routing read them before the single statement.</summary>
    private static async Task<(MatchedException? Match, RelatedEntities Related)> ThroughEfCoreAsync(CrmDbContext db, ContactPoint point)
    {
        var owners = await db.EntityContactPoints.Where(p => p.Type == point.Type && p.Value == point.Value).ToListAsync();
        var ids = (CrmEntityType type) => owners.Where(o => o.OwnerType == type).Select(o => o.OwnerId).ToList();
        var contacts = await db.Contacts.Where(c => ids(CrmEntityType.Contact).Contains(c.Id)).OrderBy(c => c.Id).Select(c => new RelatedParty(c.Id, c.Name)).ToListAsync();
        var companies = await db.Companies.Where(c => ids(CrmEntityType.Company).Contains(c.Id)).OrderBy(c => c.Id).Select(c => new RelatedParty(c.Id, c.Name)).ToListAsync();
        var leads = await db.Leads.Where(l => ids(CrmEntityType.Lead).Contains(l.Id)).OrderBy(l => l.Id)
            .Select(l => new RelatedLead(l.Id, l.Title, l.Status, l.ConvertedToContact, l.ConvertedToDeal, l.ClosedAt, l.ContactId)).ToListAsync();
        var contactIds = contacts.Select(c => c.Id).ToList();
        var companyIds = companies.Select(c => c.Id).ToList();
        var deals = await db.Deals.Where(d => (d.ContactId != null && contactIds.Contains(d.ContactId.Value)) || (d.CompanyId != null && companyIds.Contains(d.CompanyId.Value)))
            .OrderBy(d => d.Id).Select(d => new RelatedDeal(d.Id, d.Title, d.Stage, d.ClosedAt, d.ContactId)).ToListAsync();
        // The whole list through the domain's rules in memory: the statement's lookup must find what they choose.
        var listed = await db.ExceptionEntries.Select(e => new ListedEntry(e.Id, e.Type, e.Value, e.Comment, e.ExpiresAt)).ToListAsync();
        var match = ExceptionMatching.Match(listed, point, At) is { } best ? new MatchedException(best.Id, best.Type, best.Value, best.Comment) : null;
        return (match, new RelatedEntities(leads, deals, contacts, companies));
    }

    private sealed record Seeded(long Contact, long Company, long OpenLead, long ConvertedLead, long ContactDeal, long CompanyDeal, long SharedDeal);

    /// <summary>Ann of Acme has the phone; so do a recycled contact, a recycled lead and a stranger's number.</summary>
    private async Task<Seeded> SeedAsync()
    {
        await using var db = database.CreateDbContext();
        var acme = new Company("Acme", At);
        var globex = new Company("Globex", At);
        db.Companies.AddRange(acme, globex);
        await db.SaveChangesAsync();
        var ann = new Contact("Ann", acme.Id, At);
        var recycledContact = new Contact("Bob", null, At) { DeletedAt = At };
        var stranger = new Contact("Carol", globex.Id, At);
        db.Contacts.AddRange(ann, recycledContact, stranger);
        await db.SaveChangesAsync();
        var openLead = new Lead("Open lead", null, null, At);
        var convertedLead = new Lead("Converted lead", ann.Id, null, At);
        convertedLead.Convert([ConvertedTo.Contact, ConvertedTo.Deal], At.AddDays(1));
        var recycledLead = new Lead("Recycled lead", null, null, At) { DeletedAt = At };
        var contactDeal = new Deal("Contact deal", ann.Id, null, At);
        var companyDeal = new Deal("Company deal", null, acme.Id, At);
        companyDeal.MoveTo(DealStage.Won, At.AddDays(2));
        var sharedDeal = new Deal("Shared deal", ann.Id, acme.Id, At);
        var recycledDeal = new Deal("Recycled deal", ann.Id, null, At) { DeletedAt = At };
        var dealOfRecycledContact = new Deal("Bob's deal", recycledContact.Id, null, At);
        var strangersDeal = new Deal("Carol's deal", stranger.Id, globex.Id, At);
        db.Leads.AddRange(openLead, convertedLead, recycledLead);
        db.Deals.AddRange(contactDeal, companyDeal, sharedDeal, recycledDeal, dealOfRecycledContact, strangersDeal);
        await db.SaveChangesAsync();
        var other = new ContactPoint(EntryType.Phone, "+14155550199");
        db.EntityContactPoints.AddRange(
            new EntityContactPoint(CrmEntityType.Contact, ann.Id, Phone),
            new EntityContactPoint(CrmEntityType.Company, acme.Id, Phone),
            new EntityContactPoint(CrmEntityType.Contact, recycledContact.Id, Phone),
            new EntityContactPoint(CrmEntityType.Lead, openLead.Id, Phone),
            new EntityContactPoint(CrmEntityType.Lead, convertedLead.Id, Phone),
            new EntityContactPoint(CrmEntityType.Lead, recycledLead.Id, Phone),
            new EntityContactPoint(CrmEntityType.Contact, stranger.Id, other),
            new EntityContactPoint(CrmEntityType.Company, globex.Id, other));
        await db.SaveChangesAsync();
        return new Seeded(ann.Id, acme.Id, openLead.Id, convertedLead.Id, contactDeal.Id, companyDeal.Id, sharedDeal.Id);
    }

    [Fact]
    public async Task X8_X9_the_lookup_finds_prefixes_and_subdomain_trees_and_the_most_specific_is_reported()
    {
        await AddEntriesAsync(
            (new ContactPoint(EntryType.PhonePrefix, "+1415*"), "area"),
            (new ContactPoint(EntryType.PhonePrefix, "+141555*"), "exchange"),
            (new ContactPoint(EntryType.PhonePrefix, "+1416*"), "elsewhere"),
            (new ContactPoint(EntryType.EmailDomainTree, "@*.example.com"), "tree"),
            (new ContactPoint(EntryType.EmailDomain, "@example.com"), "domain"));

        Assert.Equal("+141555*", (await ReadAsync(Phone)).MatchAt(At)?.Value);
        Assert.Equal("+1415*", (await ReadAsync(new ContactPoint(EntryType.Phone, "+14152220000"))).MatchAt(At)?.Value);
        Assert.Null((await ReadAsync(new ContactPoint(EntryType.Phone, "+14175550000"))).MatchAt(At));
        Assert.Equal("@*.example.com", (await ReadAsync(new ContactPoint(EntryType.Email, "ann@x.mail.example.com"))).MatchAt(At)?.Value);
        Assert.Equal("@example.com", (await ReadAsync(Address)).MatchAt(At)?.Value);
        Assert.Null((await ReadAsync(new ContactPoint(EntryType.Email, "ann@example.com.evil.org"))).MatchAt(At));

        await AddEntriesAsync((Phone, "exact"));
        Assert.Equal(EntryType.Phone, (await ReadAsync(Phone)).MatchAt(At)?.Type);
    }

    [Fact]
    public async Task X10_an_expired_entry_is_found_but_does_not_match_from_its_expiry_instant()
    {
        await using (var db = database.CreateDbContext())
        {
            db.ExceptionEntries.Add(new ExceptionEntry(Phone, "exact, for an hour", EntrySource.Settings, "test", At, At.AddHours(1)));
            db.ExceptionEntries.Add(new ExceptionEntry(new ContactPoint(EntryType.PhonePrefix, "+1415*"), "prefix", EntrySource.Settings, "test", At));
            await db.SaveChangesAsync();
        }

        var facts = await ReadAsync(Phone);

        Assert.Equal(2, facts.Entries.Count);
        Assert.Equal(At.AddHours(1), facts.Entries.Single(e => e.Type == EntryType.Phone).ExpiresAt);
        Assert.Equal("exact, for an hour", facts.MatchAt(At.AddHours(1).AddTicks(-1))?.Comment);
        Assert.Equal("prefix", facts.MatchAt(At.AddHours(1))?.Comment);
    }

    private async Task AddEntriesAsync(params (ContactPoint Point, string? Comment)[] entries)
    {
        await using var db = database.CreateDbContext();
        db.ExceptionEntries.AddRange(entries.Select(e => new ExceptionEntry(e.Point, e.Comment, EntrySource.Settings, "test", At)));
        await db.SaveChangesAsync();
    }

    private async Task<CustomerFacts> ReadAsync(ContactPoint point)
    {
        await using var db = database.CreateDbContext();
        return await reader.ReadAsync(db, point, CancellationToken.None);
    }
}
