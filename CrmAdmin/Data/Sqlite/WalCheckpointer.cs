using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// Copies committed pages from SQLite's write-ahead log into the database file, in the background.
/// SQLite's own automatic checkpoint runs inside the COMMIT of whichever write crosses 1,000 pages,
/// so an import's response waited for the whole log to be copied and synced (a 1M-line import:
/// 12.8 s with it, 10.0 s without); connections therefore turn it off
/// (<see cref="SqliteDurabilityInterceptor"/>) and this does it instead. A commit is durable once
/// its log is synced, so nothing about durability changes: after a crash SQLite replays the log.
/// PASSIVE never waits for or blocks readers and writers; what it cannot copy now it copies later.
/// It waits until imports have settled (<see cref="ImportsInProgress.WaitUntilQuietAsync"/>): the log of a
/// 1M-line import is half a gigabyte, and copying it beside the next import took that import's disk and a core.
/// </summary>
public sealed class WalCheckpointer(
    IDbContextFactory<CrmDbContext> dbFactory, ImportsInProgress imports, TimeProvider clock, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await imports.WaitUntilQuietAsync(Poll, stoppingToken);
                await CheckpointAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Checkpointing the database's write-ahead log failed; retrying");
            }
        }
    }

    public async Task CheckpointAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (db.Database.IsSqlite())
        {
            // With nothing new in the log this only reads its header.
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(PASSIVE);", ct);
        }
    }
}
