using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

public abstract class ExceptionListServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ExceptionListServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ExceptionListServiceTests(DatabaseProvider.Postgres);

    internal const string Seed = """
        +1 415 555 0100;Spam robot
        +1 415 555 0199;Competitor
        +44 20 7946 0958;London SPAM office
        sales@example.com;supplier
        billing@spam-example.net;Спам рассылка
        @newsletters.example.org;all newsletters
        """;

    private ServiceTestHost host = default!;
    private TestDatabase database = default!;
    private ExceptionImportService importer = default!;
    private ExceptionListService service = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        database = host.Database;
        importer = host.Get<ExceptionImportService>();
        service = host.Get<ExceptionListService>();
        await importer.ImportAsync(Seed, EntrySource.Settings, host.Supervisor);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private async Task<string[]> ValuesAsync(ExceptionFilter filter) =>
        (await service.ListAsync(new ExceptionListQuery(filter, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer))
        .Items.Select(r => r.Value).ToArray();

    [Fact]
    public async Task X5_comment_filter_is_a_case_insensitive_substring_in_any_alphabet()
    {
        Assert.Equal(["+14155550100", "+442079460958"], await ValuesAsync(new ExceptionFilter(Comment: "spam")));
        Assert.Equal(["billing@spam-example.net"], await ValuesAsync(new ExceptionFilter(Comment: "СПАМ")));
    }

    [Theory]
    [InlineData("415 555", new[] { "+14155550100", "+14155550199" })]
    [InlineData("(415) 555-0199", new[] { "+14155550199" })]
    [InlineData("7946", new[] { "+442079460958" })]
    [InlineData("EXAMPLE.com", new[] { "sales@example.com" })]
    [InlineData("example", new[] { "@newsletters.example.org", "billing@spam-example.net", "sales@example.com" })]
    public async Task X5_value_filter_matches_phone_digits_and_email_text(string query, string[] expected) =>
        Assert.Equal(expected, await ValuesAsync(new ExceptionFilter(Value: query)));

    [Fact]
    public async Task X5_type_filter_and_combined_filters_are_ANDed()
    {
        Assert.Equal(["@newsletters.example.org"], await ValuesAsync(new ExceptionFilter(Type: EntryType.EmailDomain)));
        Assert.Equal(["+14155550100"], await ValuesAsync(new ExceptionFilter(Comment: "spam", Value: "415", Type: EntryType.Phone)));
        Assert.Empty(await ValuesAsync(new ExceptionFilter(Comment: "spam", Type: EntryType.Email)));
    }

    [Fact]
    public async Task X5_paging_and_sorting_happen_in_the_database_with_a_total()
    {
        var page = await service.ListAsync(new ExceptionListQuery(ExceptionFilter.None, Skip: 2, Take: 2, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer);

        Assert.Equal(6, page.Total);
        Assert.Equal(["+442079460958", "@newsletters.example.org"], page.Items.Select(r => r.Value));
    }

    [Theory]
    [InlineData(ExceptionSortColumn.HitCount, true)]
    [InlineData(ExceptionSortColumn.HitCount, false)]
    [InlineData(ExceptionSortColumn.LastHitAt, true)]
    [InlineData(ExceptionSortColumn.LastHitAt, false)]
    public async Task X5_hit_sorts_put_the_never_hit_last_descending_and_first_ascending_on_every_page(ExceptionSortColumn column, bool descending)
    {
        // Three of the six were hit, two of them as often, each last at its own instant.
        var hits = new Dictionary<string, (int Count, DateTime At)>
        {
            ["+14155550100"] = (5, new DateTime(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc)),
            ["sales@example.com"] = (5, new DateTime(2026, 11, 22, 9, 0, 0, DateTimeKind.Utc)),
            ["@newsletters.example.org"] = (1, new DateTime(2026, 11, 21, 9, 0, 0, DateTimeKind.Utc)),
        };
        await using var db = database.CreateDbContext();
        foreach (var (value, (count, at)) in hits)
        {
            await db.ExceptionEntries.Where(e => e.Value == value)
                .ExecuteUpdateAsync(set => set.SetProperty(e => e.HitCount, count).SetProperty(e => e.LastHitAt, at));
        }

        // Never hit is the least: no hits, no last hit.
        var entries = (await db.ExceptionEntries.Select(e => new { e.Id, e.Value, e.HitCount, e.LastHitAt }).ToListAsync())
            .Select(e => (e.Id, e.Value, Key: column == ExceptionSortColumn.HitCount ? e.HitCount : (e.LastHitAt ?? DateTime.MinValue).Ticks)).ToList();
        var expected = (descending
                ? entries.OrderByDescending(e => e.Key).ThenByDescending(e => e.Id)
                : entries.OrderBy(e => e.Key).ThenBy(e => e.Id))
            .Select(e => e.Value).ToArray();

        for (var take = 1; take <= entries.Count; take++)
        {
            for (var skip = 0; skip <= entries.Count; skip += take)
            {
                var page = await service.ListAsync(new ExceptionListQuery(ExceptionFilter.None, Skip: skip, Take: take, SortBy: column, Descending: descending), host.Viewer);
                Assert.Equal(expected.Skip(skip).Take(take), page.Items.Select(r => r.Value));
            }
        }
    }

    [Fact]
    public async Task X5_past_the_count_limit_the_total_is_a_labelled_lower_bound_and_pages_stay_in_order()
    {
        var many = ExceptionListService.CountLimit + 5;
        await importer.ImportAsync(string.Join('\n', Enumerable.Range(0, many).Select(n => $"bulk{n:00000}@example.net;bulk {n % 2}")), EntrySource.Settings, host.Supervisor);

        var all = await service.ListAsync(new ExceptionListQuery(ExceptionFilter.None, Take: 3, SortBy: ExceptionSortColumn.Value, Descending: true), host.Viewer);
        var broad = await service.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: "bulk"), Skip: 10_001, Take: 3, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer);
        var half = await service.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: "bulk 1"), Take: 2, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer);

        Assert.Equal((ExceptionListService.CountLimit, true), (all.Total, all.TotalIsLowerBound));
        Assert.Equal(["sales@example.com", "bulk10004@example.net", "bulk10003@example.net"], all.Items.Select(r => r.Value));
        // Paging goes on past the limit: the rows are there, only the count stopped.
        Assert.Equal((ExceptionListService.CountLimit, true), (broad.Total, broad.TotalIsLowerBound));
        Assert.Equal(["bulk10001@example.net", "bulk10002@example.net", "bulk10003@example.net"], broad.Items.Select(r => r.Value));
        // Under the limit the count is exact, and the page is sorted from exactly the matches.
        Assert.Equal((many / 2, false), (half.Total, half.TotalIsLowerBound));
        Assert.Equal(["bulk00001@example.net", "bulk00003@example.net"], half.Items.Select(r => r.Value));
    }

    [Fact]
    public async Task X6_remove_deletes_the_entries_and_audits_each_one()
    {
        var ids = (await service.ListAsync(new ExceptionListQuery(new ExceptionFilter(Value: "415")), host.Viewer)).Items.Select(r => r.Id).ToList();

        var removed = await service.RemoveAsync([.. ids, 999_999], EntrySource.Settings, host.Supervisor);

        Assert.Equal(2, removed);
        Assert.Empty(await ValuesAsync(new ExceptionFilter(Value: "415")));
        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionRemoved).OrderBy(a => a.Value).ToListAsync();
        Assert.Equal(["+14155550100", "+14155550199"], audit.Select(a => a.Value));
        Assert.All(audit, a => Assert.Equal(("supervisor@test.local", EntrySource.Settings), (a.Actor, a.Source)));
    }

    [Fact]
    public async Task I6_export_then_import_into_an_empty_list_gives_the_same_entries()
    {
        await importer.ImportAsync("+1 212 555 0123;=HYPERLINK(\"http://evil\",\"click\")\n@evil.example.com;+1 formula, \"quoted\"\nx@example.com;'apostrophe", EntrySource.Settings, host.Supervisor);
        var csv = new StringWriter();
        await ExceptionCsv.WriteExportAsync(service.StreamAsync(ExceptionFilter.None, host.Viewer), csv);

        await using var other = await ServiceTestHost.CreateAsync(provider: provider);
        var report = await other.Get<ExceptionImportService>().ImportAsync(csv.ToString(), EntrySource.Settings, other.Supervisor);

        Assert.Equal(0, report.Invalid);
        Assert.Equal(await EntriesAsync(database), await EntriesAsync(other.Database));
        Assert.Equal(9, report.Added);
    }

    [Fact]
    public async Task I6_no_exported_cell_starts_like_a_formula()
    {
        await importer.ImportAsync("+1 212 555 0123;=1+2\nx@example.com;@SUM(A1)\ny@example.com;-cmd|' /C calc'!A0", EntrySource.Settings, host.Supervisor);
        var csv = new StringWriter();
        await ExceptionCsv.WriteExportAsync(service.StreamAsync(ExceptionFilter.None, host.Viewer), csv);

        var cells = csv.ToString().Split(["\r\n"], StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .SelectMany(line => line.Split(',')).Select(c => c.TrimStart('"'));
        Assert.DoesNotContain(cells, c => c.Length > 0 && "=+-@\t\r".Contains(c[0]));
    }

    [Fact]
    public async Task P3_a_viewer_may_list_but_not_remove_and_no_access_means_no_list()
    {
        var ids = (await service.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Viewer)).Items.Select(r => r.Id).ToList();

        await Assert.ThrowsAsync<AccessDeniedException>(() => service.RemoveAsync(ids, EntrySource.Settings, host.Viewer));
        await Assert.ThrowsAsync<AccessDeniedException>(() => service.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Intern));
        await Assert.ThrowsAsync<AccessDeniedException>(async () =>
        {
            await foreach (var _ in service.StreamAsync(ExceptionFilter.None, ServiceTestHost.Anonymous))
            {
            }
        });

        Assert.Equal(6, (await service.ListAsync(new ExceptionListQuery(ExceptionFilter.None), host.Supervisor)).Total);
    }

    private static async Task<List<(EntryType, string, string?)>> EntriesAsync(TestDatabase db)
    {
        await using var context = db.CreateDbContext();
        return (await context.ExceptionEntries.OrderBy(e => e.Value).Select(e => new { e.Type, e.Value, e.Comment }).ToListAsync())
            .Select(e => (e.Type, e.Value, e.Comment)).ToList();
    }
}
