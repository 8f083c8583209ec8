using CrmAdmin.Data;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Dashboard;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The dashboard's statistics (SPEC §9 GET /api/stats/blocked): counted from applied decisions only, per
/// UTC day, zero days included, the top entries by hits, a bounded range, and View required.
/// </summary>
public abstract class StatsServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : StatsServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : StatsServiceTests(DatabaseProvider.Postgres);

    private static readonly DateOnly Today = DateOnly.FromDateTime(FixedClock.Default.UtcDateTime);

    private readonly FixedClock clock = new();
    private ServiceTestHost host = default!;
    private StatsService stats = default!;
    private RoutingService routing = default!;
    private long lineId;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(clock, provider);
        stats = host.Get<StatsService>();
        routing = host.Get<RoutingService>();
        await host.Get<ExceptionImportService>().ImportAsync(
            "+1 415 555 0100;robocaller\n+1 415 555 0101;second\nspam@example.com;spammer\n@junk.example;junk domain",
            EntrySource.Settings, host.Supervisor);
        lineId = (await host.Get<CrmSettingsService>().SaveLineAsync(null, new TelephonyLineInput("+12125550000", "Main", null, null),
            EntrySource.Settings, host.Administrator)).Id;
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task Call(string number, bool dryRun = false) =>
        routing.RouteCallAsync(new CallRequest(lineId, CallDirection.Incoming, number, DryRun: dryRun), host.Supervisor);

    private Task Email(string from, bool dryRun = false) => routing.RouteEmailAsync(new EmailRequest(from, DryRun: dryRun), host.Supervisor);

    [Fact]
    public async Task Only_applied_blocked_decisions_count_not_dry_runs_nor_calls_that_were_let_through()
    {
        await Call("+14155550100");
        await Call("+14155550100", dryRun: true);
        await Email("spam@example.com", dryRun: true);
        await Email("someone@fine.example");
        await Call("+14155550199");

        var result = await stats.BlockedAsync(null, null, host.Viewer);

        var today = Assert.Single(result.Days, d => d.Day == Today);
        Assert.Equal((1, 0), (today.Calls, today.Emails));
        Assert.Equal(1, result.Days.Sum(d => d.Calls + d.Emails));
        var top = Assert.Single(result.Top);
        Assert.Equal((EntryType.Phone, "+14155550100", 1), (top.Type, top.Value, top.Hits));
    }

    [Fact]
    public async Task Days_are_utc_days_every_day_of_the_range_is_listed_and_an_event_at_midnight_belongs_to_the_new_day()
    {
        clock.Now = new DateTimeOffset(2026, 11, 20, 23, 59, 59, TimeSpan.Zero);
        await Call("+14155550100");
        // 00:30 in UTC+01:00 is still 23:30 of the 20th in UTC: the bucket is the UTC day.
        clock.Now = new DateTimeOffset(2026, 11, 21, 0, 30, 0, TimeSpan.FromHours(1));
        await Email("spam@example.com");
        clock.Now = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        await Email("anyone@junk.example");
        await Email("spam@example.com");
        await Call("+14155550101");

        var result = await stats.BlockedAsync(new DateOnly(2026, 11, 19), new DateOnly(2026, 11, 22), host.Viewer);

        Assert.Equal(
            [(new DateOnly(2026, 11, 19), 0, 0), (new DateOnly(2026, 11, 20), 1, 1), (new DateOnly(2026, 11, 21), 1, 2), (new DateOnly(2026, 11, 22), 0, 0)],
            result.Days.Select(d => (d.Day, d.Calls, d.Emails)));
        var lastDay = await stats.BlockedAsync(new DateOnly(2026, 11, 21), new DateOnly(2026, 11, 21), host.Viewer);
        Assert.Equal((1, 2), (lastDay.Days.Single().Calls, lastDay.Days.Single().Emails));
        // One hit each: the older entry first (imported in this order: 0101, spam@, @junk), whatever the values' order.
        Assert.Equal([("+14155550101", EntryType.Phone), ("spam@example.com", EntryType.Email), ("@junk.example", EntryType.EmailDomain)],
            lastDay.Top.Select(t => (t.Value, t.Type)));
    }

    [Fact]
    public async Task The_default_range_is_the_last_30_utc_days_up_to_today()
    {
        var result = await stats.BlockedAsync(null, null, host.Viewer);

        Assert.Equal(30, result.Days.Count);
        Assert.Equal((Today.AddDays(-29), Today), (result.From, result.To));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => Today.AddDays(i - 29)), result.Days.Select(d => d.Day));
        Assert.All(result.Days, d => Assert.Equal((0, 0), (d.Calls, d.Emails)));
        Assert.Empty(result.Top);
    }

    [Fact]
    public async Task The_top_lists_ten_entries_by_hits_then_the_older_entry_and_leaves_out_events_outside_the_range()
    {
        var numbers = Enumerable.Range(10, 12).Select(i => $"+1 415 555 02{i}").ToList();
        await host.Get<ExceptionImportService>().ImportAsync(string.Join("\n", numbers), EntrySource.Settings, host.Supervisor);
        clock.Now = FixedClock.Default.AddDays(-40);
        for (var i = 0; i < 5; i++)
        {
            await Call("+14155550221");
        }

        clock.Now = FixedClock.Default;
        // Entry 0210 gets 12 hits, 0211 gets 11, … 0221 gets 1.
        for (var i = 0; i < numbers.Count; i++)
        {
            for (var hit = 0; hit < numbers.Count - i; hit++)
            {
                await Call(numbers[i]);
            }
        }

        await Email("spam@example.com");
        await Email("spam@example.com");

        var result = await stats.BlockedAsync(null, null, host.Viewer);

        Assert.Equal(StatsService.TopCount, result.Top.Count);
        Assert.Equal([12, 11, 10, 9, 8, 7, 6, 5, 4, 3], result.Top.Select(t => t.Hits));
        Assert.Equal("+14155550210", result.Top[0].Value);
        Assert.Equal(["+14155550218", "+14155550219"], result.Top.Skip(8).Select(t => t.Value));
        Assert.DoesNotContain(result.Top, t => t.Value == "spam@example.com");
        Assert.Equal((78, 2), (result.Days.Single(d => d.Day == Today).Calls, result.Days.Single(d => d.Day == Today).Emails));
    }

    [Fact]
    public async Task A_removed_entry_still_counts_with_the_value_it_had()
    {
        await Email("spam@example.com");
        var entry = (await host.Get<ExceptionListService>().ListAsync(new ExceptionListQuery(new ExceptionFilter(null, "spam@example.com", null)), host.Supervisor)).Items.Single();
        await host.Get<ExceptionListService>().RemoveAsync([entry.Id], EntrySource.Settings, host.Supervisor);

        var result = await stats.BlockedAsync(null, null, host.Viewer);

        Assert.Equal((entry.Id, "spam@example.com", 1), (result.Top.Single().EntryId, result.Top.Single().Value, result.Top.Single().Hits));
    }

    [Theory]
    [InlineData("2026-11-10", "2026-11-09", "after")]
    [InlineData("2025-11-01", "2026-11-02", "at most 366")]
    public async Task A_range_backwards_or_longer_than_366_days_is_refused(string from, string to, string message)
    {
        var refused = await Assert.ThrowsAsync<StatsRequestException>(() => stats.BlockedAsync(DateOnly.Parse(from), DateOnly.Parse(to), host.Viewer));

        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public async Task A_range_of_exactly_366_days_is_answered_with_every_day() =>
        Assert.Equal(366, (await stats.BlockedAsync(new DateOnly(2025, 11, 1), new DateOnly(2026, 11, 1), host.Viewer)).Days.Count);

    [Theory]
    [InlineData("30.11.2026")]
    [InlineData("2026-02-30")]
    [InlineData("yesterday")]
    public void A_day_not_in_yyyy_MM_dd_is_refused_with_the_format_to_use(string text) =>
        Assert.Contains("yyyy-MM-dd", Assert.Throws<StatsRequestException>(() => StatsService.ParseDay(text, "from")).Message);

    [Fact]
    public async Task The_statistics_need_view_on_the_exception_list()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => stats.BlockedAsync(null, null, host.Intern));
        await Assert.ThrowsAsync<AccessDeniedException>(() => stats.DashboardAsync(host.Intern));
        await Assert.ThrowsAsync<AccessDeniedException>(() => stats.BlockedAsync(null, null, ServiceTestHost.Anonymous));
    }

    [Fact]
    public async Task The_dashboard_counts_entries_by_type_and_lists_the_last_imports_newest_first()
    {
        clock.Now = FixedClock.Default.AddHours(1);
        await host.Get<ExceptionImportService>().ImportAsync("+1 415 555 0300\nnot a number", EntrySource.Api, host.Administrator);

        var summary = await stats.DashboardAsync(host.Viewer);

        Assert.Equal([(EntryType.Phone, 3), (EntryType.Email, 1), (EntryType.EmailDomain, 1), (EntryType.EmailDomainTree, 0), (EntryType.PhonePrefix, 0)],
            summary.EntriesByType.Select(c => (c.Type, c.Count)));
        Assert.Equal([("admin@test.local", EntrySource.Api), ("supervisor@test.local", EntrySource.Settings)], summary.LastImports.Select(i => (i.By, i.Source)));
        Assert.Equal("2 lines: 1 added, 0 already listed, 0 duplicate in input, 1 invalid", summary.LastImports[0].Summary);
        Assert.Equal(30, summary.Blocked.Days.Count);
    }
}
