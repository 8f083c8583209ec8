using CrmAdmin.Data.Sqlite;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The trigram index behind the comment and value filters (X5) may only make them faster: whatever
/// part of the list it covers, after adds and removes, the rows are those of a plain scan.
/// SQLite's FTS5 index only: PostgreSQL's pg_trgm indexes serve the filter's own LIKE and need no
/// such checks (the list tests run the same filters on both providers).
/// </summary>
public sealed class ExceptionSearchTests : IAsyncLifetime
{
    // The list tests' entries, plus one whose comment holds GLOB's own wildcards.
    private const string Seed = ExceptionListServiceTests.Seed + "\n+1 212 555 0123;50% off [promo]*?";

    public static readonly TheoryData<ExceptionFilter> Filters = new()
    {
        new ExceptionFilter(Comment: "spam"),
        new ExceptionFilter(Comment: "СПАМ"),
        new ExceptionFilter(Comment: "[promo]*?"),
        new ExceptionFilter(Comment: "% off"),
        new ExceptionFilter(Comment: "sp"),
        new ExceptionFilter(Comment: "no such text"),
        new ExceptionFilter(Value: "415 555"),
        new ExceptionFilter(Value: "(415) 555-0199"),
        new ExceptionFilter(Value: "EXAMPLE.com"),
        new ExceptionFilter(Value: "example"),
        new ExceptionFilter(Value: "555"),
        new ExceptionFilter(Comment: "spam", Value: "415", Type: EntryType.Phone),
    };

    private ServiceTestHost host = default!;
    private ExceptionImportService importer = default!;
    private ExceptionListService list = default!;
    private ExceptionSearchIndexer indexer = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync();
        importer = host.Get<ExceptionImportService>();
        list = host.Get<ExceptionListService>();
        indexer = host.Get<ExceptionSearchIndexer>();
        await importer.ImportAsync(Seed, EntrySource.Settings, host.Supervisor);
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task X5_a_filter_finds_the_same_rows_before_and_after_the_entries_are_indexed(ExceptionFilter filter)
    {
        var scanned = await ValuesAsync(filter);

        await IndexEverythingAsync();

        Assert.Equal(scanned, await ValuesAsync(filter));
    }

    [Fact]
    public async Task The_index_narrows_a_text_filter_to_the_matching_rows_once_built()
    {
        await IndexEverythingAsync();

        await using var db = host.Database.CreateDbContext();
        var candidates = await SqliteExceptionSearch.CandidatesAsync(db, new ExceptionFilter(Comment: "spam"), default);
        var expected = await db.ExceptionEntries.Where(e => e.Comment == "Spam robot" || e.Comment == "London SPAM office").Select(e => e.Id).ToListAsync();
        Assert.Equal(expected.Order(), candidates!.Order());
        Assert.Null(await SqliteExceptionSearch.CandidatesAsync(db, new ExceptionFilter(Comment: "sp"), default));
    }

    [Fact]
    public async Task X5_rows_added_after_indexing_and_rows_removed_are_both_answered_exactly()
    {
        await IndexEverythingAsync();
        await importer.ImportAsync("+1 415 555 0142;spam again\nspam@late.example;late spam", EntrySource.Api, host.Supervisor);
        var robot = (await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: "robot")), host.Viewer)).Items.Single();
        await list.RemoveAsync([robot.Id], EntrySource.Settings, host.Supervisor);

        Assert.Equal(["+14155550142", "+442079460958", "spam@late.example"], await ValuesAsync(new ExceptionFilter(Comment: "spam")));
        Assert.Equal(["+14155550142", "+14155550199"], await ValuesAsync(new ExceptionFilter(Value: "415 555")));

        await IndexEverythingAsync();

        Assert.Equal(["+14155550142", "+442079460958", "spam@late.example"], await ValuesAsync(new ExceptionFilter(Comment: "spam")));
        // FTS5 compares the index with the table: a removal the delete trigger missed would fail here.
        await host.Database.ExecuteAsync("""INSERT INTO "ExceptionSearch" ("ExceptionSearch", rank) VALUES ('integrity-check', 1);""");
    }

    [Fact]
    public async Task X5_a_text_common_to_more_rows_than_the_index_pays_for_is_scanned_with_the_same_answer()
    {
        await host.Database.ExecuteAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {SqliteExceptionSearch.MaxCandidates + 5})
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
            SELECT 'Email', 'bulk' || i || '@example.com', 'Bulk list', 'bulk list', 'Api', '2026-11-22 09:30:00', 'test', 0 FROM n;
            """);
        await IndexEverythingAsync();

        await using var db = host.Database.CreateDbContext();
        Assert.Null(await SqliteExceptionSearch.CandidatesAsync(db, new ExceptionFilter(Comment: "bulk"), default));
        var page = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: "bulk")), host.Viewer);
        // More matches than the count goes to: a labelled lower bound, and a full first page.
        Assert.Equal((ExceptionListService.CountLimit, true), (page.Total, page.TotalIsLowerBound));
        Assert.Equal(50, page.Items.Count);
        var narrower = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: "bulk", Value: "bulk1000")), host.Viewer);
        Assert.Equal(["bulk10000@example.com", "bulk10001@example.com", "bulk10002@example.com", "bulk10003@example.com", "bulk10004@example.com",
            "bulk10005@example.com", "bulk1000@example.com"], narrower.Items.Select(r => r.Value).Order(StringComparer.Ordinal));
        Assert.Equal((7, false), (narrower.Total, narrower.TotalIsLowerBound));
    }

    [Theory]
    [InlineData("spam", "*spam*")]
    [InlineData("50% off [promo]*?", "*50% off [[]promo][*][?]*")]
    public void A_glob_pattern_takes_the_persons_wildcards_literally(string text, string pattern) =>
        Assert.Equal(pattern, SqliteExceptionSearch.GlobContaining(text));

    private async Task IndexEverythingAsync()
    {
        while (await indexer.IndexNextBatchAsync() > 0)
        {
        }

        await using var db = host.Database.CreateDbContext();
        var mark = await db.Database.SqlQueryRaw<long>("""SELECT "IndexedUpTo" AS "Value" FROM "ExceptionSearchState" """).SingleAsync();
        Assert.Equal(await db.ExceptionEntries.MaxAsync(e => e.Id), mark);
    }

    private async Task<string[]> ValuesAsync(ExceptionFilter filter) =>
        (await list.ListAsync(new ExceptionListQuery(filter, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer))
        .Items.Select(r => r.Value).ToArray();
}
