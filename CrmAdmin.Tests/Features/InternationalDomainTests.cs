using CrmAdmin.Data;
using CrmAdmin.Data.Sqlite;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Internationalized addresses and domains (X3): stored and matched in ASCII (punycode), read by people
/// in Unicode, in the titles routing composes, the lists and pickers that show them, and the simulator.
/// </summary>
public abstract class InternationalDomainTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : InternationalDomainTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : InternationalDomainTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;

    public async Task InitializeAsync() => host = await ServiceTestHost.CreateAsync(provider: provider);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task C5_a_lead_routing_creates_for_an_idn_address_is_titled_in_unicode_in_the_answer_the_list_and_the_pickers()
    {
        var outcome = await host.Get<RoutingService>().RouteEmailAsync(
            new EmailRequest("Kontakt@Bücher.example", MessageId: "<m1@bücher.example>", Subject: "Angebot", DryRun: false), host.Supervisor);

        Assert.Equal("kontakt@xn--bcher-kva.example", outcome.Customer);
        Assert.Equal("Email from kontakt@bücher.example", Assert.Single(outcome.Created).Title);
        var entities = host.Get<CrmEntityService>();
        var listed = Assert.Single((await entities.ListAsync(CrmEntityType.Lead, null, 0, 10, host.Viewer)).Items);
        Assert.Equal("Email from kontakt@bücher.example", listed.Title);
        var option = Assert.Single(await entities.SearchAsync(CrmEntityType.Lead, "kontakt", 10, host.Viewer));
        Assert.Equal(("Email from kontakt@bücher.example", "kontakt@bücher.example"), (option.Title, option.Detail));
        var details = await entities.GetAsync(CrmEntityType.Lead, listed.Id, host.Viewer);
        Assert.Equal("Email from kontakt@bücher.example", details!.Title);
        Assert.Equal("Email from kontakt@bücher.example: Angebot", Assert.Single(details.Activities).Summary);
        Assert.Equal(["kontakt@xn--bcher-kva.example"], details.Emails);
    }

    [Fact]
    public async Task C3_a_second_email_is_logged_to_the_idn_lead_and_the_answer_names_it_in_unicode()
    {
        var routing = host.Get<RoutingService>();
        await routing.RouteEmailAsync(new EmailRequest("info@пример.рф", DryRun: false), host.Supervisor);

        var again = await routing.RouteEmailAsync(new EmailRequest("INFO@ПРИМЕР.РФ"), host.Supervisor);

        Assert.Empty(again.Created);
        Assert.Equal("Email from info@пример.рф", Assert.Single(again.LoggedTo).Title);
        Assert.All(again.Explanation, step => Assert.DoesNotContain("xn--", step, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_title_saved_with_punycode_before_the_fix_reads_in_unicode_wherever_it_is_listed_or_logged_to()
    {
        // A lead and deal as routing titled them before titles were composed as written (and as an API client may still send them).
        var entities = host.Get<CrmEntityService>();
        var leadId = await entities.CreateAsync(CrmEntityType.Lead,
            new EntityInput("Email from kontakt@xn--bcher-kva.example", Emails: ["kontakt@bücher.example"]), host.Supervisor);
        await entities.CreateAsync(CrmEntityType.Deal, new EntityInput("Chat from info@xn--e1afmkfd.xn--p1ai"), host.Supervisor);

        Assert.Equal("Email from kontakt@bücher.example", Assert.Single((await entities.ListAsync(CrmEntityType.Lead, null, 0, 10, host.Viewer)).Items).Title);
        Assert.Equal("Chat from info@пример.рф", Assert.Single((await entities.ListAsync(CrmEntityType.Deal, null, 0, 10, host.Viewer)).Items).Title);
        Assert.Equal("Email from kontakt@bücher.example", Assert.Single(await entities.SearchAsync(CrmEntityType.Lead, "kontakt", 10, host.Viewer)).Title);
        Assert.Equal("Email from kontakt@bücher.example", (await entities.GetAsync(CrmEntityType.Lead, leadId, host.Viewer))!.Title);
        var logged = await host.Get<RoutingService>().RouteEmailAsync(new EmailRequest("kontakt@bücher.example"), host.Supervisor);
        Assert.Equal("Email from kontakt@bücher.example", Assert.Single(logged.LoggedTo).Title);
    }

    [Fact]
    public async Task E1_a_saved_idn_message_offers_its_subject_and_sender_and_a_reply_from_the_unicode_address_is_saved_to_its_thread()
    {
        var routing = host.Get<RoutingService>();
        await routing.RouteEmailAsync(new EmailRequest("kontakt@bücher.example", MessageId: "<m1@crm.example>", Subject: "Angebot", DryRun: false), host.Supervisor);

        var saved = Assert.Single(await routing.SearchSavedMessagesAsync("Angebot", 10, host.Viewer));
        Assert.Equal(("Angebot", "kontakt@xn--bcher-kva.example"), (saved.Subject, saved.From));

        var reply = await routing.RouteEmailAsync(new EmailRequest(InternationalDomains.ToUnicode(saved.From), InReplyTo: saved.MessageId), host.Supervisor);
        Assert.Equal(RoutingChannel.EmailReply.ToString(), reply.Channel);
        Assert.Equal("Email from kontakt@bücher.example", Assert.Single(reply.LoggedTo).Title);
    }

    [Fact]
    public async Task A_recycled_entity_titled_with_punycode_before_the_fix_is_listed_in_unicode()
    {
        await using (var db = host.Database.CreateDbContext())
        {
            db.RecycleBin.Add(new RecycleBinItem(CrmEntityType.Deal, 41, "Email from info@xn--e1afmkfd.xn--p1ai", new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc),
                "admin@test.local", [new RecycledMember(CrmEntityType.Contact, 42, "info@xn--e1afmkfd.xn--p1ai")], []));
            await db.SaveChangesAsync();
        }

        var row = Assert.Single(await host.Get<CrmAdmin.Features.RecycleBin.RecycleBinService>().ListAsync(host.Viewer));

        Assert.Equal("Email from info@пример.рф", row.Title);
        Assert.Equal("info@пример.рф", Assert.Single(row.With).Title);
    }

    [Theory]
    [InlineData("bücher.example", new[] { "@*.xn--bcher-kva.example", "@xn--bcher-kva.example", "kontakt@xn--bcher-kva.example" })]
    [InlineData("Bücher", new[] { "@*.xn--bcher-kva.example", "@xn--bcher-kva.example", "kontakt@xn--bcher-kva.example" })]
    [InlineData("@bücher.example", new[] { "@xn--bcher-kva.example", "kontakt@xn--bcher-kva.example" })]
    [InlineData("@*.bücher.example", new[] { "@*.xn--bcher-kva.example" })]
    [InlineData("kontakt@bücher.example", new[] { "kontakt@xn--bcher-kva.example" })]
    [InlineData("пример", new[] { "info@xn--e1afmkfd.xn--p1ai" })]
    [InlineData("пример.рф", new[] { "info@xn--e1afmkfd.xn--p1ai" })]
    [InlineData("xn--bcher", new[] { "@*.xn--bcher-kva.example", "@xn--bcher-kva.example", "kontakt@xn--bcher-kva.example" })]
    [InlineData("почта", new[] { "почта@example.com" })]
    [InlineData("Почта@", new[] { "почта@example.com" })]
    public async Task X5_a_value_query_in_unicode_finds_the_idn_entries_stored_in_punycode(string query, string[] expected)
    {
        await host.Get<ExceptionImportService>().ImportAsync(
            "kontakt@bücher.example;address\n@bücher.example;domain\n@*.bücher.example;tree\ninfo@пример.рф;cyrillic\n@buecher.example;ascii namesake\nпочта@example.com;cyrillic name",
            EntrySource.Settings, host.Supervisor);
        var list = host.Get<ExceptionListService>();
        async Task<string[]> ValuesAsync() =>
            (await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Value: query)), host.Viewer)).Items.Select(i => i.Value).Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(expected, await ValuesAsync());

        // Each provider's trigram index trails the table: the same answer once it caught up.
        if (provider == DatabaseProvider.Sqlite)
        {
            while (await host.Get<ExceptionSearchIndexer>().IndexNextBatchAsync() > 0)
            {
            }
        }
        else
        {
            await host.Get<CrmAdmin.Data.Postgres.PostgresExceptionSearchIndexer>().IndexBacklogAsync();
        }

        Assert.Equal(expected, await ValuesAsync());
    }
}
