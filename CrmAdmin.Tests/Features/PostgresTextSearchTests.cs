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
        // scans too, and, in this transaction only, the btree over comment, type and id, the index behind the distinct
        // comments: on a small table the planner would read it whole for a type, as it never would at scale.)
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlRawAsync("""DROP INDEX "IX_ExceptionSearch_CommentFolded_Type_EntryId";""");
        await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off");
        // A value text of one or two characters, of other types than phones, from the index of their short texts (migration
        // ShortValueTexts), written as PostgresExceptionSearch writes it. Then that index goes too: it holds the type, and
        // on a small table the planner would read it for a type alone.
        const string shortText = """
            "Type" NOT IN ('Phone', 'PhonePrefix') AND ("Value" LIKE '%qz%' AND crm_short_texts("Value") @> ARRAY['qz']::text[])
            """;
        var shortPlan = string.Join("\n", await db.Database.SqlQueryRaw<string>($"""EXPLAIN SELECT "EntryId" FROM "ExceptionSearch" WHERE {shortText}""").ToListAsync());
        Assert.True(shortPlan.Contains("IX_ExceptionSearch_Value_Short_Others"), shortPlan);
        await db.Database.ExecuteSqlRawAsync("""DROP INDEX "IX_ExceptionSearch_Value_Short_Others";""");
        // A phone arm's digits of four or more, from the index of the phones' digit windows (migration PhoneDigitWindows), written as
        // PostgresExceptionSearch writes them: its LIKE is on an expression no index holds, so no trigram list is read beside it.
        const string windows = """
            "Type" IN ('Phone', 'PhonePrefix') AND (("Value" || '') LIKE '%2000000%' AND crm_digit_windows("Value") @> ARRAY['200000', '000000']::text[])
            """;
        var windowsPlan = string.Join("\n", await db.Database.SqlQueryRaw<string>($"""EXPLAIN SELECT "EntryId" FROM "ExceptionSearch" WHERE {windows}""").ToListAsync());
        Assert.True(windowsPlan.Contains("IX_ExceptionSearch_Value_DigitWindows") && !windowsPlan.Contains("Trigram"), windowsPlan);
        await db.Database.ExecuteSqlRawAsync("""DROP INDEX "IX_ExceptionSearch_Value_DigitWindows";""");
        // A value arm names its class of types as the partial index on its values does (migration SearchValuesByType).
        var lookups = new (string Condition, string Index)[]
        {
            ("\"CommentFolded\" LIKE '%spam%'", "IX_ExceptionSearch_CommentFolded_Trigram"),
            ("\"Type\" IN ('Phone', 'PhonePrefix') AND \"Value\" LIKE '%4155551234%'", "IX_ExceptionSearch_Value_Trigram_Phones"),
            ("\"Type\" NOT IN ('Phone', 'PhonePrefix') AND \"Value\" LIKE '%spam%'", "IX_ExceptionSearch_Value_Trigram_Others"),
            ("\"Type\" NOT IN ('Phone', 'PhonePrefix') AND \"Type\" = 'Email' AND \"Value\" LIKE '%12000%'", "IX_ExceptionSearch_Value_Trigram_Others"),
        };
        foreach (var (condition, index) in lookups)
        {
            var explain = $"""EXPLAIN SELECT "EntryId" FROM "ExceptionSearch" WHERE {condition}""";
            var plan = string.Join("\n", await db.Database.SqlQueryRaw<string>(explain).ToListAsync());
            Assert.True(plan.Contains(index), $"{condition}:\n{plan}");
        }
    }
}
