using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

public abstract class ExceptionImportServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ExceptionImportServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ExceptionImportServiceTests(DatabaseProvider.Postgres)
    {
        [Fact]
        public async Task I3_a_value_another_transaction_adds_while_the_batch_is_copied_is_already_listed_and_the_rest_added()
        {
            // The import's first COPY waits for the other transaction's add and, once that commits, fails on the unique
            // index; the batch is then looked up, finds it listed, and COPYs the rest.
            var report = await ImportWhileAnotherTransactionAddsAsync("a@example.com;one\nb@example.com;two\nc@example.com;three");

            Assert.Equal((2, 1), (report.Added, report.AlreadyListed));
            Assert.Equal([(2, ImportLineStatus.AlreadyListed)], report.Problems.Select(p => (p.Line, p.Status)));
            await using var db = database.CreateDbContext();
            Assert.Equal([("a@example.com", "one"), ("b@example.com", "theirs"), ("c@example.com", "three")],
                (await db.ExceptionEntries.OrderBy(e => e.Value).Select(e => new { e.Value, e.Comment }).ToListAsync()).Select(e => (e.Value, e.Comment)));
            Assert.Equal(["a@example.com", "c@example.com"],
                await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionAdded).OrderBy(a => a.Id).Select(a => a.Value!).ToListAsync());
        }

        [Fact]
        public async Task I3_a_value_another_transaction_adds_after_the_lookup_goes_the_general_way_and_is_already_listed()
        {
            // The listed first line fails the import's first COPY at once, so the batch is looked up; the lookup cannot see
            // the other transaction's uncommitted add, the COPY of the rest waits for it and fails once it commits, and the
            // batch goes the general way (staging table, ON CONFLICT DO NOTHING).
            await service.ImportAsync("listed@example.com;before", EntrySource.Settings, host.Supervisor);

            var report = await ImportWhileAnotherTransactionAddsAsync("listed@example.com;again\na@example.com;one\nb@example.com;two\nc@example.com;three");

            Assert.Equal((2, 2), (report.Added, report.AlreadyListed));
            Assert.Equal([(1, ImportLineStatus.AlreadyListed), (3, ImportLineStatus.AlreadyListed)], report.Problems.Select(p => (p.Line, p.Status)));
            await using var db = database.CreateDbContext();
            Assert.Equal([("a@example.com", "one"), ("b@example.com", "theirs"), ("c@example.com", "three"), ("listed@example.com", "before")],
                (await db.ExceptionEntries.OrderBy(e => e.Value).Select(e => new { e.Value, e.Comment }).ToListAsync()).Select(e => (e.Value, e.Comment)));
            Assert.Equal(["listed@example.com", "a@example.com", "c@example.com"],
                await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionAdded).OrderBy(a => a.Id).Select(a => a.Value!).ToListAsync());
        }

        /// <summary>Imports <paramref name="text"/> while another transaction holds an uncommitted add of b@example.com, committed once the import waits for it.</summary>
        private async Task<ImportReport> ImportWhileAnotherTransactionAddsAsync(string text)
        {
            await using var other = database.CreateDbContext();
            await using var adding = await other.Database.BeginTransactionAsync();
            await other.Database.ExecuteSqlRawAsync("""
                INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "Source", "CreatedAt", "CreatedBy", "HitCount")
                VALUES ('Email', 'b@example.com', 'theirs', 'Api', now(), 'other@test.local', 0)
                """);

            var import = Task.Run(() => service.ImportAsync(text, EntrySource.Settings, host.Supervisor));
            await WaitForALockWaitAsync(other);
            Assert.False(import.IsCompleted);
            await adding.CommitAsync();
            return await import;
        }

        private static async Task WaitForALockWaitAsync(CrmDbContext db)
        {
            for (var waited = 0; waited < 100; waited++)
            {
                var waiting = await db.Database.SqlQueryRaw<int>(
                    "SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").SingleAsync();
                if (waiting > 0)
                {
                    return;
                }

                await Task.Delay(100);
            }

            throw new TimeoutException("The import never waited for the other transaction's add.");
        }
    }

    [Fact]
    public async Task I3_two_imports_at_once_of_the_same_lines_in_opposite_orders_both_succeed_and_add_each_entry_once()
    {
        // Each import is one transaction over several batches; on PostgreSQL each waited for the other's uncommitted rows of
        // the same values, in opposite orders, and one of them ended on "deadlock detected" (a 503 from the API).
        var lines = Enumerable.Range(0, 25_000).Select(i => $"both{i}@example.com;line {i}").ToList();
        var forward = string.Join("\n", lines);
        lines.Reverse();
        var backward = string.Join("\n", lines);

        var reports = await Task.WhenAll(
            Task.Run(() => service.ImportAsync(forward, EntrySource.Settings, host.Supervisor)),
            Task.Run(() => service.ImportAsync(backward, EntrySource.Settings, host.Administrator)));

        Assert.Equal((25_000, 25_000), (reports.Sum(r => r.Added), reports.Sum(r => r.AlreadyListed)));
        Assert.Contains(reports, r => r.Added == 25_000);
        await using var db = database.CreateDbContext();
        Assert.Equal(25_000, await db.ExceptionEntries.CountAsync());
        Assert.Equal(25_000, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ExceptionAdded));
    }

    [Fact]
    public async Task I12_the_full_report_is_in_the_database_for_its_owner_for_an_hour_and_the_newest_MaxReports_are_kept()
    {
        var clock = (FixedClock)host.Get<TimeProvider>();
        var reports = host.Get<ImportReportStore>();
        var first = await service.ImportAsync("+1 415 555 0100\nnot a number;x", EntrySource.Settings, host.Supervisor);

        using (var csv = new StreamReader((await reports.OpenAsync(first.FullReportId!, host.Supervisor))!))
        {
            var lines = (await csv.ReadToEndAsync()).TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("line,input,status,type,value,reason", lines[0]);
            Assert.StartsWith("2,not a number;x,Invalid,", lines[1]);
            Assert.Equal(2, lines.Length);
        }

        Assert.Null(await reports.OpenAsync(first.FullReportId!, host.Administrator));
        clock.Now += ImportReportStore.Lifetime;
        Assert.Null(await reports.OpenAsync(first.FullReportId!, host.Supervisor));

        var ids = new List<string>();
        for (var i = 0; i <= ImportReportStore.MaxReports; i++)
        {
            clock.Now += TimeSpan.FromSeconds(1);
            ids.Add((await service.ImportAsync($"user{i}@example.com\nnot a number {i}", EntrySource.Settings, host.Supervisor)).FullReportId!);
        }

        // The expired first report and the oldest past the cap are deleted by the purge each import starts behind its answer.
        var kept = new List<string>();
        for (var waited = 0; waited < 100 && !kept.Order().SequenceEqual(ids.Skip(1).Order()); waited++)
        {
            await Task.Delay(100);
            await using var db = database.CreateDbContext();
            kept = await db.ImportReportFiles.Select(r => r.Id).ToListAsync();
        }

        Assert.Equal(ids.Skip(1).Order(), kept.Order());
        Assert.Null(await reports.OpenAsync(ids[0], host.Supervisor));
        Assert.NotNull(await reports.OpenAsync(ids[^1], host.Supervisor));
    }

    [Fact]
    public async Task I12_an_import_that_rolls_back_leaves_no_report()
    {
        // The first batch (1,000 lines) is written, problems and all, before the parser meets the quote that never closes.
        var input = "+1 415 555 0100\n" + string.Join("\n", Enumerable.Range(0, 1_500).Select(i => $"not a number {i}")) + "\n\"never closed;x";
        await Assert.ThrowsAsync<ImportUnreadableException>(() => service.ImportAsync(input, EntrySource.Settings, host.Supervisor));

        await using var db = database.CreateDbContext();
        Assert.Empty(await db.ImportReportFiles.ToListAsync());
    }

    private ServiceTestHost host = default!;
    private TestDatabase database = default!;
    private ExceptionImportService service = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        database = host.Database;
        service = host.Get<ExceptionImportService>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task I2_every_line_gets_one_status_and_only_valid_new_lines_are_stored()
    {
        await service.ImportAsync("+1 415 555 0100;listed before", EntrySource.Settings, host.Supervisor);

        var report = await service.ImportAsync(
            "+14155550100;again\n" +        // AlreadyListed
            "sales@example.com;supplier\n" + // Added
            "not a phone\n" +               // Invalid
            "SALES@example.com\n" +          // DuplicateInInput
            "\n" +
            "@example.org;all of them",     // Added
            EntrySource.Settings, host.Supervisor);

        Assert.Equal((2, 1, 1, 1), (report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid));
        Assert.Equal([(1, ImportLineStatus.AlreadyListed), (3, ImportLineStatus.Invalid), (4, ImportLineStatus.DuplicateInInput)],
            report.Problems.Select(p => (p.Line, p.Status)));
        await using var db = database.CreateDbContext();
        Assert.Equal(["+14155550100", "@example.org", "sales@example.com"],
            await db.ExceptionEntries.OrderBy(e => e.Value).Select(e => e.Value).ToListAsync());
    }

    [Fact]
    public async Task I3_an_already_listed_line_keeps_the_existing_comment()
    {
        await service.ImportAsync("+14155550100;original", EntrySource.Settings, host.Supervisor);

        await service.ImportAsync("0014155550100;replacement", EntrySource.Api, host.Administrator);

        await using var db = database.CreateDbContext();
        var entry = await db.ExceptionEntries.SingleAsync();
        Assert.Equal(("original", EntrySource.Settings, "supervisor@test.local"), (entry.Comment, entry.Source, entry.CreatedBy));
    }

    [Fact]
    public async Task X1_added_entries_record_type_source_author_and_time()
    {
        await service.ImportAsync("+44 20 7946 0958;london office\n@Example.ORG", EntrySource.Telephony, host.Supervisor);

        await using var db = database.CreateDbContext();
        var entries = await db.ExceptionEntries.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([EntryType.Phone, EntryType.EmailDomain], entries.Select(e => e.Type));
        Assert.Equal(["+442079460958", "@example.org"], entries.Select(e => e.Value));
        Assert.Equal(["london office", null], entries.Select(e => e.Comment));
        Assert.All(entries, e => Assert.Equal((EntrySource.Telephony, "supervisor@test.local", FixedClock.Default.UtcDateTime, DateTimeKind.Utc),
            (e.Source, e.CreatedBy, e.CreatedAt, e.CreatedAt.Kind)));
    }

    [Fact]
    public async Task I3_a_failure_part_way_leaves_the_list_and_the_audit_log_as_they_were()
    {
        await service.ImportAsync("+14155550100;before", EntrySource.Settings, host.Supervisor);
        // A real database failure in the second batch, after the first batch was written in the same transaction.
        await database.ExecuteAsync(database.Provider == DatabaseProvider.Postgres
            ? """
              CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN IF NEW."Value" = 'user900@example.com' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$;
              CREATE TRIGGER refuse_one BEFORE INSERT ON "ExceptionEntries" FOR EACH ROW EXECUTE FUNCTION refuse_one();
              """
            : """
              CREATE TRIGGER refuse_one BEFORE INSERT ON ExceptionEntries WHEN NEW.Value = 'user900@example.com'
              BEGIN SELECT RAISE(ABORT, 'disk full'); END;
              """);
        var text = string.Join("\n", Enumerable.Range(1, 1200).Select(i => $"user{i}@example.com;bulk"));

        await Assert.ThrowsAnyAsync<Exception>(() => service.ImportAsync(text, EntrySource.Settings, host.Supervisor));

        await using var db = database.CreateDbContext();
        Assert.Equal(["+14155550100"], await db.ExceptionEntries.Select(e => e.Value).ToListAsync());
        Assert.Equal(2, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ExceptionAdded || a.Action == AuditAction.ExceptionsImported));
    }

    [Fact]
    public async Task X6_each_added_entry_and_the_import_itself_are_audited_with_who_and_where_from()
    {
        var report = await service.ImportAsync("+14155550100\nbad\nsales@example.com", EntrySource.Api, host.Administrator);

        await using var db = database.CreateDbContext();
        var audit = await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionAdded || a.Action == AuditAction.ExceptionsImported)
            .OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(report.Added + 1, audit.Count);
        Assert.Equal(["+14155550100", "sales@example.com"],
            audit.Where(a => a.Action == AuditAction.ExceptionAdded).Select(a => a.Value).OrderBy(v => v));
        var summary = Assert.Single(audit, a => a.Action == AuditAction.ExceptionsImported);
        Assert.Contains("2 added", summary.Details);
        Assert.Contains("1 invalid", summary.Details);
        Assert.All(audit, a => Assert.Equal(("admin@test.local", EntrySource.Api, FixedClock.Default.UtcDateTime), (a.Actor, a.Source, a.At)));
    }

    [Fact]
    public async Task Import_of_many_batches_adds_them_all_and_reports_progress()
    {
        var text = string.Join("\r\n", Enumerable.Range(0, 12_000).Select(i => $"+1 415 {i / 10000 + 200:000} {i % 10000:0000};line {i}"));
        var seen = new List<int>();

        var report = await service.ImportAsync(text, EntrySource.Settings, host.Supervisor, new SynchronousProgress(p => seen.Add(p.LinesRead)));

        Assert.Equal(12_000, report.Added);
        Assert.NotEmpty(seen);
        Assert.Equal(seen.Order(), seen);
        await using var db = database.CreateDbContext();
        Assert.Equal(12_000, await db.ExceptionEntries.CountAsync());
    }


    [Fact]
    public async Task I2_X6_batches_partly_listed_already_report_each_line_and_audit_only_the_added_in_order()
    {
        // Every 7th of 5,000 lines (several writer batches) is listed already; one batch is listed whole.
        var listed = Enumerable.Range(0, 5_000).Where(i => i % 7 == 0 || i is >= 2_000 and < 4_000).Select(Email).ToList();
        await service.ImportAsync(string.Join("\n", listed), EntrySource.Settings, host.Supervisor);
        await using (var before = database.CreateDbContext())
        {
            await before.AuditEntries.ExecuteDeleteAsync();
        }

        var report = await service.ImportAsync(string.Join("\n", Enumerable.Range(0, 5_000).Select(i => $"{Email(i)};batch")), EntrySource.Api, host.Supervisor);

        var added = Enumerable.Range(0, 5_000).Select(Email).Except(listed).ToList();
        Assert.Equal((added.Count, listed.Count), (report.Added, report.AlreadyListed));
        Assert.Equal(listed.Take(report.Problems.Count), report.Problems.Select(p => Email(p.Line - 1)));
        Assert.All(report.Problems, p => Assert.Equal(ImportLineStatus.AlreadyListed, p.Status));
        await using var db = database.CreateDbContext();
        var audited = await db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionAdded).OrderBy(a => a.Id).Select(a => a.Value!).ToListAsync();
        Assert.Equal(added, audited);
        Assert.Equal(added.Count, await db.ExceptionEntries.CountAsync(e => e.Comment == "batch"));

        static string Email(int i) => $"lead{i:0000}@example.com";
    }
    [Fact]
    public async Task A_cancelled_import_adds_nothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            service.ImportAsync("+14155550100", EntrySource.Settings, host.Supervisor, null, cancelled.Token));

        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.ExceptionEntries.CountAsync());
    }

    [Theory]
    [InlineData("Viewer")]
    [InlineData("Intern")]
    [InlineData("Anonymous")]
    public async Task P3_the_service_refuses_an_import_by_anyone_without_Edit(string who)
    {
        var user = who switch { "Viewer" => host.Viewer, "Intern" => host.Intern, _ => ServiceTestHost.Anonymous };

        await Assert.ThrowsAsync<AccessDeniedException>(() => service.ImportAsync("+14155550100", EntrySource.Api, user));

        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.ExceptionEntries.CountAsync());
        Assert.Equal(0, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ExceptionsImported));
    }

    [Fact]
    public async Task Two_imports_of_the_same_lines_at_once_both_succeed_and_add_each_entry_once()
    {
        var text = string.Join("\n", Enumerable.Range(1, 3000).Select(i => $"user{i}@example.com;concurrent"));

        var reports = await Task.WhenAll(
            Task.Run(() => service.ImportAsync(text, EntrySource.Api, host.Supervisor)),
            Task.Run(() => service.ImportAsync(text, EntrySource.Settings, host.Administrator)));

        Assert.Equal(3000, reports.Sum(r => r.Added));
        Assert.Equal(3000, reports.Sum(r => r.AlreadyListed));
        await using var db = database.CreateDbContext();
        Assert.Equal(3000, await db.ExceptionEntries.CountAsync());
        Assert.Equal(3000, await db.AuditEntries.CountAsync(a => a.Action == AuditAction.ExceptionAdded));
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
