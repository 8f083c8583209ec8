using CrmAdmin.Data;
using CrmAdmin.Data.Configurations;
using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// PostgreSQL serves X5's substring filters from pg_trgm GIN indexes on the search table that trails
/// the entries (PostgresExceptionSearch); they answer LIKE but not strpos(), so the candidates are read
/// with LIKE, and the planner must use the indexes for them.
/// </summary>
public sealed class PostgresTextSearchTests : IAsyncLifetime
{
    private TestDatabase database = default!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task The_comment_and_value_filters_are_LIKEs_the_search_tables_trigram_indexes_answer()
    {
        await using var db = database.CreateDbContext();
        var text = "spam";
        var query = db.ExceptionEntries.Where(e => EF.Property<string>(e, ExceptionEntryConfiguration.CommentFolded).Contains(text) || e.Value.Contains(text));

        var sql = query.ToQueryString();
        Assert.Contains("LIKE", sql);
        Assert.DoesNotContain("strpos", sql, StringComparison.OrdinalIgnoreCase);

        // With sequential scans priced out, the planner answers such a LIKE from the trigram indexes. (Plain index
        // scans too: on an empty table it would read the whole btree over comment, type and id instead, the
        // index behind the distinct comments, which cannot look a substring up.)
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off");
        foreach (var column in new[] { ExceptionEntryConfiguration.CommentFolded, nameof(ExceptionEntry.Value) })
        {
            var explain = $"""EXPLAIN SELECT "EntryId" FROM "ExceptionSearch" WHERE "{column}" LIKE '%spam%'""";
            var plan = string.Join("\n", await db.Database.SqlQueryRaw<string>(explain).ToListAsync());
            Assert.Contains($"IX_ExceptionSearch_{column}_Trigram", plan);
        }
    }
}
