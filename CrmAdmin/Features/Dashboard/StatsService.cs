using System.Globalization;
using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Dashboard;

/// <summary>Blocked calls and emails of one UTC day.</summary>
public sealed record BlockedDay(DateOnly Day, int Calls, int Emails);

/// <summary>An exception entry and how many applied calls, emails, chats and forms it blocked in the range.</summary>
public sealed record BlockedEntry(long EntryId, EntryType Type, string Value, int Hits);

/// <summary>
/// What the exception list blocked from <see cref="From"/> to <see cref="To"/> (UTC days, both included):
/// every day of the range in order, zero days included, and the entries that blocked most.
/// </summary>
public sealed record BlockedStats(DateOnly From, DateOnly To, IReadOnlyList<BlockedDay> Days, IReadOnlyList<BlockedEntry> Top);

/// <summary>How many entries of one type the list holds.</summary>
public sealed record EntryCount(EntryType Type, int Count);

/// <summary>An import as the imports history (I10) records it: when, by whom, through which entry point, and its counts in words.</summary>
public sealed record RecentImport(DateTime At, string By, EntrySource Source, string? Summary);

/// <summary>The start page's figures, read together.</summary>
public sealed record DashboardSummary(BlockedStats Blocked, IReadOnlyList<EntryCount> EntriesByType, IReadOnlyList<RecentImport> LastImports);

/// <summary>A statistics request that cannot be answered as asked (bad dates, a range too long): 400 on the API.</summary>
public sealed class StatsRequestException(string message) : RequestRefusedException(message);

/// <summary>
/// The dashboard's statistics (SPEC §9 <c>GET /api/stats/blocked</c>), for the start page and the API alike.
/// Counted from <see cref="BlockedEvent"/> rows, which only applied decisions write (a dry run blocks
/// nothing), by UTC day. Needs View on the exception list (P3).
/// </summary>
public sealed class StatsService(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock)
{
    /// <summary>The longest range one request may ask for, in days (both ends included).</summary>
    public const int MaxDays = 366;

    /// <summary>The range when none is given: the last 30 UTC days, today included.</summary>
    public const int DefaultDays = 30;

    /// <summary>How many entries <see cref="BlockedStats.Top"/> lists.</summary>
    public const int TopCount = 10;

    /// <summary>How many imports the dashboard lists.</summary>
    public const int RecentImportCount = 5;

    /// <summary>The format of a day on the API, in and out.</summary>
    public const string DayFormat = "yyyy-MM-dd";

    /// <summary>
    /// Blocked calls and emails per UTC day from <paramref name="from"/> to <paramref name="to"/> (both included;
    /// by default the last <see cref="DefaultDays"/> days up to today, or that many days around the one given),
    /// and the <see cref="TopCount"/> entries that blocked most in it (all channels; most hits first, then the older entry).
    /// Throws <see cref="StatsRequestException"/> when from is after to or the range is longer than
    /// <see cref="MaxDays"/>, and <see cref="AccessDeniedException"/> without View.
    /// </summary>
    public async Task<BlockedStats> BlockedAsync(DateOnly? from, DateOnly? to, ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await BlockedAsync(db, from, to, ct);
    }

