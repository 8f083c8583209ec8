using CrmAdmin.Data;
using CrmAdmin.Data.Postgres;
using CrmAdmin.Data.Sqlite;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The trigram index behind the comment and value filters (X5) may only make them faster: whatever
/// part of the list it covers, after adds, changes and removes, the rows are those of a plain scan.
/// Each provider's index trails the entries (SQLite: FTS5 above a mark; PostgreSQL: pg_trgm table and
/// a backlog of id ranges), so each is checked before and after its indexer has run.
/// </summary>
[LongRunning]
public abstract class ExceptionSearchTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ExceptionSearchTests(DatabaseProvider.Sqlite)
    {
        [Fact]
        public async Task The_newest_matches_of_a_comment_with_a_phones_digits_are_read_by_the_digits_windows_not_by_trigrams_every_phone_holds()
        {
            // 200 old phones hold "20000" with the comment; 300 newer ones hold its trigrams ("200", "000") and the comment but not the
            // digits: FTS5's newest candidates were those look-alikes, none a match, and the page fell back to a scan at a million entries.
            await AddNumberedAsync(200, "Phone", "'+4420000' || (1000 + i)", "'Partner old ' || (i % 3)");
            await AddNumberedAsync(300, "Phone", "'+12005000' || (100 + i)", "'Partner new ' || (i % 3)");
            var filter = new ExceptionFilter(Comment: "partner", Value: "20000");
            var search = host.Get<IExceptionTextSearch>();
            var expected = (await ScanAsync(filter)).Reverse().Take(10).ToArray();
            Assert.Equal(10, expected.Length);
            foreach (var indexed in new[] { false, true })
            {
                if (indexed)
                {
                    await IndexEverythingAsync();
                }

                await using var db = host.Database.CreateDbContext();
                Assert.Equal(expected, await search.NewestCandidatesAsync(db, filter, 10, default));
            }
        }

        [Fact]
        public async Task Past_the_pairs_a_GLOB_can_read_quickly_a_comment_is_looked_up_through_FTS5_with_the_same_answer()
        {
            await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
            await IndexEverythingAsync();
            var bulk = new ExceptionListQuery(new ExceptionFilter(Comment: "bulk"));
            var byPairs = await list.ListAsync(bulk, host.Viewer);
            // More pairs than SqliteExceptionSearch.ScannedPairsLimit, as if most entries had a comment of their own.
            await host.Database.ExecuteAsync($"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i <= {SqliteExceptionSearch.ScannedPairsLimit})
                INSERT INTO "ExceptionSearchComments" ("CommentFolded", "Type") SELECT 'unused ' || i, 'Email' FROM n;
                """);
            await using var db = host.Database.CreateDbContext();

            // FTS5 names the newest candidates (the pairs name none), and the page and total are the same.
            Assert.NotEmpty((await CandidatesAsync(db, bulk.Filter))!.Ids);
            Assert.Equivalent(byPairs, await list.ListAsync(bulk, host.Viewer));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(120)]
        public async Task A_short_value_text_held_by_more_entries_than_the_candidates_gives_its_newest_matches_exactly(int skip)
        {
            // 10,005 emails hold "@e", a few domains too; a search that never leaves a common short text to the scan (at a
            // million entries such a text is rare) gives the newest 10,001 emails, exact, and so the newest pages and a lower bound.
            await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
            await AddNumberedAsync(3, "EmailDomain", "'@every' || i || '.example'", "'Every'");
            await IndexEverythingAsync();
            var search = new SqliteExceptionSearch { ScansCommonShortTexts = false };
            var filter = new ExceptionFilter(Value: "@e", Type: EntryType.Email);
            await using var db = host.Database.CreateDbContext();
            var newest = await NewestEmailsHoldingAsync(db, "@e", TextSearchTerms.MaxCandidates + 1);

            var candidates = (await search.CandidatesAsync(db, filter, default))!;
            Assert.Equal((false, true), (candidates.IsComplete, candidates.IsExact));
            Assert.Equal(newest, candidates.Ids);

            var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter, skip), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(await ScannedPageAsync(filter, skip), page.Items.Select(r => r.Id).ToArray());
        }

        [Fact]
        public async Task A_value_whose_trigrams_more_entries_hold_than_the_candidates_is_answered_from_them_read_by_key()
        {
            // Numbered phones share their trigrams: 10,005 hold every trigram of "12000001" (120, 200, 000, 001) but not the text;
            // 3 hold it. FTS5 keeps no positions, so all 10,008 are candidates; read by key and tested, they give the 3, complete.
            await AddNumberedAsync(TextSearchTerms.MaxCandidates + 5, "Phone", "'+1200900001' || (10000 + i)", "'Numbered'");
            await AddNumberedAsync(3, "Phone", "'+4412000001' || i", "'Numbered'");
            await IndexEverythingAsync();
            var filter = new ExceptionFilter(Value: "12000001");
            await using var db = host.Database.CreateDbContext();
            var holding = await db.ExceptionEntries.Where(e => e.Value.Contains("12000001")).OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();

            var candidates = (await CandidatesAsync(db, filter))!;
            Assert.Equal((true, true), (candidates.IsComplete, candidates.IsExact));
            Assert.Equal(holding, candidates.Ids.OrderDescending());
            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((3, false), (page.Total, page.TotalIsLowerBound));

            // Read no further than 5,000 of them, they tell nothing: the answer is the scan's, the same.
            // (The trigram path: the phones' digit windows would answer first, complete.)
            var fewer = new SqliteExceptionSearch { VerifiedCandidates = 5_000, LooksUpDigitWindows = false };
            Assert.False((await fewer.CandidatesAsync(db, filter, default))!.IsComplete);
            Assert.Equal(await ScannedPageAsync(filter, 0), (await ListWith(fewer).ListAsync(new ExceptionListQuery(filter), host.Viewer)).Items.Select(r => r.Id).ToArray());

            // Held by more than the candidates' limit: the newest 10,001 of them, exactly, and so a lower bound without a count.
            var broad = new ExceptionFilter(Value: "1200900001");
            var newest = await db.ExceptionEntries.Where(e => e.Value.Contains("1200900001")).OrderByDescending(e => e.Id).Select(e => e.Id)
                .Take(TextSearchTerms.MaxCandidates + 1).ToListAsync();
            var many = (await CandidatesAsync(db, broad))!;
            Assert.Equal((false, true), (many.IsComplete, many.IsExact));
            Assert.Equal(newest, many.Ids);
        }

        [Fact]
        public async Task A_short_value_text_in_more_contexts_than_an_index_query_lists_is_scanned_with_the_same_answer()
        {
            // "a" followed by 2,001 different characters: more trigrams than one FTS5 query lists, so no index query at all
            // (a cut list would miss matches), and the newest candidates come from a scan.
            await AddNumberedAsync(2_001, "Email", "'a' || char(19968 + i) || '@cjk.example'", "'Wide'");
            await IndexEverythingAsync();
            var search = new SqliteExceptionSearch { ScansCommonShortTexts = false };
            var filter = new ExceptionFilter(Value: "a", Type: EntryType.Email);
            await using var db = host.Database.CreateDbContext();
            var newest = await NewestEmailsHoldingAsync(db, "a", 50);

            Assert.Null(await search.CandidatesAsync(db, filter, default));
            Assert.Equal(newest, await search.NewestCandidatesAsync(db, filter, 50, default));
        }

        [Fact]
        public async Task The_digit_windows_the_migration_the_indexer_and_the_triggers_write_are_those_of_PhoneDigitWindows()
        {
            // Values with repeated windows, at the length limits, a short prefix, and emails with digits (no windows).
            foreach (var value in new[] { "+10000000000", "+123456789012345", "+4930700100", "+12125550188", "+442079460911" })
            {
                await AddNumberedAsync(1, "Phone", $"'{value}'", "'Windows'");
            }

            foreach (var value in new[] { "+1900*", "+12000*", "+1900555*", "+44207946*" })
            {
                await AddNumberedAsync(1, "PhonePrefix", $"'{value}'", "'Windows'");
            }

            await AddNumberedAsync(3, "Email", "'x12345' || i || '@digits.example'", "'Windows'");
            await IndexEverythingAsync();
            Assert.True(await DigitWindowRowsAsync() > 50);
            await AssertDigitWindowsMatchEntriesAsync();

            // The migration fills the table for the rows the index has reached: down past it and up again.
            await using (var db = host.Database.CreateDbContext())
            {
                var migrator = Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions.GetService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>(db);
                await migrator.MigrateAsync("20261202064849_AccessVersion");
                await migrator.MigrateAsync();
            }

            await AssertDigitWindowsMatchEntriesAsync();

            // The triggers: an indexed phone's value changed, a phone made a prefix and one an email, an email a phone, a prefix's
            // value changed, a phone removed; and a row above the mark, which has no windows until the indexer reaches it.
            await host.Database.ExecuteAsync("""
                UPDATE "ExceptionEntries" SET "Value" = '+15550001111' WHERE "Value" = '+10000000000';
                UPDATE "ExceptionEntries" SET "Type" = 'PhonePrefix', "Value" = '+1212555018*' WHERE "Value" = '+12125550188';
                UPDATE "ExceptionEntries" SET "Type" = 'Email', "Value" = 'was4930700100@digits.example' WHERE "Value" = '+4930700100';
                UPDATE "ExceptionEntries" SET "Type" = 'Phone', "Value" = '+33123456789' WHERE "Value" = 'x123451@digits.example';
                UPDATE "ExceptionEntries" SET "Value" = '+1900777*' WHERE "Value" = '+1900555*';
                UPDATE "ExceptionEntries" SET "Comment" = 'Windows kept' WHERE "Value" = '+442079460911';
                DELETE FROM "ExceptionEntries" WHERE "Value" = '+123456789012345';
                """);
            await AddNumberedAsync(1, "Phone", "'+19998887777'", "'Above the mark'");
            await AssertDigitWindowsMatchEntriesAsync();
            await IndexEverythingAsync();
            await AssertDigitWindowsMatchEntriesAsync();
        }

        [Fact]
        public async Task A_digit_text_is_looked_up_by_its_windows_with_the_answers_of_a_plain_scan()
        {
            // 12,000 numbered phones sharing most digits (+12001000001 …), a third of them in "Call batch"; 42 prefixes; 300 emails
            // with digits; then, above the index's mark, 20 phones and 3 prefixes.
            await AddNumberedAsync(12_000, "Phone", "'+1200' || (1000000 + i)", "CASE WHEN i % 3 = 0 THEN 'Call batch' ELSE 'Other' END");
            await AddNumberedAsync(40, "PhonePrefix", "'+1200' || (500 + i) || '*'", "'Prefixes'");
            // Prefixes of exactly five digits, which no six-digit window holds.
            await AddNumberedAsync(1, "PhonePrefix", "'+12001*'", "'Prefixes batch'");
            await AddNumberedAsync(1, "PhonePrefix", "'+10005*'", "'Prefixes'");
            await AddNumberedAsync(300, "Email", "'sender' || i || '0000@list.example'", "'Mail batch'");
            await IndexEverythingAsync();
            await AddNumberedAsync(20, "Phone", "'+1999' || (2000000 + i)", "'Late batch'");
            await AddNumberedAsync(3, "PhonePrefix", "'+1200' || (600 + i) || '*'", "'Late'");
            string[] texts =
            [
                "0000", "1000", "2001", "5555", "10005", "01000", "12001", "00010", "20001", "100001", "001000", "200501", "1000001",
                "2001000", "1200501", "12001000001", "12001011999", "987654", "+1 200 1", "19992000", "99920", "0000100", "12000",
            ];
            var plain = new SqliteExceptionSearch { LooksUpDigitWindows = false };
            var fewRows = new SqliteExceptionSearch { WindowRows = 10 };

            async Task AssertAsScannedAsync(bool pastLoweredRows)
            {
                foreach (var text in texts)
                {
                    foreach (var type in new EntryType?[] { null, EntryType.Phone, EntryType.PhonePrefix })
                    {
                        foreach (var comment in new string?[] { null, "batch" })
                        {
                            var filter = new ExceptionFilter(Value: text, Type: type, Comment: comment);
                            var expected = await PlainScanAsync(filter);
                            var byWindows = await PageAsync(list, filter);
                            Assert.True(expected == byWindows, $"{filter}: {byWindows} where a scan gives {expected}");
                            if (pastLoweredRows)
                            {
                                // Past a lowered limit of window rows, the trigram path answers the same.
                                var pastRows = await PageAsync(ListWith(fewRows), filter);
                                Assert.True(expected == pastRows, $"{filter}, past the rows: {pastRows} where a scan gives {expected}");
                            }
                        }
                    }
                }

                // The trigram path agrees on a few (it is the slow one at a million entries).
                foreach (var text in new[] { "0000", "10005", "2001000" })
                {
                    Assert.Equal(await PlainScanAsync(new ExceptionFilter(Value: text)), await PageAsync(ListWith(plain), new ExceptionFilter(Value: text)));
                }
            }

            await AssertAsScannedAsync(pastLoweredRows: true);

            // An indexed phone removed, one's value changed, one made a prefix and one an email, before the indexer runs again.
            await host.Database.ExecuteAsync("""
                DELETE FROM "ExceptionEntries" WHERE "Value" = '+12001000001';
                UPDATE "ExceptionEntries" SET "Value" = '+12001099999' WHERE "Value" = '+12001011999';
                UPDATE "ExceptionEntries" SET "Type" = 'PhonePrefix', "Value" = '+12001000100*' WHERE "Value" = '+12001000100';
                UPDATE "ExceptionEntries" SET "Type" = 'Email', "Value" = 'n12001000010@list.example' WHERE "Value" = '+12001000010';
                """);
            texts = [.. texts, "99999", "1099999", "12001000100", "12001000010"];
            await AssertAsScannedAsync(pastLoweredRows: false);
            await IndexEverythingAsync();
            await AssertAsScannedAsync(pastLoweredRows: false);
            await AssertIndexMatchesEntriesAsync();
        }

        [Fact]
        public async Task A_digit_text_is_looked_up_by_its_windows_complete_and_exact_where_its_trigrams_told_nothing()
        {
            // As above (A_value_whose_trigrams_…): 10,005 phones hold every trigram of "12000001" but not the text, 3 hold it.
            await AddNumberedAsync(TextSearchTerms.MaxCandidates + 5, "Phone", "'+1200900001' || (10000 + i)", "'Numbered'");
            await AddNumberedAsync(3, "Phone", "'+4412000001' || i", "'Numbered'");
            await IndexEverythingAsync();
            await using var db = host.Database.CreateDbContext();
            var holding = await db.ExceptionEntries.Where(e => e.Value.Contains("12000001")).OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
            var filter = new ExceptionFilter(Value: "12000001");

            // Reading no more than 5,000 trigram candidates, the trigram path cannot tell; the windows read none of them, and tell.
            var trigrams = (await new SqliteExceptionSearch { VerifiedCandidates = 5_000, LooksUpDigitWindows = false }.CandidatesAsync(db, filter, default))!;
            var windows = (await new SqliteExceptionSearch { VerifiedCandidates = 5_000 }.CandidatesAsync(db, filter, default))!;
            Assert.Equal((false, false), (trigrams.IsComplete, trigrams.IsExact));
            Assert.Equal((true, true), (windows.IsComplete, windows.IsExact));
            Assert.Equal(holding, windows.Ids.OrderDescending());

            // Of type Phone, "0001" (4 digits) is in every one of them: the newest 10,001, exact, from its one window.
            var common = new ExceptionFilter(Value: "0001", Type: EntryType.Phone);
            var newest = await db.ExceptionEntries.Where(e => e.Type == EntryType.Phone && e.Value.Contains("0001")).OrderByDescending(e => e.Id)
                .Select(e => e.Id).Take(TextSearchTerms.MaxCandidates + 1).ToListAsync();
            var many = (await new SqliteExceptionSearch { VerifiedCandidates = 5_000 }.CandidatesAsync(db, common, default))!;
            Assert.Equal((false, true), (many.IsComplete, many.IsExact));
            Assert.Equal(newest, many.Ids);
        }

        [Fact]
        public async Task FTS5_is_not_asked_for_the_trigrams_most_entries_hold_while_the_text_has_rarer_ones()
        {
            // 600 addresses at one domain hold "exa", "xam", "amp", "mpl" and "ple"; 20 at list8.example hold "lis" too, and three at
            // list7.example "st7", "t7." and "7.e" as well. Of the trigrams the query asks without a sample, "exa", "mpl" and "ple" go.
            await AddAddressesOfCommonTrigramsAsync(600);
            await IndexEverythingAsync();
            var filter = new ExceptionFilter(Value: "list7.example");
            var expected = await PlainScanAsync(filter);
            Assert.Equal(3, expected.Total);
            foreach (var leavesOut in new[] { true, false })
            {
                var asked = new MatchQueries();
                var options = new DbContextOptionsBuilder<CrmDbContext>();
                options.UseCrmDatabase(DatabaseProvider.Sqlite, host.Database.ConnectionString).AddInterceptors(asked);
                var search = new SqliteExceptionSearch { LeavesOutCommonTrigrams = leavesOut };
                var list = new ExceptionListService(new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<CrmDbContext>(options.Options),
                    host.Get<IExceptionEntryWriters>(), search, host.Get<CrmAdmin.Features.Access.CrmAuthorizer>(), TimeProvider.System,
                    Microsoft.Extensions.Logging.Abstractions.NullLogger<ExceptionListService>.Instance);

                Assert.Equal(expected, await PageAsync(list, filter));
                var query = Assert.Single(asked.Queries.Distinct());
                Assert.Equal($"(({(leavesOut ? "\"lis\" AND \"st7\" AND \"t7.\" AND \"7.e\"" : SqliteExceptionSearch.TrigramQuery("list7.example"))}))", query);
            }
        }

        /// <summary>
        /// The FTS5 queries of the main index ("ExceptionSearch" MATCH '…') in the statements SQLite runs on the connections this
        /// interceptor sees opened, as SQLite's own trace gives them (with their parameters written in): the search reads ids on the
        /// context's connection with commands of its own, which EF Core's command interceptors never see.
        /// </summary>
        private sealed class MatchQueries : DbConnectionInterceptor
        {
            private readonly System.Collections.Concurrent.ConcurrentQueue<string> queries = new();

            public IEnumerable<string> Queries => queries;

            public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
            {
                SQLitePCL.raw.sqlite3_trace(((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle, (SQLitePCL.strdelegate_trace)((_, sql) =>
                {
                    foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(sql, "\"ExceptionSearch\" MATCH '((?:[^']|'')*)'"))
                    {
                        queries.Enqueue(match.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal));
                    }
                }), null);
                return Task.CompletedTask;
            }

            public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
            {
                // The connection goes back to the pool: the next user of it is not traced.
                SQLitePCL.raw.sqlite3_trace(((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle, (SQLitePCL.strdelegate_trace?)null, null);
                return result;
            }

            public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
                ValueTask.FromResult(ConnectionClosing(connection, eventData, result));
        }

        /// <summary>The total, whether it is a lower bound, and the newest page's ids of the filter, through <paramref name="service"/>.</summary>
        private async Task<(int Total, bool LowerBound, string Ids)> PageAsync(ExceptionListService service, ExceptionFilter filter)
        {
            var page = await service.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            return (page.Total, page.TotalIsLowerBound, string.Join(",", page.Items.Select(r => r.Id)));
        }

        /// <summary>
        /// What X5 answers for a value (and comment) filter, by a plain query over every entry: a phone or prefix holding the query's digits, any
        /// other entry the text; the count up to the list's limit, and the newest 50.
        /// </summary>
        private async Task<(int Total, bool LowerBound, string Ids)> PlainScanAsync(ExceptionFilter filter)
        {
            await using var db = host.Database.CreateDbContext();
            var (digits, text) = (filter.ValueDigits, filter.FoldedValue!);
            var entries = db.ExceptionEntries.AsQueryable();
            if (filter.Type is { } type)
            {
                entries = entries.Where(e => e.Type == type);
            }

            if (filter.FoldedComment is { } comment)
            {
                entries = entries.Where(e => EF.Property<string>(e, CrmAdmin.Data.Configurations.ExceptionEntryConfiguration.CommentFolded).Contains(comment));
            }

            entries = entries.Where(e => ((e.Type == EntryType.Phone || e.Type == EntryType.PhonePrefix) && digits != null && e.Value.Contains(digits!))
                                         || (e.Type != EntryType.Phone && e.Type != EntryType.PhonePrefix && e.Value.Contains(text)));
            var ids = await entries.OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
            return (Math.Min(ids.Count, ExceptionListService.CountLimit), ids.Count > ExceptionListService.CountLimit, string.Join(",", ids.Take(50)));
        }
    }

    public sealed class OnPostgres() : ExceptionSearchTests(DatabaseProvider.Postgres)
    {
        [Fact]
        public async Task The_indexer_waits_while_an_import_of_its_process_runs_and_then_works_the_backlog_off()
        {
            var running = host.Get<ImportsInProgress>().Begin();
            var indexing = host.Get<PostgresExceptionSearchIndexer>().IndexBacklogAsync();

            await Task.Delay(300);
            Assert.False(indexing.IsCompleted);
            Assert.True(await BacklogRangesAsync() > 0);

            running.Dispose();
            Assert.True(await indexing > 0);
            Assert.Equal(0, await BacklogRangesAsync());
            await AssertIndexMatchesEntriesAsync();
        }

        [Fact]
        public async Task The_indexer_leaves_nothing_in_the_pending_lists_of_the_search_indexes_which_every_lookup_reads_whole()
        {
            await AddBulkListAsync(2_000);
            await AddNumberedAsync(500, "Phone", "'+4420794' || (10000 + i)", "'Pending ' || i");
            var indexes = $"SELECT count(*)::int AS \"Value\" {PostgresExceptionSearchIndexer.SearchGinIndexes}";
            var pendingPages = $"SELECT coalesce(sum(gin_clean_pending_list(i.indexrelid::regclass)), 0)::int AS \"Value\" {PostgresExceptionSearchIndexer.SearchGinIndexes}";

            Assert.True(await host.Get<PostgresExceptionSearchIndexer>().IndexBacklogAsync() > 0);

            await using var db = host.Database.CreateDbContext();
            // Every trigram, short-text and digit-window index of the search rows and the distinct comments.
            Assert.Equal(8, await db.Database.SqlQueryRaw<int>(indexes).SingleAsync());
            Assert.Equal(0, await db.Database.SqlQueryRaw<int>(pendingPages).SingleAsync());
        }

        [Fact]
        public async Task A_short_comment_text_is_looked_up_among_its_distinct_comments_however_many_there_are()
        {
            await AddNumberedAsync(40, "Email", "'rare' || i || '@comments.example'", "'Line XQ ' || i");
            await AddNumberedAsync(30, "Phone", "'+4420794' || (10000 + i)", "'Régie ' || i || ' xq'");
            await AddNumberedAsync(5, "Email", "'old' || i || '@comments.example'", "'Line x q'");
            await IndexEverythingAsync();
            // 60,000 more distinct comments, as if each import line had one of its own (no entry holds them: the pairs are never
            // pruned), counted as autovacuum would: before the index of short comment texts, a short comment past 50,000 of them,
            // by the planner's count, was left to a scan of the entries, which read every one for a rare text's count.
            await host.Database.ExecuteAsync("""
                INSERT INTO "ExceptionSearchComments" ("CommentFolded", "Type") SELECT 'line ' || i || ' of the import', 'Email' FROM generate_series(1, 60000) AS i;
                ANALYZE "ExceptionSearchComments";
                """);
            await using var db = host.Database.CreateDbContext();

            foreach (var (text, type, expected) in new (string, EntryType?, int)[] { ("xq", EntryType.Email, 40), ("é", EntryType.Phone, 30), ("xq", null, 70), ("q", EntryType.EmailDomain, 0) })
            {
                var filter = new ExceptionFilter(Comment: text, Type: type);
                var matching = await db.ExceptionEntries
                    .Where(e => EF.Property<string>(e, CrmAdmin.Data.Configurations.ExceptionEntryConfiguration.CommentFolded).Contains(text) && (type == null || e.Type == type))
                    .OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
                Assert.Equal(expected, matching.Count);

                // Its few pairs name every match: complete and exact, so the total is counted without a scan.
                var candidates = (await CandidatesAsync(db, filter))!;
                Assert.Equal((true, true), (candidates.IsComplete, candidates.IsExact));
                Assert.Equal(matching.Order(), candidates.Ids.Order());
                Assert.Equal(matching.Take(10), await new PostgresExceptionSearch { WalkRows = 0 }.NewestCandidatesAsync(db, filter, 10, default));
                var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
                Assert.Equal((expected, false), (page.Total, page.TotalIsLowerBound));
                Assert.Equal(matching.Take(50), page.Items.Select(r => r.Id));
            }
        }

        [Fact]
        public async Task A_comment_and_a_value_are_sampled_in_one_reading_that_gives_each_part_the_share_its_own_statement_would()
        {
            // The comment, the value and both in different shares (a fifth, about a tenth, a fiftieth), so that a part read from
            // another's column would show.
            await AddNumberedAsync(4_000, "Email", "'s' || i || '@list.example'", "CASE WHEN i % 5 = 0 THEN 'Batch ' || i ELSE 'Other ' || i END");
            await AddNumberedAsync(1_000, "Phone", "'+4420794' || (10000 + i)", "'Phone batch'");
            await IndexAndAnalyzeAsync();
            var samples = new SampleStatements();
            var options = new DbContextOptionsBuilder<CrmDbContext>();
            options.UseCrmDatabase(DatabaseProvider.Postgres, host.Database.ConnectionString).AddInterceptors(samples);
            await using var db = new CrmDbContext(options.Options);

            // A typed value of trigrams, the same without a type (phones' digits too), a short comment with a short value.
            foreach (var filter in new[] { new ExceptionFilter(Comment: "batch", Value: "77", Type: EntryType.Email), new ExceptionFilter(Comment: "batch", Value: "77"), new ExceptionFilter(Comment: "ba", Value: "s1", Type: EntryType.Email) })
            {
                var before = samples.Count;
                var apart = (await PostgresExceptionSearch.SampledSharesAsync(db, filter, together: false))!.Value;
                Assert.Equal(before + 3, samples.Count);
                var together = (await PostgresExceptionSearch.SampledSharesAsync(db, filter, together: true))!.Value;
                Assert.Equal(before + 4, samples.Count);

                Assert.Equal(apart, together);
                Assert.True(apart.Comment > apart.Both && apart.Value > apart.Both && apart.Both > 0 && apart.Comment != apart.Value, $"{filter}: {apart}");
                // A whole answer of the filter reads its sample once, whichever parts it asks of it.
                await CandidatesAsync(db, filter);
                Assert.InRange(samples.Count - before - 4, 0, 1);
            }
        }

        [Fact]
        public async Task A_filter_answered_again_takes_the_sample_of_the_answer_before_until_search_rows_are_added()
        {
            // A comment and a value: every answer of them begins with the sample of both (TABLESAMPLE, 4 ms of 33 at a million entries).
            await AddNumberedAsync(3_000, "Email", "'s' || i || '@list.example'", "CASE WHEN i % 5 = 0 THEN 'Batch ' || i ELSE 'Other ' || i END");
            await IndexAndAnalyzeAsync();
            var filter = new ExceptionFilter(Comment: "batch", Value: "77", Type: EntryType.Email);
            async Task<(int Samples, long[] Ids)> AnswerAsync(PostgresExceptionSearch search)
            {
                using var statements = new StatementsOfDatabase(host.Database.ConnectionString);
                var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter, Take: ExceptionListQuery.MaxTake), host.Viewer);
                Assert.False(page.TotalIsLowerBound);
                Assert.Equal(page.Total, page.Items.Count);
                // Not the trigram counts' reading (show_trgm), which each instance does once and keeps for ten minutes.
                var samples = statements.Texts.Count(t => t.Contains("TABLESAMPLE", StringComparison.Ordinal) && !t.Contains("show_trgm", StringComparison.Ordinal));
                return (samples, page.Items.Select(r => r.Id).Order().ToArray());
            }

            static void Same((int Samples, long[] Ids) expected, (int Samples, long[] Ids) actual) =>
                Assert.Equal((expected.Samples, string.Join(",", expected.Ids)), (actual.Samples, string.Join(",", actual.Ids)));

            var keeping = new PostgresExceptionSearch();
            var first = await AnswerAsync(keeping);
            Assert.Equal(await ScanAsync(filter), first.Ids);
            Assert.True(first.Samples > 0);
            // The next page, or the list shown again: the same answer, its sample not read again.
            Same((0, first.Ids), await AnswerAsync(keeping));
            // Turned off, each answer reads it.
            var reading = new PostgresExceptionSearch { KeepsRecentSamples = false };
            var read = await AnswerAsync(reading);
            Same(first, read);
            Same(read, await AnswerAsync(reading));

            // New entries indexed, some of them matching: the sample is read again, and the answer holds them.
            await AddNumberedAsync(100, "Email", "'n' || i || '77@list.example'", "'New batch ' || i");
            await IndexAndAnalyzeAsync();
            var after = await AnswerAsync(keeping);
            Assert.True(after.Samples > 0);
            Assert.Equal(await ScanAsync(filter), after.Ids);
            Assert.True(after.Ids.Length > first.Ids.Length);
            Same((0, after.Ids), await AnswerAsync(keeping));
        }

        [Fact]
        public async Task A_comment_far_commoner_than_the_value_is_tested_on_the_values_rows_with_the_answer_of_a_plain_scan()
        {
            // "Batch 1" in 11,000 phones and 1,000 emails, more than the candidates' limit, "0000" in a twentieth of those phones and a
            // few of the emails, beside 1,500 other entries holding it: the comment is the commoner text, and too common for its rows
            // to be read for the value (CommentRows lowered), so the two are looked up together. The value's lists are then read and the
            // comment tested on their rows (both ways of the value: the phones' digit windows and the others' trigrams), where the two
            // texts' lists were intersected.
            await AddNumberedAsync(11_000, "Phone", "'+4420' || (CASE WHEN i % 20 = 0 THEN '0000' ELSE '1234' END) || (100000 + i)", "'Batch 1 list ' || (i % 7)");
            await AddNumberedAsync(1_000, "Email", "'s' || i || (CASE WHEN i % 100 = 0 THEN '0000' ELSE '' END) || '@batch.example'", "'Batch 1 mail'");
            await AddNumberedAsync(1_000, "Phone", "'+4421' || (CASE WHEN i % 2 = 0 THEN '0000' ELSE '5678' END) || (100000 + i)", "'Other ' || i");
            await AddNumberedAsync(500, "Email", "'o' || i || '0000@other.example'", "'Other mail'");
            var filter = new ExceptionFilter(Comment: "batch 1", Value: "0000");
            var search = new PostgresExceptionSearch { CommentRows = 1_000 };
            var expected = await ScanAsync(filter);
            Assert.True(expected.Length >= 560, $"{expected.Length} matches");
            foreach (var indexed in new[] { false, true })
            {
                if (indexed)
                {
                    await IndexAndAnalyzeAsync();
                }

                using var statements = new StatementsOfDatabase(host.Database.ConnectionString);
                var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter, Take: ExceptionListQuery.MaxTake), host.Viewer);
                var rest = await ListWith(search).ListAsync(new ExceptionListQuery(filter, Skip: ExceptionListQuery.MaxTake, Take: ExceptionListQuery.MaxTake), host.Viewer);

                Assert.Equal((expected.Length, false), (page.Total, page.TotalIsLowerBound));
                Assert.Equal(expected, page.Items.Concat(rest.Items).Select(r => r.Id).Order().ToArray());
                // Indexed, the candidates come from the value's lists alone, the comment tested on each row ("CommentFolded" || '').
                Assert.True(indexed == statements.Texts.Any(t => t.Contains("""("CommentFolded" || '') LIKE""", StringComparison.Ordinal)),
                    string.Join("\n", statements.Texts.Select(t => t.ReplaceLineEndings(" ")[..Math.Min(t.Length, 300)])));
                Assert.NotEmpty(statements.Texts);
            }
        }

        [Fact]
        public async Task A_value_far_commoner_than_the_comment_is_tested_on_the_comments_rows_for_the_newest_matches()
        {
            // Every entry's value holds "common.example"; "Rare list" is in the oldest 300 of 3,000. Looked up generation by generation
            // (no rows walked first, no distinct comments asked), each generation's value list was read whole to intersect it with the
            // comment's ("12000", in every phone's windows, with "batch 1": 125–132 ms at a million entries); the comment's rows are read
            // instead, the value tested on each.
            await AddNumberedAsync(300, "Email", "'r' || i || '@common.example'", "'Rare list ' || (i % 3)");
            await AddNumberedAsync(2_700, "Email", "'c' || i || '@common.example'", "'Common ' || i");
            await IndexAndAnalyzeAsync();
            var search = new PostgresExceptionSearch { WalkRows = 0, UseDistinctComments = false };
            var filter = new ExceptionFilter(Comment: "rare list", Value: "common.example");
            using var statements = new StatementsOfDatabase(host.Database.ConnectionString);
            await using var db = host.Database.CreateDbContext();

            using (search.BeginAnswer(db, filter))
            {
                Assert.Equal((await ScanAsync(filter)).Reverse().Take(20), await search.NewestCandidatesAsync(db, filter, 20, default));
            }

            var lookups = statements.Texts.Where(t => t.Contains("WITH RECURSIVE probe", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(lookups);
            Assert.All(lookups, t => Assert.Contains("""("Value" || '') LIKE""", t));
        }

        [Fact]
        public async Task A_short_value_too_common_for_its_index_is_tested_on_every_row_of_a_comment_the_sample_finds_few_enough()
        {
            // "Batch" in 5,000 emails, more than twice CommentRows (1,000 here), "99" in a fifth of them and a few others: too common
            // for its index. Read by number, the comment's rows stopped at 2,000 with fewer than the limit matching, which told nothing,
            // and the count then scanned the entries (at a million entries "99" with "batch 1": 4,836 matches, 230–290 ms); the sample
            // estimates 5,000 rows, within eight times CommentRows, so every one is read and tested, which is the exact answer.
            await AddNumberedAsync(5_000, "Email", "(CASE WHEN i % 5 = 0 THEN 'a99x' ELSE 'a' END) || i || '@b.example'", "'Batch ' || (i % 10)");
            await AddNumberedAsync(2_000, "Email", "'o' || i || '@o.example'", "'Other'");
            await IndexAndAnalyzeAsync();
            var search = new PostgresExceptionSearch { CommentRows = 1_000 };
            var filter = new ExceptionFilter(Comment: "batch", Value: "99");
            await using var db = host.Database.CreateDbContext();

            var candidates = (await search.CandidatesAsync(db, filter, default))!;

            Assert.Equal((true, true), (candidates.IsComplete, candidates.IsExact));
            Assert.Equal(await ScanAsync(filter), candidates.Ids.Order().ToArray());
            var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((candidates.Ids.Count, false), (page.Total, page.TotalIsLowerBound));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public async Task The_newest_matches_of_a_comment_with_a_short_value_are_read_with_the_value_tested_on_the_comments_rows(bool walks)
        {
            // "07" is in the oldest 100 of the comment's 300 rows: the comment's newest rows, walked or read by its pairs, held none, and the
            // caller asked for more of them round after round.
            await AddNumberedAsync(100, "Email", "'p07x' || i || '@partner.example'", "'Partner ' || (i % 4)");
            await AddNumberedAsync(200, "Email", "'p' || (1000 + i) || '@partner.example'", "'Partner ' || (i % 4)");
            await IndexEverythingAsync();
            var search = new PostgresExceptionSearch { WalkRows = walks ? PostgresExceptionSearch.NewestWalk : 0 };
            var filter = new ExceptionFilter(Comment: "partner", Value: "07");
            await using var db = host.Database.CreateDbContext();

            Assert.Equal((await ScanAsync(filter)).Reverse().Take(10), await search.NewestCandidatesAsync(db, filter, 10, default));
        }

        [Fact]
        public async Task A_comment_the_sample_shows_far_past_the_limit_with_a_value_of_trigrams_gives_the_exact_answer_without_reading_its_ids()
        {
            // 21,000 rows of the comment, more than twice the candidates' limit by the sample, so its ids are not read first; "zq7" is in
            // one in fifty of them and in a few other entries.
            await AddNumberedAsync(21_000, "Email", "'u' || i || (CASE WHEN i % 50 = 0 THEN 'zq7' ELSE '' END) || '@wide.example'", "'Wide list ' || (i % 5)");
            await AddNumberedAsync(30, "Email", "'zq7' || i || '@other.example'", "'Other'");
            await IndexAndAnalyzeAsync();
            var filter = new ExceptionFilter(Comment: "wide list", Value: "zq7");
            var expected = await ScanAsync(filter);

            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);

            Assert.Equal((420, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(expected.Reverse().Take(50), page.Items.Select(r => r.Id));
        }

        [Fact]
        public async Task A_short_comment_in_too_many_distinct_comments_with_a_short_value_is_tested_on_the_values_rows_exactly()
        {
            // "ix" is in 2,100 distinct comments, too many for its pairs; "q7" is in 11,000 emails of 131,000 entries: rare enough for
            // its index, which finds more than the limit. Each of those rows tested for the comment tells the lower bound exactly; without
            // it, the count scanned the entries ("99" of type Phone with "e": 184–197 ms at a million entries).
            await AddNumberedAsync(120_000, "Email", "'o' || i || '@o.example'", "'Other'");
            await AddNumberedAsync(11_000, "Email", "'q7x' || i || '@mixed.example'", "'Mixed ' || (i % 2100)");
            await IndexAndAnalyzeAsync();
            var filter = new ExceptionFilter(Comment: "ix", Value: "q7", Type: EntryType.Email);
            await using var db = host.Database.CreateDbContext();

            var candidates = (await host.Get<IExceptionTextSearch>().CandidatesAsync(db, filter, default))!;

            Assert.Equal((false, true), (candidates.IsComplete, candidates.IsExact));
            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (page.Total, page.TotalIsLowerBound));
            Assert.Equal((await ScanAsync(filter)).Reverse().Take(50), page.Items.Select(r => r.Id));
        }

        [Fact]
        public async Task One_answer_counts_a_comments_distinct_comments_once_for_its_candidates_and_every_round_of_its_newest_matches()
        {
            // Counting a short text's distinct comments computes each one's short texts ("e" in 8,000 of them: 13–21 ms); a page asked it for
            // its candidates and again for each round of its newest matches.
            await AddNumberedAsync(300, "Email", "'p' || i || '@list.example'", "'Batch ' || (i % 40)");
            await IndexAndAnalyzeAsync();
            var search = new PostgresExceptionSearch { WalkRows = 0 };
            var filter = new ExceptionFilter(Comment: "ba", Value: "7");
            var statements = new SampleStatements();
            var options = new DbContextOptionsBuilder<CrmDbContext>();
            options.UseCrmDatabase(DatabaseProvider.Postgres, host.Database.ConnectionString).AddInterceptors(statements);
            await using var db = new CrmDbContext(options.Options);

            using (search.BeginAnswer(db, filter))
            {
                await search.CandidatesAsync(db, filter, default);
                await search.NewestCandidatesAsync(db, filter, 10, default);
                await search.NewestCandidatesAsync(db, filter, 80, default);
            }

            Assert.Equal(1, statements.PairCounts);
            Assert.Equal((await ScanAsync(filter)).Reverse().Take(10), await search.NewestCandidatesAsync(db, filter, 10, default));
            Assert.Equal(2, statements.PairCounts);
        }

        [Fact]
        public async Task One_answer_of_a_page_reads_the_sample_once_for_its_candidates_and_its_newest_matches()
        {
            // No rows walked first and no distinct comments asked: the newest matches of the comment and the value are looked up by
            // generation, which asks the sample whether to test the comment on the value's rows.
            await AddNumberedAsync(12_000, "Email", "'s' || i || '@list.example'", "'Batch ' || (i % 500)");
            await AddNumberedAsync(6_000, "Email", "'n' || i || '@new.example'", "'Newer'");
            await IndexAndAnalyzeAsync();
            // Nor the samples of recent answers taken (A_filter_answered_again_takes_the_sample_of_the_answer_before_…): here, what one answer keeps.
            var search = new PostgresExceptionSearch { WalkRows = 0, UseDistinctComments = false, KeepsRecentSamples = false };
            var filter = new ExceptionFilter(Comment: "batch", Value: "777");
            var statements = new SampleStatements();
            var options = new DbContextOptionsBuilder<CrmDbContext>();
            options.UseCrmDatabase(DatabaseProvider.Postgres, host.Database.ConnectionString).AddInterceptors(statements);
            await using var db = new CrmDbContext(options.Options);

            using (search.BeginAnswer(db, filter))
            {
                await search.CandidatesAsync(db, filter, default);
                Assert.Equal(1, statements.Count);
                Assert.NotEmpty(await search.NewestCandidatesAsync(db, filter, 100, default));
                Assert.Equal(1, statements.Count);
            }

            // Outside an answer, and after one, each call samples for itself.
            await search.CandidatesAsync(db, filter, default);
            Assert.Equal(2, statements.Count);
            await search.NewestCandidatesAsync(db, filter, 100, default);
            Assert.Equal(3, statements.Count);

            // The list service answers a page as one: "list" with "batch" (12,000 entries, more than the limit) has its candidates
            // and then its newest matches looked up.
            var broad = filter with { Value = "list" };
            var listed = new SampleStatements();
            var page = await ListWith(search, listed).ListAsync(new ExceptionListQuery(broad), host.Viewer);
            Assert.Equal(1, listed.Count);
            Assert.True(page.TotalIsLowerBound);
            Assert.Equal((await ScanAsync(broad)).Reverse().Take(50), page.Items.Select(r => r.Id));
        }

        [Fact]
        public async Task The_sample_gives_its_pages_in_the_tables_order()
        {
            // The stretches of pages the sample measures (DenseStretch) are spans between pages in order; the statement groups by hashing.
            await AddNumberedAsync(20_000, "Email", "'user' || i || '@pages.example'", "'Paged ' || (i % 7)");
            await IndexAndAnalyzeAsync();
            await using var db = host.Database.CreateDbContext();

            var pages = await PostgresExceptionSearch.SampledPagesOfAsync(db, new ExceptionFilter(Value: "pages"));
            // A comment and a value in one answer are sampled in one reading of their parts (SamplePartsAsync).
            var both = new ExceptionFilter(Comment: "paged", Value: "pages");
            IReadOnlyList<PostgresExceptionSearch.SampledPage> parts;
            using (new PostgresExceptionSearch().BeginAnswer(db, both))
            {
                parts = await PostgresExceptionSearch.SampledPagesOfAsync(db, both);
            }

            Assert.True(pages.Count > 50, $"{pages.Count} pages");
            Assert.Equal(pages.Select(p => p.Page).Order(), pages.Select(p => p.Page));
            Assert.Equal(pages.Select(p => p.Page), parts.Select(p => p.Page));
        }

        [Fact]
        public async Task A_text_with_trigrams_most_rows_hold_is_looked_up_by_its_rare_part_and_tested_whole()
        {
            // 1,100 addresses at one domain hold "exa", "mpl", "ple" …; 20 at list8.example hold "lis", "ist" too, three at list7.example
            // "st7" and "t7 " as well. The value's lookup asks for "st7." and tests each row it finds for the whole text.
            await AddAddressesOfCommonTrigramsAsync(1_100);
            await IndexAndAnalyzeAsync();
            var filter = new ExceptionFilter(Value: "list7.example");
            long[] expected;
            await using (var db = host.Database.CreateDbContext())
            {
                expected = await db.ExceptionEntries.Where(e => e.Value.Contains("list7.example")).OrderByDescending(e => e.Id).Select(e => e.Id).ToArrayAsync();
            }

            Assert.Equal(3, expected.Length);
            foreach (var looksUpParts in new[] { true, false })
            {
                using var statements = new StatementsOfDatabase(host.Database.ConnectionString);
                var page = await ListWith(new PostgresExceptionSearch { LooksUpRareParts = looksUpParts }).ListAsync(new ExceptionListQuery(filter), host.Viewer);

                Assert.Equal((3, false), (page.Total, page.TotalIsLowerBound));
                Assert.Equal(expected, page.Items.Select(r => r.Id));
                Assert.True(looksUpParts == statements.Texts.Any(t => Regex.IsMatch(t, """\(\("Value" \|\| ''\) LIKE [@$]p?\d+ ESCAPE '' AND "Value" LIKE [@$]p?\d+ ESCAPE ''\)""")),
                    string.Join("\n", statements.Texts.Select(t => t.ReplaceLineEndings(" ")[..Math.Min(t.Length, 300)])));
            }
        }

        /// <summary>The list service over this search, on contexts whose statements <paramref name="interceptor"/> sees.</summary>
        private ExceptionListService ListWith(IExceptionTextSearch search, DbCommandInterceptor interceptor)
        {
            var options = new DbContextOptionsBuilder<CrmDbContext>();
            options.UseCrmDatabase(DatabaseProvider.Postgres, host.Database.ConnectionString).AddInterceptors(interceptor);
            return new(new Microsoft.EntityFrameworkCore.Infrastructure.PooledDbContextFactory<CrmDbContext>(options.Options), host.Get<IExceptionEntryWriters>(), search,
                host.Get<CrmAdmin.Features.Access.CrmAuthorizer>(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ExceptionListService>.Instance);
        }

        /// <summary>
        /// The statements Npgsql runs on one test database while it lives, as its tracing reports them (its activity source, "Npgsql"):
        /// every command, including those the search reads ids with outside EF Core's interceptors. Other tests' databases are left out.
        /// </summary>
        private sealed class StatementsOfDatabase : IDisposable
        {
            private readonly System.Collections.Concurrent.ConcurrentQueue<string> texts = new();
            private readonly System.Diagnostics.ActivityListener listener;

            public StatementsOfDatabase(string connectionString)
            {
                var database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database;
                listener = new()
                {
                    ShouldListenTo = source => source.Name == "Npgsql",
                    Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
                    ActivityStopped = activity =>
                    {
                        if ((activity.GetTagItem("db.namespace") ?? activity.GetTagItem("db.name")) as string == database
                            && (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement")) is string text)
                        {
                            texts.Enqueue(text);
                        }
                    },
                };
                System.Diagnostics.ActivitySource.AddActivityListener(listener);
            }

            public IEnumerable<string> Texts => texts;

            public void Dispose() => listener.Dispose();
        }

        /// <summary>Indexes every entry and has the planner count the search rows (the samples' estimates read its count).</summary>
        private async Task IndexAndAnalyzeAsync()
        {
            await IndexEverythingAsync();
            await host.Database.ExecuteAsync("""ANALYZE "ExceptionSearch";""");
        }

        /// <summary>
        /// Counts the statements that read the search table's sample for a query (PostgresExceptionSearch's TABLESAMPLE), and those that count the
        /// distinct comments holding a comment text (<see cref="PairCounts"/>).
        /// </summary>
        private sealed class SampleStatements : DbCommandInterceptor
        {
            private int count;
            private int pairCounts;

            public int Count => count;

            public int PairCounts => pairCounts;

            public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
                DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
            {
                // Not the trigram counts (PostgresExceptionSearch.TrigramCountsAsync), read from the same pages once in ten minutes.
                if (command.CommandText.Contains("TABLESAMPLE", StringComparison.Ordinal) && !command.CommandText.Contains("show_trgm", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref count);
                }

                if (command.CommandText.Contains("""SELECT count(*)::int AS "Value" FROM (SELECT "CommentFolded" AS "Comment", "Type" FROM "ExceptionSearchComments" """.TrimEnd(), StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref pairCounts);
                }

                return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
            }
        }

        [Fact]
        public async Task The_newest_matches_of_a_short_value_text_are_walked_or_looked_up_by_generation_and_read_from_the_backlog()
        {
            // Its own index is asked only by generation; the walk and the backlog match it by LIKE alone.
            await AddBulkListAsync(100);
            await AddNumberedAsync(30, "Email", "'qz' || i || '@short.example'", "'Short'");
            await AddNumberedAsync(5, "EmailDomain", "'@qz' || i || '.example'", "'Short'");
            await IndexEverythingAsync();
            await AddNumberedAsync(3, "Email", "'late.qz' || i || '@short.example'", "'Late'");
            var filter = new ExceptionFilter(Value: "qz", Type: EntryType.Email);
            await using var db = host.Database.CreateDbContext();
            var expected = await NewestEmailsHoldingAsync(db, "qz", 10);

            Assert.Equal(expected, await new PostgresExceptionSearch().NewestCandidatesAsync(db, filter, 10, default));
            Assert.Equal(expected, await new PostgresExceptionSearch { WalkRows = 0 }.NewestCandidatesAsync(db, filter, 10, default));
        }

        [Fact]
        public async Task More_than_the_limit_is_shown_by_the_stretch_where_the_sample_finds_a_common_text_and_never_while_the_backlog_holds_a_range()
        {
            // Asked once before the entries come, on the same context: a sample kept past that answer would say the text is rare.
            var common = new ExceptionFilter(Value: "stretch.example");
            await using var db = host.Database.CreateDbContext();
            Assert.Equal((true, 0), ((await CandidatesAsync(db, common))!.IsComplete, (await CandidatesAsync(db, common))!.Ids.Count));
            // 30,000 matches, then 40,000 newer entries without the text: the trigram index would list every match, and the
            // newest-first walk would pass every newer entry.
            await AddNumberedAsync(30_000, "Email", "'dense' || i || '@stretch.example'", "'Dense stretch'");
            await AddNumberedAsync(40_000, "Email", "'late' || i || '@other.example'", "'Late'");
            await IndexEverythingAsync();

            Assert.True(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common, default));
            Assert.True(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common with { Comment = "dense", Type = EntryType.Email }, default));
            // Fewer than the limit, of another type, or a short comment, which only its pairs look up: no stretch shows it.
            Assert.False(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common with { Value = "dense2000@" }, default));
            Assert.False(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common with { Type = EntryType.EmailDomain }, default));
            Assert.False(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, new ExceptionFilter(Comment: "de"), default));
            var candidates = (await CandidatesAsync(db, common))!;
            Assert.Equal((false, true, 0), (candidates.IsComplete, candidates.IsExact, candidates.Ids.Count));
            var page = await list.ListAsync(new ExceptionListQuery(common), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (page.Total, page.TotalIsLowerBound));
            var newest = await db.ExceptionEntries.Where(e => e.Value.Contains("stretch.example")).OrderByDescending(e => e.Id).Select(e => e.Id).Take(50).ToListAsync();
            Assert.Equal(newest, page.Items.Select(r => r.Id));

            // A changed entry's search row holds its old text until its range is indexed: the stretch may not count it.
            await host.Database.ExecuteAsync("""UPDATE "ExceptionEntries" SET "Value" = 'moved@elsewhere.example' WHERE "Value" = 'dense1@stretch.example'""");
            Assert.False(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common, default));
            await IndexEverythingAsync();
            Assert.True(await PostgresExceptionSearch.DenseStretchHoldsMoreThanLimitAsync(db, common, default));
        }

        [Theory]
        [InlineData(10)]
        [InlineData(1_000)]
        public async Task The_newest_matches_of_short_digits_without_a_type_are_looked_up_both_ways_by_generation(int count)
        {
            // Each way ("07" in phones' digits, in the other entries' text) is its own lookup; together, the newest of both.
            await AddDigitsInTwoWaysAsync();
            await IndexEverythingAsync();
            await using var db = host.Database.CreateDbContext();
            var expected = await db.ExceptionEntries.Where(e => e.Value.Contains("07")).OrderByDescending(e => e.Id).Select(e => e.Id).Take(count).ToListAsync();
            Assert.Contains(await db.ExceptionEntries.Where(e => expected.Contains(e.Id)).Select(e => e.Type).Distinct().ToListAsync(), TextSearchTerms.PhoneTypes.Contains);
            Assert.Contains(await db.ExceptionEntries.Where(e => expected.Contains(e.Id)).Select(e => e.Type).Distinct().ToListAsync(), TextSearchTerms.OtherTypes.Contains);

            var byGeneration = new PostgresExceptionSearch { WalkRows = 0, UseDistinctComments = false };
            Assert.Equal(expected, await byGeneration.NewestCandidatesAsync(db, new ExceptionFilter(Value: "07"), count, default));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(7)]
        [InlineData(40)]
        [InlineData(1_000)]
        public async Task The_newest_matches_are_looked_up_generation_by_generation_from_the_newest(int count)
        {
            // Matches in generations 0, 1 and 3 (65,536 ids each), none in 2, under newer rows that do not match.
            await host.Database.ExecuteAsync("""
                INSERT INTO "ExceptionEntries" ("Id", "Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
                SELECT i, 'Email', 'probe' || i || '@example.com', 'Generation probe', 'generation probe', 'Api', '2026-11-22 09:30:00', 'test', 0
                FROM (SELECT generate_series(1000, 1009) UNION ALL SELECT generate_series(70000, 70019) UNION ALL SELECT generate_series(200000, 200004)) AS ids(i);
                INSERT INTO "ExceptionEntries" ("Id", "Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
                SELECT i, 'Email', 'late' || i || '@example.com', 'Late', 'late', 'Api', '2026-11-22 09:31:00', 'test', 0 FROM generate_series(300000, 300009) AS i;
                """);
            await IndexEverythingAsync();
            // No walk of the newest rows first, so the lookup by generation, or by the distinct comments, answers alone.
            var (byGeneration, byComment) = (new PostgresExceptionSearch { WalkRows = 0, UseDistinctComments = false }, new PostgresExceptionSearch { WalkRows = 0 });
            await using var db = host.Database.CreateDbContext();
            var expected = await db.ExceptionEntries.Where(e => e.Comment == "Generation probe").OrderByDescending(e => e.Id)
                .Select(e => e.Id).Take(count).ToListAsync();

            Assert.Equal(expected, await byGeneration.NewestCandidatesAsync(db, new ExceptionFilter(Comment: "probe"), count, default));
            Assert.Equal(expected, await byComment.NewestCandidatesAsync(db, new ExceptionFilter(Comment: "probe"), count, default));
            Assert.Empty(await byComment.NewestCandidatesAsync(db, new ExceptionFilter(Comment: "probe", Type: EntryType.Phone), count, default));
        }
    }

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
        new ExceptionFilter(Value: "sp"),
        new ExceptionFilter(Value: "e"),
        new ExceptionFilter(Value: "M", Type: EntryType.Email),
        new ExceptionFilter(Value: "ü"),
        new ExceptionFilter(Comment: "spam", Value: "41"),
        new ExceptionFilter(Comment: "spam", Value: "sp", Type: EntryType.Email),
        new ExceptionFilter(Value: "555"),
        new ExceptionFilter(Comment: "spam", Value: "415", Type: EntryType.Phone),
        new ExceptionFilter(Comment: "s", Value: "4 1"),
        new ExceptionFilter(Comment: "sp", Value: "5 5", Type: EntryType.Phone),
    };

    private ServiceTestHost host = default!;
    private ExceptionImportService importer = default!;
    private ExceptionListService list = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        importer = host.Get<ExceptionImportService>();
        list = host.Get<ExceptionListService>();
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
    public async Task The_index_narrows_a_text_filter_to_the_rows_holding_the_text_once_built()
    {
        // Enough other entries that "sp" is rare (SQLite scans a short value text that one in ten entries holds).
        await AddBulkListAsync(200);
        await IndexEverythingAsync();

        await using var db = host.Database.CreateDbContext();
        var candidates = await CandidatesAsync(db, new ExceptionFilter(Comment: "spam"));
        var expected = await db.ExceptionEntries.Where(e => e.Comment == "Spam robot" || e.Comment == "London SPAM office").Select(e => e.Id).ToListAsync();
        Assert.True(candidates!.IsComplete);
        Assert.Subset(candidates.Ids.ToHashSet(), expected.ToHashSet());
        // A superset (SQLite's index looks in either column), but only of rows that hold the text somewhere.
        var others = await db.ExceptionEntries.Where(e => !e.Value.Contains("spam") && !EF.Property<string>(e, "CommentFolded").Contains("spam"))
            .Select(e => e.Id).ToListAsync();
        Assert.NotEmpty(others);
        Assert.Empty(candidates.Ids.Intersect(others));
        // Too short for trigrams: a value text most entries hold is left to the scan; a comment text is narrowed by the
        // distinct comments, exactly; a rare value text by the indexes of the values' short texts.
        Assert.Null(await CandidatesAsync(db, new ExceptionFilter(Value: "e")));
        var shortValue = (await CandidatesAsync(db, new ExceptionFilter(Value: "sp")))!;
        var valuesHoldingSp = await db.ExceptionEntries.Where(e => e.Value.Contains("sp")).Select(e => e.Id).ToListAsync();
        Assert.True(shortValue.IsComplete);
        Assert.NotEmpty(valuesHoldingSp);
        Assert.Equal(valuesHoldingSp.Order(), shortValue.Ids.Order());
        var shortComment = (await CandidatesAsync(db, new ExceptionFilter(Comment: "sp")))!;
        var holdingSp = await db.ExceptionEntries.Where(e => EF.Property<string>(e, "CommentFolded").Contains("sp")).Select(e => e.Id).ToListAsync();
        Assert.Equal((true, true), (shortComment.IsComplete, shortComment.IsExact));
        Assert.Equal(holdingSp.Order(), shortComment.Ids.Order());
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
        await AssertIndexMatchesEntriesAsync();
    }

    [Fact]
    public async Task X5_a_changed_comment_is_found_by_its_new_text_and_no_longer_by_its_old_before_and_after_indexing()
    {
        await IndexEverythingAsync();
        await host.Database.ExecuteAsync("""
            UPDATE "ExceptionEntries" SET "Comment" = 'Courier robot', "CommentFolded" = 'courier robot' WHERE "Comment" = 'Spam robot';
            """);

        Assert.Equal(["+14155550100"], await ValuesAsync(new ExceptionFilter(Comment: "courier")));
        Assert.Equal(["+442079460958"], await ValuesAsync(new ExceptionFilter(Comment: "spam")));

        await IndexEverythingAsync();

        Assert.Equal(["+14155550100"], await ValuesAsync(new ExceptionFilter(Comment: "courier")));
        Assert.Equal(["+442079460958"], await ValuesAsync(new ExceptionFilter(Comment: "spam")));
        await AssertIndexMatchesEntriesAsync();
    }

    [Fact]
    public async Task X5_a_text_common_to_more_rows_than_the_index_pays_for_is_scanned_with_the_same_answer()
    {
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
        await IndexEverythingAsync();

        await using var db = host.Database.CreateDbContext();
        var bulk = (await CandidatesAsync(db, new ExceptionFilter(Comment: "bulk")))!;
        // Found through the distinct comments: exactly the text, so "more than the limit" is known, in no order.
        Assert.Equal((false, true), (bulk.IsComplete, bulk.IsExact));
        if (provider == DatabaseProvider.Sqlite)
        {
            // FTS5 reads in rowid order, so SQLite's trigram index names the newest of a value text's candidates.
            var newest = await db.ExceptionEntries.Where(e => e.Comment == "Bulk list").OrderByDescending(e => e.Id).Select(e => e.Id)
                .Take(TextSearchTerms.MaxCandidates + 1).ToListAsync();
            Assert.Equal(newest, (await CandidatesAsync(db, new ExceptionFilter(Value: "bulk")))!.Ids);
        }

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
    [InlineData("bulk", null)]
    [InlineData(null, "bulk")]
    public async Task X5_a_common_texts_total_stays_exact_while_a_changed_entry_waits_for_the_index(string? comment, string? value)
    {
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 1);
        await IndexEverythingAsync();
        var bulk = new ExceptionListQuery(new ExceptionFilter(Comment: comment, Value: value));
        var all = await list.ListAsync(bulk, host.Viewer);
        Assert.Equal((ExceptionListService.CountLimit, true), (all.Total, all.TotalIsLowerBound));

        // One fewer holds the text: exactly the limit, which the index's stale row for it must not hide.
        await host.Database.ExecuteAsync("""
            UPDATE "ExceptionEntries" SET "Comment" = 'Moved', "CommentFolded" = 'moved', "Value" = 'moved1@example.com' WHERE "Value" = 'bulk1@example.com';
            """);
        var beforeIndexing = await list.ListAsync(bulk, host.Viewer);
        await IndexEverythingAsync();
        var afterIndexing = await list.ListAsync(bulk, host.Viewer);

        Assert.Equal((ExceptionListService.CountLimit, false), (beforeIndexing.Total, beforeIndexing.TotalIsLowerBound));
        Assert.Equal((ExceptionListService.CountLimit, false), (afterIndexing.Total, afterIndexing.TotalIsLowerBound));
    }

    [Fact]
    public async Task X5_a_text_in_more_distinct_comments_than_the_limit_is_looked_up_through_the_trigram_index_with_the_same_answer()
    {
        // 2,100 emails and as many phones, each with a comment of its own: past DistinctCommentsLimit pairs of comment and type.
        var count = TextSearchTerms.DistinctCommentsLimit + 100;
        await AddNumberedAsync(count, "Email", "'own' || i || '@example.com'", "'Own note 1-' || i");
        await AddNumberedAsync(count, "Phone", "'+1415555' || (10000 + i)", "'Own note 1-' || i");
        await IndexEverythingAsync();

        // A comment's digits are a comment's, whatever the type (the index spells only a phone's value otherwise).
        foreach (var (text, type, expected) in new (string, EntryType?, int)[]
                 { ("own note 1", EntryType.Email, count), ("own note 1-20", null, 2 * (1 + 10 + 100)), ("own note 1", EntryType.Phone, count) })
        {
            var page = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Comment: text, Type: type)), host.Viewer);
            Assert.Equal((expected, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(Math.Min(expected, 50), page.Items.Count);
            Assert.All(page.Items, r => Assert.Contains(text, r.Comment!.ToLowerInvariant()));
        }
    }

    [Theory]
    [InlineData("電話", 3)]
    [InlineData("9", 2)]
    [InlineData("é", 0)]
    public async Task X5_a_comment_text_too_short_for_trigrams_is_found_among_the_distinct_comments_before_and_after_indexing(string text, int expected)
    {
        await AddBulkListAsync(200);
        await host.Database.ExecuteAsync("""
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount") VALUES
                ('Email', 'a@example.jp', '電話 spam', '電話 spam', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'b@example.jp', '電話 spam', '電話 spam', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Phone', '+81312345678', 'Old 電話', 'old 電話', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'c@example.jp', 'Room 9', 'room 9', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'd@example.jp', 'Room 19', 'room 19', 'Api', '2026-11-22 09:30:00', 'test', 0);
            """);
        var query = new ExceptionListQuery(new ExceptionFilter(Comment: text));

        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            var page = await list.ListAsync(query, host.Viewer);
            Assert.Equal((expected, false), (page.Total, page.TotalIsLowerBound));
            Assert.All(page.Items, r => Assert.Contains(text, r.Comment!.ToLowerInvariant()));
        }
    }

    [Theory]
    [InlineData(EntryType.Phone, 30)]
    [InlineData(EntryType.EmailDomain, 0)]
    public async Task X5_a_common_text_with_a_type_few_of_its_entries_have_gives_an_exact_total_and_the_scans_page(EntryType type, int expected)
    {
        // 10,005 emails and 30 phones hold "bulk": counted, the 30 are every match, and the page comes from them.
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
        await AddBulkPhonesAsync();
        var filter = new ExceptionFilter(Comment: "bulk", Type: type);

        // Before the index has reached them (the backlog or rows above the mark) and after.
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            foreach (var sortBy in new[] { ExceptionSortColumn.CreatedAt, ExceptionSortColumn.Value, ExceptionSortColumn.HitCount })
            {
                foreach (var descending in new[] { false, true })
                {
                    var page = await list.ListAsync(new ExceptionListQuery(filter, Skip: 5, Take: 20, SortBy: sortBy, Descending: descending), host.Viewer);
                    Assert.Equal((expected, false), (page.Total, page.TotalIsLowerBound));
                    Assert.Equal(Math.Clamp(expected - 5, 0, 20), page.Items.Count);
                    Assert.All(page.Items, r => Assert.Equal((type, "Bulk phone"), (r.Type, r.Comment)));
                }
            }
        }
    }

    [Fact]
    public async Task X5_a_value_query_reads_phones_by_its_digits_and_other_entries_by_its_text_only_for_the_filters_type()
    {
        // 40 phones and 3 emails hold "12000": of type Email, only the emails are candidates, before the index has
        // reached them and after (on SQLite a phone's digits are indexed apart; on PostgreSQL each class has its index).
        await AddNumberedAsync(40, "Phone", "'+1200077' || (1000 + i)", "'Bulk phone'");
        await AddNumberedAsync(3, "Email", "'sender12000' || i || '@list.example'", "'Senders'");
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            await using var db = host.Database.CreateDbContext();
            var emails = await db.ExceptionEntries.Where(e => e.Comment == "Senders").Select(e => e.Id).ToListAsync();
            var candidates = (await CandidatesAsync(db, new ExceptionFilter(Value: "12000", Type: EntryType.Email)))!;
            Assert.True(candidates.IsComplete);
            Assert.Equal(emails.Order(), candidates.Ids.Order());
            // Letters are never a phone's: no candidate at all.
            var none = (await CandidatesAsync(db, new ExceptionFilter(Value: "sender", Type: EntryType.Phone)))!;
            Assert.Equal((true, true, 0), (none.IsComplete, none.IsExact, none.Ids.Count));

            foreach (var (value, type, total) in new (string, EntryType?, int)[]
                     { ("12000", EntryType.Email, 3), ("12000", null, 43), ("+1 2000 77", EntryType.Phone, 40), ("12000", EntryType.PhonePrefix, 0), ("sender", EntryType.Phone, 0) })
            {
                var page = await list.ListAsync(new ExceptionListQuery(new ExceptionFilter(Value: value, Type: type)), host.Viewer);
                Assert.Equal((total, false, total), (page.Total, page.TotalIsLowerBound, page.Items.Count));
                Assert.All(page.Items, r => Assert.True(type is null || r.Type == type));
            }
        }
    }

    [Theory]
    [InlineData("2000000", null)]
    [InlineData("+1 200 000 0004", null)]
    [InlineData("0000", null)]
    [InlineData("20000", EntryType.Phone)]
    [InlineData("1000111", EntryType.Phone)]
    [InlineData("90055", EntryType.PhonePrefix)]
    [InlineData("9005", null)]
    [InlineData("4444", null)]
    [InlineData("2000000", EntryType.Email)]
    public async Task X5_digits_whose_trigrams_every_phone_holds_find_exactly_the_entries_holding_them_through_changes_and_removals(string value, EntryType? type)
    {
        // Every phone holds "120", "200" and "000", as in a CRM whose numbers share a country and area code: the index of the phones'
        // digit windows (PhoneDigitWindows) finds the few holding the text, and emails and domains are matched on their text.
        await AddNumberedAsync(2_000, "Phone", "'+12000' || (1000000 + i * 37)", "'Numbered'");
        await AddNumberedAsync(40, "Phone", "'+1200000000' || (10 + i)", "'Numbered'");
        await AddNumberedAsync(30, "PhonePrefix", "'+1900' || (550 + i) || '*'", "'Prefixes'");
        await AddNumberedAsync(20, "Email", "'x2000000y' || i || '@digits.example'", "'Digits'");
        var filter = new ExceptionFilter(Value: value, Type: type);
        async Task AssertHoldingAsync(string when)
        {
            await using var db = host.Database.CreateDbContext();
            var (digits, text) = (filter.ValueDigits, filter.FoldedValue!);
            var rows = await db.ExceptionEntries.Select(e => new { e.Id, e.Type, e.Value }).ToListAsync();
            var holding = rows.Where(r => (type is null || r.Type == type)
                    && (r.Type.IsPhoneLike() ? digits is not null && r.Value.Contains(digits) : r.Value.Contains(text)))
                .Select(r => r.Id).OrderDescending().ToArray();
            var page = await list.ListAsync(new ExceptionListQuery(filter, 0, ExceptionListQuery.MaxTake), host.Viewer);
            Assert.True(holding.Length < ExceptionListQuery.MaxTake, when);
            Assert.True((holding.Length, false) == (page.Total, page.TotalIsLowerBound), $"{when}: {holding.Length} hold it, the total says {page.Total}");
            Assert.Equal(holding, page.Items.Select(r => r.Id).ToArray());
        }

        await AssertHoldingAsync("before indexing");
        await IndexEverythingAsync();
        await AssertHoldingAsync("indexed");

        // An indexed phone that held the text no longer does, one that did not now does, one is a prefix now, and one is removed:
        // each provider's index must follow (SQLite's triggers, PostgreSQL's backlog), before its indexer runs and after.
        await host.Database.ExecuteAsync("""
            UPDATE "ExceptionEntries" SET "Value" = '+19999999991' WHERE "Value" = '+120000000011';
            UPDATE "ExceptionEntries" SET "Value" = '+12000000004' WHERE "Value" = '+120001000037';
            UPDATE "ExceptionEntries" SET "Type" = 'PhonePrefix', "Value" = '+1900599*' WHERE "Value" = '+120001000074';
            DELETE FROM "ExceptionEntries" WHERE "Value" IN ('+120000000012', '+1900551*');
            """);
        await AssertHoldingAsync("changed");
        if (provider == DatabaseProvider.Postgres)
        {
            await IndexEverythingAsync();
        }

        await AssertHoldingAsync("changed and indexed");
        await AssertIndexMatchesEntriesAsync();
    }

    [Fact]
    public async Task X5_a_comment_only_one_type_holds_gives_its_type_to_the_value_but_never_while_an_entry_waits_for_the_index()
    {
        await AddNumberedAsync(30, "Phone", "'+1212555' || (1000 + i)", "'Call list'");
        await AddNumberedAsync(3, "Email", "'mail121' || i || '@list.example'", "'Mail list'");
        var mail = new ExceptionFilter(Comment: "mail list", Value: "121");
        var search = host.Get<IExceptionTextSearch>();
        async Task<(int Total, EntryType? Type)> AskAsync(ExceptionFilter filter)
        {
            await using var db = host.Database.CreateDbContext();
            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.False(page.TotalIsLowerBound);
            return (page.Total, (await search.WithTypeOfCommentAsync(db, filter, default)).Type);
        }

        // Not indexed yet: the distinct comments cannot tell, so no type is added.
        Assert.Equal((3, null), await AskAsync(mail));
        await IndexEverythingAsync();
        Assert.Equal((3, EntryType.Email), await AskAsync(mail));
        Assert.Equal((30, EntryType.Phone), await AskAsync(mail with { Comment = "call list" }));
        Assert.Equal((33, null), await AskAsync(mail with { Comment = "list" }));
        // A phone with the email list's comment, which the index has not reached: counted, and no type is added.
        await AddNumberedAsync(1, "Phone", "'+12125559999'", "'Mail list'");
        Assert.Equal((4, null), await AskAsync(mail));
        await IndexEverythingAsync();
        Assert.Equal((4, null), await AskAsync(mail));
        // A named type, a short comment or no value: the filter is left as it is.
        Assert.Equal((0, EntryType.EmailDomain), await AskAsync(mail with { Type = EntryType.EmailDomain }));
        Assert.Equal((4, null), await AskAsync(new ExceptionFilter(Comment: "mail list")));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(5, true)]
    [InlineData(5, false)]
    [InlineData(28, false)]
    public async Task X5_a_page_of_exact_candidates_in_the_order_added_is_the_slice_the_table_gives(int skip, bool descending)
    {
        // Found through the distinct comments, exactly: the page is read by key, in either direction.
        await AddNumberedAsync(30, "Phone", "'+1212555' || (1000 + i)", "'Call list'");
        await AddNumberedAsync(3, "Email", "'call' || i || '@list.example'", "'Call list'");
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            await using var db = host.Database.CreateDbContext();
            var all = await db.ExceptionEntries.Where(e => e.Comment == "Call list" && e.Type == EntryType.Phone).Select(e => e.Id).ToListAsync();
            var expected = (descending ? all.OrderDescending() : all.Order()).Skip(skip).Take(10).ToArray();
            var page = await list.ListAsync(
                new ExceptionListQuery(new ExceptionFilter(Comment: "call list", Type: EntryType.Phone), skip, 10, Descending: descending), host.Viewer);
            Assert.Equal((30, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(expected, page.Items.Select(r => r.Id).ToArray());
        }
    }

    [Theory]
    [InlineData("qz", null, 3)]
    [InlineData("QZ", EntryType.Email, 2)]
    [InlineData("ü", null, 2)]
    [InlineData("😀", null, 1)]
    [InlineData("N😀", null, 1)]
    [InlineData("z", EntryType.EmailDomain, 1)]
    [InlineData("z", null, 3)]
    [InlineData("00", EntryType.Email, 4)]
    [InlineData("qq", null, 0)]
    [InlineData("e", null, 211)]
    public async Task X5_a_value_text_of_one_or_two_characters_is_looked_up_among_the_values_short_texts_with_an_exact_answer(
        string value, EntryType? type, int expected)
    {
        // At the start, the middle and the end of a value (the end, on SQLite, through the end marks), in 200 bulk emails
        // and phones full of "00", which of type Email must not be among the candidates.
        await AddBulkListAsync(200);
        await AddNumberedAsync(40, "Phone", "'+1200077' || (1000 + i)", "'Bulk phone'");
        await host.Database.ExecuteAsync("""
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount") VALUES
                ('Email', 'qzuser@short.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'user@mail.qz', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('EmailDomain', '@xqzy.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'müller@short.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'jürgen😀@short.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'room1007@short.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'x@short.example', 'Room 2009', 'room 2009', 'Api', '2026-11-22 09:30:00', 'test', 0),
                ('Email', 'r2009@short.example', 'Short', 'short', 'Api', '2026-11-22 09:30:00', 'test', 0);
            """);
        var filter = new ExceptionFilter(Value: value, Type: type);
        // "ü" may be part of a punycode label too: its query has a second spelling (ExceptionFilter.FoldedValueAsWritten).
        var (folded, written) = (filter.FoldedValue!, filter.FoldedValueAsWritten ?? filter.FoldedValue!);
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter, Take: 500), host.Viewer);
            Assert.Equal((expected, false, expected), (page.Total, page.TotalIsLowerBound, page.Items.Count));
            Assert.All(page.Items, r => Assert.True(r.Value.Contains(folded) || r.Value.Contains(written), r.Value));
            Assert.All(page.Items, r => Assert.True(type is null ? !TextSearchTerms.PhoneTypes.Contains(r.Type) : r.Type == type));
        }

        // The index holds no phone, so a rare text's candidates are the entries of other types holding it (of the filter's
        // type on PostgreSQL, whose index holds the type), and every match is among them.
        await using var db = host.Database.CreateDbContext();
        var holding = await db.ExceptionEntries
            .Where(e => (e.Value.Contains(folded) || e.Value.Contains(written)) && !TextSearchTerms.PhoneTypes.Contains(e.Type)).ToListAsync();
        var matches = holding.Where(e => type is null || e.Type == type).ToList();
        Assert.Equal(expected, matches.Count);
        if (expected < 100)
        {
            var candidates = (await CandidatesAsync(db, filter))!;
            Assert.True(candidates.IsComplete);
            Assert.Subset(holding.Select(e => e.Id).ToHashSet(), candidates.Ids.ToHashSet());
            Assert.Superset(matches.Select(e => e.Id).ToHashSet(), candidates.Ids.ToHashSet());
            // Exact, so neither counted nor checked again, unless a spelling in punycode went to SQLite's main index.
            Assert.Equal(provider == DatabaseProvider.Postgres || filter.FoldedValueAsWritten is null, candidates.IsExact);
            Assert.Equal(matches.Select(e => e.Id).Order(), candidates.Ids.Distinct().Where(id => candidates.IsExact || matches.Any(m => m.Id == id)).Order());
        }

        // A match removed and another changed are answered at once, and the index follows them (its triggers).
        if (matches.Count >= 2)
        {
            await host.Database.ExecuteAsync($"""
                DELETE FROM "ExceptionEntries" WHERE "Id" = {matches[0].Id};
                UPDATE "ExceptionEntries" SET "Value" = 'changed@other.example' WHERE "Id" = {matches[1].Id};
                """);
            var after = await list.ListAsync(new ExceptionListQuery(filter, Take: 500), host.Viewer);
            var changedHolds = "changed@other.example".Contains(written);
            Assert.Equal(expected - (changedHolds ? 1 : 2), after.Total);
            await IndexEverythingAsync();
            Assert.Equal(after.Total, (await list.ListAsync(new ExceptionListQuery(filter, Take: 500), host.Viewer)).Total);
            await AssertIndexMatchesEntriesAsync();
        }
    }

    [Theory]
    [InlineData("04", EntryType.Phone)]
    [InlineData("04", null)]
    [InlineData("+1 4", EntryType.PhonePrefix)]
    public async Task X5_a_digit_text_of_one_or_two_characters_is_looked_up_among_the_phones_short_texts_with_an_exact_answer(string value, EntryType? type)
    {
        // A phone matches on the query's digits (X5), an address or domain on its text: a plain query of each tells the answer.
        await AddBulkListAsync(200);
        await AddNumberedAsync(40, "Phone", "'+1200077' || (1000 + i)", "'Bulk phone'");
        await AddNumberedAsync(5, "PhonePrefix", "'+1400' || i || '*'", "'Prefixes'");
        var filter = new ExceptionFilter(Value: value, Type: type);
        var digits = filter.ValueDigits!;
        await using var db = host.Database.CreateDbContext();
        var expected = await db.ExceptionEntries.Where(e => type == null || e.Type == type)
            .Where(e => TextSearchTerms.PhoneTypes.Contains(e.Type) ? e.Value.Contains(digits) : e.Value.Contains(filter.FoldedValue!))
            .OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
        Assert.NotEmpty(expected);
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                Assert.NotNull(await CandidatesAsync(db, filter));
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter, Take: 500), host.Viewer);
            Assert.Equal((expected.Count, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(expected, page.Items.Select(r => r.Id).ToList());
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EntryType.Email)]
    public async Task X5_a_short_value_text_with_a_comment_is_looked_up_with_it_and_its_candidates_are_the_exact_matches(EntryType? type)
    {
        // "tele list" is in more entries than the candidates' limit, "qz" in one of forty (looked up, not left to the scan),
        // 5 hold both: the short text's entries are tested for the comment, and they are the exact matches.
        await AddBulkListAsync(2_000);
        await AddNumberedAsync(TextSearchTerms.MaxCandidates + 5, "Email", "'tele' || i || '@list.example'", "'Tele list'");
        await AddNumberedAsync(5, "Email", "'tele.qz' || i || '@list.example'", "'Tele list'");
        await AddNumberedAsync(295, "Email", "'qz' || i || '@other.example'", "'Other list'");
        var filter = new ExceptionFilter(Comment: "TELE LIST", Value: "qz", Type: type);
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                await using var db = host.Database.CreateDbContext();
                var candidates = (await CandidatesAsync(db, filter))!;
                Assert.Equal((true, true, 5), (candidates.IsComplete, candidates.IsExact, candidates.Ids.Distinct().Count()));
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((5, false, 5), (page.Total, page.TotalIsLowerBound, page.Items.Count));
            Assert.All(page.Items, r => Assert.Equal("Tele list", r.Comment));
            Assert.All(page.Items, r => Assert.Contains("qz", r.Value));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EntryType.EmailDomain)]
    [InlineData(EntryType.Email)]
    public async Task X5_a_short_value_text_with_a_common_comment_is_found_wherever_it_stands_in_the_value(EntryType? type)
    {
        // "Tele list" is in more entries than the candidates' limit. Among them "qz" stands at a value's start, in its middle, among
        // its last two characters, and is the whole of one; a few hold it in their comment only, and another list in its values.
        // SQLite looks both texts up together in its main index, where no trigram starts at a value's last two characters (those are
        // in the values' own index, with end marks), and which tells neither column nor type: the answer is every match, no other.
        await AddBulkListAsync(2_000);
        await AddNumberedAsync(TextSearchTerms.MaxCandidates + 5, "EmailDomain", "'tele' || i || '.example'", "'Tele list'");
        await AddNumberedAsync(3, "EmailDomain", "'qz' || i || '.example'", "'Tele list'");
        await AddNumberedAsync(3, "EmailDomain", "'a' || i || 'qzb.example'", "'Tele list'");
        await AddNumberedAsync(3, "EmailDomain", "'end' || i || '.qz'", "'Tele list'");
        await AddNumberedAsync(1, "EmailDomain", "'qz'", "'Tele list'");
        await AddNumberedAsync(3, "Email", "'x' || i || '@qz.example'", "'Tele list'");
        await AddNumberedAsync(4, "EmailDomain", "'plain' || i || '.example'", "'Tele list qzx'");
        await AddNumberedAsync(300, "EmailDomain", "'qz' || i || '.other'", "'Other list'");
        var filter = new ExceptionFilter(Comment: "tele list", Value: "QZ", Type: type);
        await using var db = host.Database.CreateDbContext();
        var expected = await db.ExceptionEntries
            .Where(e => EF.Property<string>(e, "CommentFolded").Contains("tele list") && e.Value.Contains("qz") && (type == null || e.Type == type))
            .OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
        Assert.Equal(type switch { null => 13, EntryType.Email => 3, _ => 10 }, expected.Count);
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                var candidates = (await CandidatesAsync(db, filter))!;
                // Of type Email the comment has three entries, which its pairs give at once: the candidates, exact for the comment only.
                Assert.Equal((true, type != EntryType.Email), (candidates.IsComplete, candidates.IsExact));
                Assert.Equal(expected, candidates.Ids.Distinct().OrderDescending());
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((expected.Count, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(expected, page.Items.Select(r => r.Id));
        }
    }

    [Fact]
    public async Task X5_short_digits_without_a_type_with_a_comment_find_the_phones_by_their_digits_and_the_rest_by_their_text_exactly()
    {
        // "07" without a type is two ways to match: phones and prefixes holding the digits, other entries holding the text.
        // "Tele list" is in more entries than the candidates' limit and "07" in a few percent of all: each way's short texts are
        // looked up and tested for the comment, and together they are the exact matches.
        await AddDigitsInTwoWaysAsync();
        var filter = new ExceptionFilter(Comment: "tele list", Value: "07");
        await using var db = host.Database.CreateDbContext();
        var expected = await db.ExceptionEntries.Where(e => e.Comment == "Tele list" && e.Value.Contains("07"))
            .OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync();
        Assert.Contains(await db.ExceptionEntries.Where(e => expected.Contains(e.Id)).Select(e => e.Type).Distinct().ToListAsync(), TextSearchTerms.PhoneTypes.Contains);
        Assert.Contains(await db.ExceptionEntries.Where(e => expected.Contains(e.Id)).Select(e => e.Type).Distinct().ToListAsync(), TextSearchTerms.OtherTypes.Contains);
        // On PostgreSQL the comment's rows are then too many to read and test (CommentRows), so the value's short texts answer.
        var search = provider == DatabaseProvider.Postgres ? new PostgresExceptionSearch { CommentRows = 100 } : host.Get<IExceptionTextSearch>();
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                var candidates = (await search.CandidatesAsync(db, filter, default))!;
                Assert.Equal((true, true), (candidates.IsComplete, candidates.IsExact));
                Assert.Equal(expected, candidates.Ids.Distinct().OrderDescending());
            }

            var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter, Take: 500), host.Viewer);
            Assert.Equal((expected.Count, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(expected, page.Items.Select(r => r.Id));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EntryType.Email)]
    public async Task X5_a_short_value_text_too_common_for_its_index_is_tested_on_the_rows_of_a_comment_its_pairs_find(EntryType? type)
    {
        // "Partner list" is in 12,000 entries, more than the candidates' limit; "k" in 8,000 of 17,000 entries, too many for its
        // index of short texts; 3,000 hold both. The comment's rows, each tested for "k", are the exact matches.
        await AddNumberedAsync(12_000, "Email", "'p' || i || (CASE WHEN i % 4 = 0 THEN 'k' ELSE '' END) || '@partner.example'", "'Partner list'");
        await AddNumberedAsync(5_000, "Email", "'k' || i || '@other.example'", "'Other list'");
        var filter = new ExceptionFilter(Comment: "partner", Value: "K", Type: type);
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                await using var db = host.Database.CreateDbContext();
                var candidates = (await CandidatesAsync(db, filter))!;
                Assert.Equal((true, true, 3_000), (candidates.IsComplete, candidates.IsExact, candidates.Ids.Distinct().Count()));
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((3_000, false), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(await ScannedPageAsync(filter, 0), page.Items.Select(r => r.Id).ToArray());
        }

        // When every row of the comment holds the text, more than the limit match: the total is that lower bound, the page the same.
        // So too for a value of trigrams, which the comment's rows tell sooner than the two texts' index lists.
        foreach (var every in new[] { filter with { Value = "@" }, filter with { Value = "PARTNER.ex" } })
        {
            await using (var db = host.Database.CreateDbContext())
            {
                var candidates = (await CandidatesAsync(db, every))!;
                Assert.Equal((false, true), (candidates.IsComplete, candidates.IsExact));
            }

            var broad = await list.ListAsync(new ExceptionListQuery(every), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (broad.Total, broad.TotalIsLowerBound));
            Assert.Equal(await ScannedPageAsync(every, 0), broad.Items.Select(r => r.Id).ToArray());
        }
    }

    [Fact]
    public async Task X5_a_value_of_short_digits_and_a_longer_text_with_a_comment_in_many_distinct_comments_is_looked_up_exactly()
    {
        // "5 5" is "55" on phones (short) and "5 5" on other entries (trigrams); "mixed" is in 2,100 distinct comments and
        // 10,100 entries, too many for its pairs and for the candidates, so the value's entries are tested for the comment.
        await AddNumberedAsync(10_100, "Email", "'m' || i || '@mixed.example'", "'Mixed ' || (i % 2100)");
        await AddNumberedAsync(30, "Phone", "'+1200555' || (1000 + i)", "'Mixed ' || i");
        await AddNumberedAsync(40, "Phone", "'+1200555' || (2000 + i)", "'Other ' || i");
        var filter = new ExceptionFilter(Comment: "mixed", Value: "5 5");
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
            }

            var page = await list.ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((30, false), (page.Total, page.TotalIsLowerBound));
            Assert.All(page.Items, r => Assert.Contains("555", r.Value));
        }
    }

    [Fact]
    public async Task X5_a_comment_with_more_rows_than_are_read_for_a_short_value_text_is_answered_as_before_unless_enough_match_in_twice_as_many()
    {
        // Only the first 1,000 of the comment's 12,000 rows are read (2,000 on PostgreSQL, which reads as far as for a lower bound),
        // with no sample to decide first: too few to answer, so the filter falls back to the scan, with the same exact total.
        await AddNumberedAsync(12_000, "Email", "'p' || i || (CASE WHEN i % 4 = 0 THEN 'k' ELSE '' END) || '@partner.example'", "'Partner list'");
        await AddNumberedAsync(5_000, "Email", "'k' || i || '@other.example'", "'Other list'");
        await IndexEverythingAsync();
        IExceptionTextSearch search = provider == DatabaseProvider.Sqlite
            ? new SqliteExceptionSearch { CommentRows = 1_000, SamplesCommentRows = false }
            : new PostgresExceptionSearch { CommentRows = 1_000, SamplesCommentRows = false };
        var filter = new ExceptionFilter(Comment: "partner", Value: "k");
        await using var db = host.Database.CreateDbContext();

        Assert.False((await search.CandidatesAsync(db, filter, default))?.IsComplete ?? false);
        var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter), host.Viewer);
        Assert.Equal((3_000, false), (page.Total, page.TotalIsLowerBound));
        Assert.Equal(await ScannedPageAsync(filter, 0), page.Items.Select(r => r.Id).ToArray());

        // With a limit of 6,000 rows, "@" (in every row of the comment) is read past it on SQLite, to twice as many, as the first
        // rows tell more than 10,000 will match there: the candidates say so exactly. So on PostgreSQL, where "@" is too common for its index.
        IExceptionTextSearch twice = provider == DatabaseProvider.Sqlite
            ? new SqliteExceptionSearch { CommentRows = 6_000 }
            : new PostgresExceptionSearch { CommentRows = 6_000 };
        var every = filter with { Value = "@" };
        var candidates = (await twice.CandidatesAsync(db, every, default))!;
        Assert.Equal((false, true), (candidates.IsComplete, candidates.IsExact));
        var broad = await ListWith(twice).ListAsync(new ExceptionListQuery(every), host.Viewer);
        Assert.Equal((ExceptionListService.CountLimit, true), (broad.Total, broad.TotalIsLowerBound));
        Assert.Equal(await ScannedPageAsync(every, 0), broad.Items.Select(r => r.Id).ToArray());
    }

    [Fact]
    public async Task X5_a_comment_and_a_value_each_too_common_for_the_candidates_are_looked_up_together()
    {
        // "alpha" and "sender" are each in 10,004 entries, together in 3: their total is exact, not "more than 10,000".
        await AddNumberedAsync(TextSearchTerms.MaxCandidates + 1, "Email", "'x' || i || '@alpha.example'", "'Alpha list'");
        await AddNumberedAsync(TextSearchTerms.MaxCandidates + 1, "Email", "'sender' || i || '@beta.example'", "'Beta list'");
        await AddNumberedAsync(3, "Email", "'sender' || i || '@gamma.example'", "'Alpha list'");
        var rare = new ExceptionFilter(Comment: "alpha", Value: "sender");
        var common = new ExceptionFilter(Comment: "alpha", Value: "example");
        foreach (var indexed in new[] { false, true })
        {
            if (indexed)
            {
                await IndexEverythingAsync();
                await using var db = host.Database.CreateDbContext();
                var candidates = (await CandidatesAsync(db, rare))!;
                Assert.Equal((true, 3), (candidates.IsComplete, candidates.Ids.Count));
            }

            var page = await list.ListAsync(new ExceptionListQuery(rare), host.Viewer);
            Assert.Equal((3, false), (page.Total, page.TotalIsLowerBound));
            Assert.All(page.Items, r => Assert.EndsWith("@gamma.example", r.Value));

            var broad = await list.ListAsync(new ExceptionListQuery(common), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (broad.Total, broad.TotalIsLowerBound));
            Assert.Equal(await ScannedPageAsync(common, 0), broad.Items.Select(r => r.Id).ToArray());
        }
    }

    [Fact]
    public async Task X5_a_common_comment_with_a_value_in_most_or_few_of_its_rows_gives_the_lower_bound_or_every_match()
    {
        // "Alpha list" is in 22,000 entries, "sender" in 21,000 of them and in 500 others: together far more than the candidates'
        // limit, which PostgreSQL reads from the comment's rows when a sample puts them together in twice that many, instead of
        // intersecting the two texts' trigram lists. When those rows do not reach the limit (a lower row limit here), the lists
        // answer: the same total and page either way.
        await AddNumberedAsync(22_000, "Email", "CASE WHEN i <= 21000 THEN 'sender' ELSE 'x' END || i || '@alpha.example'", "'Alpha list'");
        await AddNumberedAsync(500, "Email", "'sender' || i || '@beta.example'", "'Beta list'");
        await IndexEverythingAsync();
        var filter = new ExceptionFilter(Comment: "alpha", Value: "SENDER");
        IExceptionTextSearch fewRows = provider == DatabaseProvider.Postgres ? new PostgresExceptionSearch { CommentRows = 3_000 } : new SqliteExceptionSearch { CommentRows = 3_000 };
        foreach (var search in new[] { host.Get<IExceptionTextSearch>(), fewRows })
        {
            await using (var db = host.Database.CreateDbContext())
            {
                // More than the limit, so no complete list (SQLite's trigram lists are a superset, PostgreSQL's rows exact).
                Assert.False((await search.CandidatesAsync(db, filter, default))!.IsComplete);
            }

            var page = await ListWith(search).ListAsync(new ExceptionListQuery(filter), host.Viewer);
            Assert.Equal((ExceptionListService.CountLimit, true), (page.Total, page.TotalIsLowerBound));
            Assert.Equal(await ScannedPageAsync(filter, 0), page.Items.Select(r => r.Id).ToArray());
        }

        // In a few of the comment's rows ("x21001" to "x21009"): PostgreSQL reads its 22,000 rows to the end, every match, exactly.
        var few = filter with { Value = "X2100" };
        await using (var db = host.Database.CreateDbContext())
        {
            var candidates = (await host.Get<IExceptionTextSearch>().CandidatesAsync(db, few, default))!;
            Assert.Equal((true, 9), (candidates.IsComplete, candidates.Ids.Distinct().Count()));
        }

        var fewPage = await list.ListAsync(new ExceptionListQuery(few), host.Viewer);
        Assert.Equal((9, false), (fewPage.Total, fewPage.TotalIsLowerBound));
        Assert.Equal(await ScannedPageAsync(few, 0), fewPage.Items.Select(r => r.Id).ToArray());
    }

    [Fact]
    public async Task X10_active_is_no_condition_while_no_expired_entry_meets_the_rest_of_the_filter()
    {
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
        await IndexEverythingAsync();
        var active = new ExceptionListQuery(new ExceptionFilter(Comment: "bulk", Status: EntryStatus.Active));
        var all = await list.ListAsync(active with { Filter = new ExceptionFilter(Comment: "bulk") }, host.Viewer);

        Assert.Equivalent(all, await list.ListAsync(active, host.Viewer));

        // The newest bulk entry expires: active no longer lists it, and the page moves up by one.
        await host.Database.ExecuteAsync($"""
            UPDATE "ExceptionEntries" SET "ExpiresAt" = '2026-01-01 00:00:00' WHERE "Value" = 'bulk{TextSearchTerms.MaxCandidates + 5}@example.com';
            """);
        var afterExpiry = await list.ListAsync(active, host.Viewer);
        Assert.Equal(all.Items.Skip(1).Select(r => r.Id), afterExpiry.Items.Take(49).Select(r => r.Id));
        Assert.Equal((ExceptionListService.CountLimit, true), (afterExpiry.Total, afterExpiry.TotalIsLowerBound));
    }

    [Fact]
    public async Task X10_expired_is_looked_up_among_the_expired_entries_and_past_the_limit_by_the_filter_as_before()
    {
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
        await IndexEverythingAsync();
        var query = new ExceptionListQuery(new ExceptionFilter(Comment: "bulk", Value: "example", Type: EntryType.Email, Status: EntryStatus.Expired));

        // Nothing has expired: an empty answer, though the text is in 10,005 entries.
        var none = await list.ListAsync(query, host.Viewer);
        Assert.Equal((0, false, 0), (none.Total, none.TotalIsLowerBound, none.Items.Count));

        await host.Database.ExecuteAsync("""
            UPDATE "ExceptionEntries" SET "ExpiresAt" = '2026-01-01 00:00:00' WHERE "Value" IN ('bulk1@example.com', 'bulk2@example.com', 'bulk3@example.com');
            """);
        var three = await list.ListAsync(query, host.Viewer);
        Assert.Equal((3, false), (three.Total, three.TotalIsLowerBound));
        Assert.Equal(["bulk3@example.com", "bulk2@example.com", "bulk1@example.com"], three.Items.Select(r => r.Value));

        // More expired entries than the limit: the filter decides as before (bulk1000@ and bulk10000@ … bulk10005@).
        await host.Database.ExecuteAsync("""UPDATE "ExceptionEntries" SET "ExpiresAt" = '2026-01-01 00:00:00' WHERE "Comment" = 'Bulk list';""");
        var many = await list.ListAsync(query with { Filter = query.Filter with { Value = "bulk1000" } }, host.Viewer);
        Assert.Equal((7, false, 7), (many.Total, many.TotalIsLowerBound, many.Items.Count));
    }

    public static readonly TheoryData<ExceptionFilter, int> CommonTextPages = new()
    {
        { new ExceptionFilter(Comment: "bulk", Status: EntryStatus.Active), 0 },
        { new ExceptionFilter(Comment: "bu"), 0 },
        { new ExceptionFilter(Comment: "ph", Type: EntryType.Phone), 0 },
        { new ExceptionFilter(Comment: "bulk"), 0 },
        { new ExceptionFilter(Comment: "bulk"), 10_020 },
        { new ExceptionFilter(Comment: "bulk", Type: EntryType.Email), 0 },
        { new ExceptionFilter(Comment: "bulk", Value: "bulk1000"), 0 },
        { new ExceptionFilter(Value: "example.com"), 100 },
    };

    [Theory]
    [MemberData(nameof(CommonTextPages))]
    public async Task X5_the_newest_page_of_a_text_too_common_for_the_candidates_is_the_page_a_scan_gives(ExceptionFilter filter, int skip)
    {
        // The common text's matches are old, under newer rows that do not match: the page comes from the
        // index newest first (or, when the other conditions drop most, from the scan), never different.
        await AddBulkListAsync(TextSearchTerms.MaxCandidates + 5);
        await AddNumberedAsync(300, "Email", "'other' || i || '@example.org'", "'Partner'");
        await AddBulkPhonesAsync();
        await host.Database.ExecuteAsync("""
            UPDATE "ExceptionEntries" SET "ExpiresAt" = '2026-01-01 00:00:00' WHERE "Value" LIKE 'bulk%7@example.com';
            """);
        var scanned = await ScannedPageAsync(filter, skip);
        Assert.NotEmpty(scanned);

        Assert.Equal(scanned, await NewestPageAsync(filter, skip));
        await IndexEverythingAsync();
        Assert.Equal(scanned, await NewestPageAsync(filter, skip));
    }

    [Theory]
    [InlineData("12000", null, "Phone,PhonePrefix:12000 | Email,EmailDomain,EmailDomainTree:12000")]
    [InlineData("12000", EntryType.Email, "Email:12000")]
    [InlineData("+1 415 555", EntryType.PhonePrefix, "PhonePrefix:1415555")]
    [InlineData("415 555", null, "Phone,PhonePrefix:415555 | Email,EmailDomain,EmailDomainTree:415 555")]
    [InlineData("sender1", null, "Email,EmailDomain,EmailDomainTree:sender1")]
    [InlineData("почта", null, "Email,EmailDomain,EmailDomainTree:xn--80a1acny,почта")]
    [InlineData("sender1", EntryType.Phone, "")]
    [InlineData("+1 2", null, "Phone,PhonePrefix:12 | Email,EmailDomain,EmailDomainTree:+1 2")]
    [InlineData("ab", EntryType.Email, "Email:ab")]
    [InlineData("AB", null, "Email,EmailDomain,EmailDomainTree:ab")]
    [InlineData("😀", null, "Email,EmailDomain,EmailDomainTree:😀")]
    [InlineData("a😀", EntryType.Email, "Email:xn--a-jv3s,a😀")]
    [InlineData("00", EntryType.EmailDomain, "EmailDomain:00")]
    [InlineData("00", null, "Phone,PhonePrefix:00 | Email,EmailDomain,EmailDomainTree:00")]
    [InlineData("7", EntryType.Phone, "Phone:7")]
    public void A_value_query_is_looked_up_on_phones_by_its_digits_and_on_other_entries_by_its_text_for_the_filters_type_only(
        string value, EntryType? type, string? arms)
    {
        // X5: a phone matches on the query's digits, anything else on the text; "12000" of type Email must not read phones.
        var terms = TextSearchTerms.Of(new StoreNames<ExceptionEntry>(SqliteModel()), new ExceptionFilter(Value: value, Type: type)).ToList();
        var written = terms is [var term] ? string.Join(" | ", term.Arms.Select(a => $"{string.Join(",", a.Types!)}:{string.Join(",", a.Texts)}")) : null;
        Assert.Equal(arms, written);
        Assert.Equal(arms == "", terms is [{ MatchesNothing: true }]);
    }

    [Theory]
    [InlineData("ab", true)]
    [InlineData("a😀", true)]
    [InlineData("😀😀", true)]
    [InlineData("abc", false)]
    [InlineData("😀😀😀", false)]
    public void A_text_is_too_short_for_trigrams_by_its_characters_not_its_UTF16_units(string text, bool isShort) =>
        Assert.Equal(isShort, TextSearchTerms.IsShort(text));

    [Theory]
    [InlineData("spam", null, true, true)]
    [InlineData("sp", null, true, true)]
    [InlineData(null, "sender1", true, true)]
    [InlineData("spam", "sender1", true, false)]
    [InlineData("spam", "12", true, false)]
    public void Candidates_can_be_the_filters_exact_matches_only_through_every_text_it_has(string? comment, string? value, bool byAll, bool byFirst)
    {
        var filter = new ExceptionFilter(Comment: comment, Value: value);
        var terms = TextSearchTerms.Of(new StoreNames<ExceptionEntry>(SqliteModel()), filter).ToList();
        Assert.Equal(byAll, TextSearchTerms.Covers(filter, terms));
        Assert.Equal(byFirst, TextSearchTerms.Covers(filter, terms.Take(1)));
    }

    /// <summary>The model as the SQLite context builds it (names only: nothing is opened).</summary>
    private static Microsoft.EntityFrameworkCore.Metadata.IModel SqliteModel()
    {
        using var db = new CrmDbContext(CrmDataExtensions.ContextOptions(DatabaseProvider.Sqlite, "Data Source=:memory:"));
        return db.Model;
    }

    [Theory]
    [InlineData("spam", "*spam*")]
    [InlineData("50% off [promo]*?", "*50% off [[]promo][*][?]*")]
    public void A_glob_pattern_takes_the_persons_wildcards_literally(string text, string pattern) =>
        Assert.Equal(pattern, SqliteExceptionSearch.GlobContaining(text));

    [Theory]
    [InlineData("spam", "\"spa\" AND \"pam\"")]
    [InlineData("list7.example", "\"lis\" AND \"st7\" AND \"t7.\" AND \"7.e\" AND \"exa\" AND \"mpl\" AND \"ple\"")]
    [InlineData("415", "\"415\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("спам бот", "\"спа\" AND \"м б\" AND \"бот\"")]
    [InlineData("x😀yz", "\"x😀y\" AND \"😀yz\"")]
    public void An_index_query_asks_for_trigrams_that_cover_every_character_and_those_with_digits_each_quoted(string text, string query) =>
        Assert.Equal(query, SqliteExceptionSearch.TrigramQuery(text));

    [Theory]
    [InlineData("list7.example", "lis|ist|st7|t7 |  e| ex|exa|xam|amp|mpl|ple")]
    [InlineData("st7.", "st7|t7 ")]
    [InlineData(".ab", "  a| ab")]
    [InlineData("a.b", "  b")]
    [InlineData("ab", "")]
    [InlineData("Batch 1", "bat|atc|tch|ch |  1")]
    [InlineData("x@y-z.com", "  y| y |  z| z |  c| co|com")]
    public void PostgreSQL_looks_up_the_trigrams_pg_trgm_keeps_for_a_LIKE_of_the_text_anywhere(string text, string trigrams) =>
        Assert.Equal(trigrams.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(), PostgresExceptionSearch.WildcardTrigramsOf(text).Order());

    public static TheoryData<string, int, string, string?> RareParts() => new()
    {
        // The domain's trigrams are common (in 900 of 2,000 rows), "st7" in 90 and "t7 " in 3: the run with both.
        { "list7.example", 2_000, "lis:900 ist:900  ex:900   e:900 exa:900 xam:900 amp:900 mpl:900 ple:900 st7:90 t7 :3", "st7." },
        // Nothing common: the whole text.
        { "list7.example", 2_000, "st7:90 t7 :3", null },
        // Every run holds a common trigram.
        { "example", 2_000, "exa:900 xam:900 amp:900 mpl:900 ple:900", null },
        // The rarest trigram of any run is in more than one row in a hundred.
        { "list7.example", 2_000, "lis:900 ist:900  ex:900   e:900 exa:900 xam:900 amp:900 mpl:900 ple:900 st7:90 t7 :90", null },
        // Too small a sample, LIKE's own characters, other than ASCII.
        { "list7.example", 999, "lis:900 exa:900", null },
        { "list7_example", 2_000, "lis:900 exa:900", null },
        // The run with the most rare trigrams, all of them in no sampled row.
        { "liste7.exemple", 2_000, "lis:900 exe:900", "iste7.ex" },
        { "líst7.example", 2_000, "exa:900", null },
    };

    [Theory]
    [MemberData(nameof(RareParts))]
    public void PostgreSQL_looks_a_text_up_by_its_rarest_run_only_when_the_whole_has_a_common_trigram(string text, int rows, string counts, string? part)
    {
        var sampled = Regex.Matches(counts, @"(...):(\d+)").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(part, PostgresExceptionSearch.RarePartOf(text, rows, sampled));
    }

    [Theory]
    // Of 2,000 sampled entries: common in 100 or more, rare in 20 or fewer.
    [InlineData("list7.example", 2_000, "lis:900 exa:900 xam:900 amp:900 mpl:900 ple:900 st7:90 t7.:3 7.e:90", "\"st7\" AND \"t7.\" AND \"7.e\"")]
    [InlineData("list7.example", 2_000, "", "\"lis\" AND \"st7\" AND \"t7.\" AND \"7.e\" AND \"exa\" AND \"mpl\" AND \"ple\"")]
    [InlineData("spam", 2_000, "spa:900 pam:900", "\"spa\" AND \"pam\"")]
    [InlineData("abcdef", 2_000, "abc:900 def:900", "\"bcd\" AND \"cde\"")]
    [InlineData("abcdef", 2_000, "abc:900", "\"def\"")]
    // The rest not rare: the common lists together may narrow more, and all are asked.
    [InlineData("abcdef", 2_000, "abc:900 def:90 bcd:90 cde:90", "\"abc\" AND \"def\"")]
    // Too small a sample to tell.
    [InlineData("abcdef", 499, "abc:499", "\"abc\" AND \"def\"")]
    public void An_index_query_leaves_out_common_trigrams_while_a_rare_one_remains(string text, int rows, string counts, string query) =>
        Assert.Equal(query, SqliteExceptionSearch.TrigramQuery(text, new SqliteExceptionSearch.TrigramCounts(rows,
            counts.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToDictionary(c => c[..3], c => int.Parse(c[4..], System.Globalization.CultureInfo.InvariantCulture)))));

    /// <summary>The ids of the newest <paramref name="count"/> emails whose value holds <paramref name="text"/>, newest first, by a plain query.</summary>
    private static Task<List<long>> NewestEmailsHoldingAsync(CrmDbContext db, string text, int count) =>
        db.ExceptionEntries.Where(e => e.Type == EntryType.Email && e.Value.Contains(text)).OrderByDescending(e => e.Id).Select(e => e.Id).Take(count).ToListAsync();

    /// <summary>Adds <paramref name="count"/> emails bulk1@example.com … commented "Bulk list", straight into the table as another writer would.</summary>
    private Task AddBulkListAsync(int count) => AddNumberedAsync(count, "Email", "'bulk' || i || '@example.com'", "'Bulk list'");

    /// <summary>
    /// Entries holding "07" both ways, in "Tele list" (10,005 emails, some holding it, 6 phones and 4 prefixes holding it) and
    /// outside it (200 phones, 300 emails, 3 phones: the newest), beside 2,000 bulk emails: "07" is in a few percent of the entries.
    /// </summary>
    private async Task AddDigitsInTwoWaysAsync()
    {
        await AddBulkListAsync(2_000);
        await AddNumberedAsync(TextSearchTerms.MaxCandidates + 5, "Email", "'tele' || i || '@list.example'", "'Tele list'");
        await AddNumberedAsync(6, "Phone", "'+4930700' || (1000 + i)", "'Tele list'");
        await AddNumberedAsync(4, "PhonePrefix", "'+4930700' || i || '*'", "'Tele list'");
        await AddNumberedAsync(200, "Phone", "'+4930700' || (2000 + i)", "'Other list'");
        await AddNumberedAsync(300, "Email", "'x07y' || i || '@other.example'", "'Other list'");
        await AddNumberedAsync(3, "Phone", "'+4930799' || (1000 + i)", "'Other list'");
    }

    /// <summary>Adds 30 phones +12125551001 … commented "Bulk phone".</summary>
    private Task AddBulkPhonesAsync() => AddNumberedAsync(30, "Phone", "'+1212555' || (1000 + i)", "'Bulk phone'");

    /// <summary>
    /// Adds <paramref name="count"/> entries of one type, numbered i = 1 … count, straight into the table as another
    /// writer would; <paramref name="valueSql"/> and <paramref name="commentSql"/> are SQL expressions of i (the
    /// folded comment is its lower case).
    /// </summary>
    private Task AddNumberedAsync(int count, string type, string valueSql, string commentSql) => host.Database.ExecuteAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count})
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
            SELECT '{type}', {valueSql}, {commentSql}, lower({commentSql}), 'Api', '2026-11-22 09:30:00', 'test', 0 FROM n;
            """);

    private async Task IndexEverythingAsync()
    {
        await using var db = host.Database.CreateDbContext();
        if (provider == DatabaseProvider.Sqlite)
        {
            while (await host.Get<ExceptionSearchIndexer>().IndexNextBatchAsync() > 0)
            {
            }

            var mark = await db.Database.SqlQueryRaw<long>("""SELECT "IndexedUpTo" AS "Value" FROM "ExceptionSearchState" """).SingleAsync();
            Assert.Equal(await db.ExceptionEntries.MaxAsync(e => e.Id), mark);
        }
        else
        {
            Assert.True(await host.Get<PostgresExceptionSearchIndexer>().IndexBacklogAsync() > 0);
            Assert.Equal(0, await BacklogRangesAsync());
        }
    }

    private async Task<int> BacklogRangesAsync()
    {
        await using var db = host.Database.CreateDbContext();
        return await db.Database.SqlQueryRaw<int>("""SELECT count(*)::int AS "Value" FROM "ExceptionSearchBacklog" """).SingleAsync();
    }

    /// <summary>The index holds every entry's current texts and nothing else: a change or removal its triggers missed fails here.</summary>
    private async Task AssertIndexMatchesEntriesAsync()
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            // FTS5 compares the index with its content table.
            await host.Database.ExecuteAsync("""INSERT INTO "ExceptionSearch" ("ExceptionSearch", rank) VALUES ('integrity-check', 1);""");
            await host.Database.ExecuteAsync("""INSERT INTO "ExceptionValueSearch" ("ExceptionValueSearch", rank) VALUES ('integrity-check', 1);""");
            await host.Database.ExecuteAsync("""INSERT INTO "ExceptionPhoneSearch" ("ExceptionPhoneSearch", rank) VALUES ('integrity-check', 1);""");
            // Every indexed entry with a comment is listed under its current pair of comment and type, and nothing else is.
            await using var sqlite = host.Database.CreateDbContext();
            var mismatched = await sqlite.Database.SqlQueryRaw<int>("""
                WITH expected AS (
                    SELECT c."Id" AS "CommentId", e."Id" AS "EntryId" FROM "ExceptionEntries" AS e
                    JOIN "ExceptionSearchComments" AS c ON c."CommentFolded" = e."CommentFolded" AND c."Type" = e."Type"
                    WHERE e."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState"))
                SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT "CommentId", "EntryId" FROM "ExceptionSearchCommentEntries"))
                    + (SELECT count(*) FROM (SELECT "CommentId", "EntryId" FROM "ExceptionSearchCommentEntries" EXCEPT SELECT * FROM expected)) AS "Value"
                """).SingleAsync();
            var unlistedComments = await sqlite.Database.SqlQueryRaw<int>("""
                SELECT count(*) AS "Value" FROM "ExceptionEntries" AS e
                WHERE e."Id" <= (SELECT "IndexedUpTo" FROM "ExceptionSearchState") AND e."CommentFolded" IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM "ExceptionSearchComments" AS c WHERE c."CommentFolded" = e."CommentFolded" AND c."Type" = e."Type")
                """).SingleAsync();
            Assert.Equal((0, 0), (mismatched, unlistedComments));
            await AssertDigitWindowsMatchEntriesAsync();
            return;
        }

        await using var db = host.Database.CreateDbContext();
        var differences = await db.Database.SqlQueryRaw<int>("""
            SELECT count(*)::int AS "Value" FROM "ExceptionSearch" AS s FULL JOIN "ExceptionEntries" AS e ON e."Id" = s."EntryId"
            WHERE s."EntryId" IS NULL OR e."Id" IS NULL OR s."Value" <> e."Value" OR s."CommentFolded" IS DISTINCT FROM e."CommentFolded"
                OR s."Type" <> e."Type"
            """).SingleAsync();
        Assert.Equal(0, differences);
        // Every comment a search row holds, with its type, is among the distinct comments the comment filter looks up.
        var unlisted = await db.Database.SqlQueryRaw<int>("""
            SELECT count(*)::int AS "Value" FROM "ExceptionSearch" AS s
            WHERE s."CommentFolded" IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM "ExceptionSearchComments" AS c WHERE c."CommentFolded" = s."CommentFolded" AND c."Type" = s."Type")
            """).SingleAsync();
        Assert.Equal(0, unlisted);
    }

    /// <summary>
    /// SQLite's digit windows (migration PhoneDigitWindowIndex) are exactly <see cref="PhoneDigitWindows.Of"/> of every phone and number prefix
    /// the index has reached, keyed by type (<see cref="SqlitePhoneDigitWindows.Key"/>), and nothing else.
    /// </summary>
    private async Task AssertDigitWindowsMatchEntriesAsync()
    {
        await using var db = host.Database.CreateDbContext();
        var mark = await db.Database.SqlQueryRaw<long>("""SELECT "IndexedUpTo" AS "Value" FROM "ExceptionSearchState" """).SingleAsync();
        var entries = await db.ExceptionEntries.Where(e => e.Id <= mark && (e.Type == EntryType.Phone || e.Type == EntryType.PhonePrefix))
            .Select(e => new { e.Id, e.Type, e.Value }).ToListAsync();
        var expected = entries.SelectMany(e => PhoneDigitWindows.Of(e.Value).Select(w => $"{SqlitePhoneDigitWindows.Key(e.Type, w)}:{e.Id}")).Order(StringComparer.Ordinal).ToList();
        var written = await db.Database.SqlQueryRaw<string>(
            $"""SELECT "Window" || ':' || "EntryId" AS "Value" FROM "{SqlitePhoneDigitWindows.Table}" """).ToListAsync();
        Assert.Equal(expected, written.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>How many rows SQLite's digit windows' table holds.</summary>
    private async Task<long> DigitWindowRowsAsync()
    {
        await using var db = host.Database.CreateDbContext();
        return await db.Database.SqlQueryRaw<long>($"""SELECT count(*) AS "Value" FROM "{SqlitePhoneDigitWindows.Table}" """).SingleAsync();
    }

    private Task<TextCandidates?> CandidatesAsync(CrmDbContext db, ExceptionFilter filter) =>
        host.Get<IExceptionTextSearch>().CandidatesAsync(db, filter, default);

    /// <summary>The list service over this search instead of the host's.</summary>
    private ExceptionListService ListWith(IExceptionTextSearch search) =>
        new(host.Get<IDbContextFactory<CrmDbContext>>(), host.Get<IExceptionEntryWriters>(), search,
            host.Get<CrmAdmin.Features.Access.CrmAuthorizer>(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ExceptionListService>.Instance);

    private async Task<long[]> NewestPageAsync(ExceptionFilter filter, int skip) =>
        (await list.ListAsync(new ExceptionListQuery(filter, skip, 50), host.Viewer)).Items.Select(r => r.Id).ToArray();

    /// <summary>The same page from every match, read oldest first (a sort the index never answers) and turned round.</summary>
    private async Task<long[]> ScannedPageAsync(ExceptionFilter filter, int skip)
    {
        var all = new List<long>();
        for (var page = 0; ; page += ExceptionListQuery.MaxTake)
        {
            var rows = (await list.ListAsync(new ExceptionListQuery(filter, page, ExceptionListQuery.MaxTake, Descending: false), host.Viewer)).Items;
            all.AddRange(rows.Select(r => r.Id));
            if (rows.Count < ExceptionListQuery.MaxTake)
            {
                return all.AsEnumerable().Reverse().Skip(skip).Take(50).ToArray();
            }
        }
    }

    /// <summary>
    /// <paramref name="atOneDomain"/> addresses at example.test (their trigrams "exa", "xam", "amp", "mpl", "ple" are in most entries), 20 at
    /// list8.example.test (they hold "lis" too) and three at list7.example.test, the three matches of "list7.example".
    /// </summary>
    private async Task AddAddressesOfCommonTrigramsAsync(int atOneDomain)
    {
        await AddNumberedAsync(atOneDomain, "Email", "'user' || i || '@example.test'", "'Bulk'");
        await AddNumberedAsync(20, "Email", "'b' || i || '@list8.example.test'", "'Near'");
        await AddNumberedAsync(3, "Email", "'a' || i || '@list7.example.test'", "'Listed'");
    }

    /// <summary>The ids of the entries holding the filter's comment and value texts (any case), in order, by a plain scan of the entries.</summary>
    private async Task<long[]> ScanAsync(ExceptionFilter filter)
    {
        await using var db = host.Database.CreateDbContext();
        var (comment, value) = (filter.Comment!.ToLowerInvariant(), filter.Value!.ToLowerInvariant());
        return await db.ExceptionEntries.Where(e => e.Comment!.ToLower().Contains(comment) && e.Value.ToLower().Contains(value))
            .Select(e => e.Id).OrderBy(id => id).ToArrayAsync();
    }

    private async Task<string[]> ValuesAsync(ExceptionFilter filter) =>
        (await list.ListAsync(new ExceptionListQuery(filter, SortBy: ExceptionSortColumn.Value, Descending: false), host.Viewer))
        .Items.Select(r => r.Value).ToArray();
}
