using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Speed must not cost correctness: the bulk path (one prepared INSERT … ON CONFLICT DO NOTHING per
/// line) gives every line the status the obvious slow path gives — look each line up, then add it
/// through EF Core — on the same mixed input over the same existing list.
/// </summary>
[LongRunning]
public abstract class ImportFastPathTests(DatabaseProvider provider)
{
    public sealed class OnSqlite() : ImportFastPathTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : ImportFastPathTests(DatabaseProvider.Postgres);

    private static string MixedInput()
    {
        var random = new Random(11);
        var lines = new List<string>();
        for (var i = 0; i < 3_000; i++)
        {
            var n = random.Next(0, 1_500);
            lines.Add((random.Next(8)) switch
            {
                0 => $"+1 646 555 {n:0000};phone {i}",
                1 => $"001 (646) 555-{n:0000};same number, other spelling {i}",
                2 => $"user{n}@example.com;email {i}",
                3 => $"USER{n}@Example.com",
                4 => $"@domain{n % 50}.example.org;domain",
                5 => $"646555{n:0000};no plus",
                6 => "",
                _ => $"bad value {n}",
            });
        }

        return string.Join("\n", lines);
    }

    private const string Existing = "+1 646 555 0001;listed\nuser7@example.com;listed\n@domain3.example.org;listed";

    [Fact]
    public async Task The_bulk_path_gives_every_line_the_status_the_slow_path_gives()
    {
        var input = MixedInput();
        await using var host = await ServiceTestHost.CreateAsync(provider: provider);
        var importer = host.Get<ExceptionImportService>();
        await importer.ImportAsync(Existing, EntrySource.Settings, host.Supervisor);

        var fast = await importer.ImportAsync(input, EntrySource.Settings, host.Supervisor);
        var slow = await SlowImportAsync(input);

        Assert.Equal(slow.Select(s => (s.Line, s.Status)), fast.Problems.Select(p => (p.Line, p.Status)));
        Assert.Equal(slow.Count(s => s.Status == ImportLineStatus.AlreadyListed), fast.AlreadyListed);
        await using var db = host.Database.CreateDbContext();
        Assert.Equal(fast.Added + 3, await db.ExceptionEntries.CountAsync());
    }

    /// <summary>
    /// Listed values met only after whole batches of new ones (the first batch is 1,000 lines, the rest 10,000):
    /// PostgreSQL's writer COPYs an import's batches without looking them up until one meets a listed value, so
    /// the 11,000th line's listed value fails a COPY that had written 9,999 rows. That batch must roll back and be
    /// written again with its listed values AlreadyListed, every entry added and audited once, the listed ones untouched.
    /// </summary>
    [Fact]
    public async Task Listed_values_after_whole_batches_of_new_ones_are_AlreadyListed_and_each_added_entry_is_audited_once()
    {
        await using var host = await ServiceTestHost.CreateAsync(provider: provider);
        var importer = host.Get<ExceptionImportService>();
        await importer.ImportAsync(Existing, EntrySource.Settings, host.Supervisor);
        var lines = Enumerable.Range(1, 11_500).Select(i => $"new{i}@example.net;new {i}").ToArray();
        lines[11_000 - 1] = "USER7@example.com;again";
        lines[11_250 - 1] = "+1 (646) 555-0001;again";

        var report = await importer.ImportAsync(string.Join("\n", lines), EntrySource.Settings, host.Supervisor);

        Assert.Equal([(11_000, ImportLineStatus.AlreadyListed), (11_250, ImportLineStatus.AlreadyListed)],
            report.Problems.Select(p => (p.Line, p.Status)));
        Assert.Equal((11_498, 2), (report.Added, report.AlreadyListed));
        await using var db = host.Database.CreateDbContext();
        Assert.Equal(3 + 11_498, await db.ExceptionEntries.CountAsync());
        Assert.Equal(["listed", "listed"], await db.ExceptionEntries
            .Where(e => e.Value == "user7@example.com" || e.Value == "+16465550001").Select(e => e.Comment).ToListAsync());
        var added = db.AuditEntries.Where(a => a.Action == AuditAction.ExceptionAdded);
        Assert.Equal(3 + 11_498, await added.CountAsync());
        Assert.Equal(3 + 11_498, await added.Select(a => a.Value).Distinct().CountAsync());
    }

    /// <summary>
    /// The obvious implementation: the stored list read once, each line looked up in it and in the lines before it, the
    /// new entries added through EF Core change tracking in one save (a unique index refuses a wrong addition): easy to
    /// trust, and no SQL of the bulk path's. It queried the database once per line and saved each entry on its own
    /// before: 4,500 round trips, 9–76 s of the test command on a busy 2-core machine, for the same answer (the lines
    /// before a line are the in-input duplicates, and only the stored list is left to look up).
    /// </summary>
    private async Task<List<(int Line, ImportLineStatus Status)>> SlowImportAsync(string input)
    {
        await using var host = await ServiceTestHost.CreateAsync(provider: provider);
        await host.Get<ExceptionImportService>().ImportAsync(Existing, EntrySource.Settings, host.Supervisor);
        await using var db = host.Database.CreateDbContext();
        var listed = (await db.ExceptionEntries.Select(e => new { e.Type, e.Value }).ToListAsync())
            .Select(e => (e.Type, e.Value)).ToHashSet();
        var seen = new HashSet<ContactPoint>();
        var problems = new List<(int, ImportLineStatus)>();
        foreach (var line in ImportLineParser.Parse(input))
        {
            if (line.Point is not { } point)
            {
                problems.Add((line.LineNumber, ImportLineStatus.Invalid));
            }
            else if (!seen.Add(point))
            {
                problems.Add((line.LineNumber, ImportLineStatus.DuplicateInInput));
            }
            else if (listed.Contains((point.Type, point.Value)))
            {
                problems.Add((line.LineNumber, ImportLineStatus.AlreadyListed));
            }
            else
            {
                db.ExceptionEntries.Add(new ExceptionEntry(point, line.Comment, EntrySource.Settings, "slow", DateTime.UtcNow));
            }
        }

        await db.SaveChangesAsync();
        return problems;
    }
}
