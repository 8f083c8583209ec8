using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// X7 in routing (issue 14, case 2): a sender or caller spelled any canonical-equivalent way is blocked
/// by its entry, and the entries themselves were imported in any spelling.
/// </summary>
public abstract class CanonicalRoutingTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : CanonicalRoutingTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : CanonicalRoutingTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        var report = await host.Get<ExceptionImportService>().ImportAsync(
            "noreply@shop.example;shop robot\n@example.org.;whole domain\n'@newsletters.example.com;newsletters\n" +
            "spam@example.com.;with dot\nspam@example.com;without dot\n\u202D+1 (415) 555-0180\u202C;apple contacts\n+1 415\u2013555\u20130190;en dash",
            EntrySource.Settings, host.Supervisor);
        Assert.Equal((6, 1), (report.Added, report.DuplicateInInput));
        Assert.Equal(5, Assert.Single(report.Problems).Line);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [InlineData("noreply@shop.example.", "noreply@shop.example")]
    [InlineData("NoReply@Shop.Example", "noreply@shop.example")]
    [InlineData("\u200Bnoreply@shop.example\u200B", "noreply@shop.example")]
    [InlineData("\u202Dnoreply@shop.example.\u202C", "noreply@shop.example")]
    [InlineData("ｎｏｒｅｐｌｙ＠ｓｈｏｐ．ｅｘａｍｐｌｅ", "noreply@shop.example")]
    [InlineData("noreply@shop\u3002example", "noreply@shop.example")]
    [InlineData("anyone@example.org", "@example.org")]
    [InlineData("anyone@example.org.", "@example.org")]
    [InlineData("Anyone@EXAMPLE.ORG\uFEFF", "@example.org")]
    [InlineData("weekly@newsletters.example.com.", "@newsletters.example.com")]
    [InlineData("spam@example.com.", "spam@example.com")]
    public async Task E2_X7_an_email_from_any_spelling_of_a_listed_address_or_domain_is_blocked(string from, string entry)
    {
        var outcome = await host.Get<RoutingService>().RouteEmailAsync(new EmailRequest(from), host.Supervisor);

        Assert.True(outcome.Blocked);
        Assert.Equal(entry, outcome.MatchedException?.Value);
    }

    [Theory]
    [InlineData("+14155550180", "+14155550180")]
    [InlineData("\u202D+1 (415) 555-0180\u202C", "+14155550180")]
    [InlineData("\u200E+1\u00A0415\u00A0555\u00A00180", "+14155550180")]
    [InlineData("+1 415\u2014555\u22120190", "+14155550190")]
    [InlineData("＋１ ４１５ ５５５ ０１９０", "+14155550190")]
    [InlineData("+١ ٤١٥ ٥٥٥ ٠١٩٠", "+14155550190")]
    public async Task C2_X7_a_call_from_any_spelling_of_a_listed_number_is_blocked(string number, string entry)
    {
        var line = await host.Get<CrmSettingsService>().SaveLineAsync(null, new TelephonyLineInput("+12125550000", "Main", null, null), EntrySource.Settings, host.Administrator);

        var outcome = await host.Get<RoutingService>().RouteCallAsync(new CallRequest(line.Id, CallDirection.Incoming, number), host.Supervisor);

        Assert.True(outcome.Blocked);
        Assert.Equal(entry, outcome.MatchedException?.Value);
    }

    [Fact]
    public async Task E2_an_unlisted_address_on_a_listed_domains_sibling_is_not_blocked()
    {
        var outcome = await host.Get<RoutingService>().RouteEmailAsync(new EmailRequest("anyone@mail.example.org."), host.Supervisor);

        Assert.False(outcome.Blocked);
    }
}