    /// <summary>The start page: <see cref="BlockedAsync(DateOnly?, DateOnly?, ClaimsPrincipal, CancellationToken)"/> for the last 30 days, entries by type and the last imports.</summary>
    public async Task<DashboardSummary> DashboardAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var blocked = await BlockedAsync(db, null, null, ct);
        var counts = await db.ExceptionEntries.AsNoTracking().GroupBy(e => e.Type)
            .Select(g => new { Type = g.Key, Count = g.Count() }).ToListAsync(ct);
        var byType = Enum.GetValues<EntryType>()
            .Select(type => new EntryCount(type, counts.FirstOrDefault(c => c.Type == type)?.Count ?? 0)).ToList();
        // The imports history (I10): its counts, and whether the import was undone since.
        var imports = (await db.ExceptionImports.AsNoTracking()
            .OrderByDescending(i => i.At).ThenByDescending(i => i.Id).Take(RecentImportCount)
            .ToListAsync(ct))
            .Select(i => new RecentImport(i.At, i.By, i.Source, ImportSummary(i))).ToList();
        return new DashboardSummary(blocked, byType, imports);
    }

    private static string ImportSummary(ExceptionImport import)
    {
        var lines = import.Added + import.AlreadyListed + import.DuplicateInInput + import.Invalid;
        return Labels.ImportCounts(lines, import.Added, import.AlreadyListed, import.DuplicateInInput, import.Invalid) +
               (import.UndoneAt is { } undone ? $" · undone {undone.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "");
    }

    /// <summary>A day as the API takes it (<see cref="DayFormat"/>), or null when absent; throws <see cref="StatsRequestException"/> otherwise.</summary>
    public static DateOnly? ParseDay(string? text, string name) =>
        string.IsNullOrWhiteSpace(text) ? null
        : DateOnly.TryParseExact(text.Trim(), DayFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new StatsRequestException($"{name}: \"{Shorten(text)}\" is not a date; use {DayFormat}, for example 2026-11-30.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..39] + "…";

    private async Task<BlockedStats> BlockedAsync(CrmDbContext db, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var (first, last) = Range(from, to);
        var events = db.BlockedEvents.AsNoTracking().Where(b => b.Day >= first && b.Day <= last);
        var perDay = await events
            .GroupBy(b => new { b.Day, b.Channel })
            .Select(g => new { g.Key.Day, g.Key.Channel, Count = g.Count() })
            .ToListAsync(ct);
        var days = new List<BlockedDay>(last.DayNumber - first.DayNumber + 1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var current = day;
            days.Add(new BlockedDay(day,
                perDay.Where(d => d.Day == current && d.Channel is RoutingChannel.IncomingCall or RoutingChannel.OutgoingCall).Sum(d => d.Count),
                perDay.Where(d => d.Day == current && d.Channel is RoutingChannel.NewEmail or RoutingChannel.EmailReply).Sum(d => d.Count)));
        }

        // Counted on the (Day, EntryId) index alone, then the type and value of the ten read: grouping by the value
        // as well made SQLite fetch every row of the range (2.0 s against 0.15 s for 30 of 1M rows, docs/decisions/003-blocked-events-for-the-dashboard.md).
        var counts = await events
            .GroupBy(b => b.EntryId)
            .Select(g => new { EntryId = g.Key, Hits = g.Count() })
            .OrderByDescending(g => g.Hits).ThenBy(g => g.EntryId)
            .Take(TopCount)
            .ToListAsync(ct);
        var ids = counts.Select(c => c.EntryId).ToList();
        // One event of each (its latest in the range: SQLite's index carries the row id) gives the entry's type and value.
        var latest = await events.Where(b => ids.Contains(b.EntryId)).GroupBy(b => b.EntryId).Select(g => g.Max(b => b.Id)).ToListAsync(ct);
        var entries = await db.BlockedEvents.AsNoTracking().Where(b => latest.Contains(b.Id))
            .Select(b => new { b.EntryId, b.EntryType, b.Value }).ToDictionaryAsync(e => e.EntryId, ct);
        var top = counts.Select(c => new BlockedEntry(c.EntryId, entries[c.EntryId].EntryType, entries[c.EntryId].Value, c.Hits)).ToList();
        return new BlockedStats(first, last, days, top);
    }

    private (DateOnly From, DateOnly To) Range(DateOnly? from, DateOnly? to)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var last = to ?? (from is { } f ? f.AddDays(DefaultDays - 1) : today);
        var first = from ?? last.AddDays(-(DefaultDays - 1));
        if (first > last)
        {
            throw new StatsRequestException($"from ({first.ToString(DayFormat, CultureInfo.InvariantCulture)}) is after to ({last.ToString(DayFormat, CultureInfo.InvariantCulture)}).");
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            throw new StatsRequestException($"The range is {last.DayNumber - first.DayNumber + 1} days; at most {MaxDays} days can be asked for at once.");
        }

        return (first, last);
    }
}
