using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// Which of this process's transactions are waiting for SQLite's one writer lock. Microsoft.Data.Sqlite
/// begins with BEGIN IMMEDIATE, which takes the lock or sleeps in SQLite's busy handler (1, 2, 5 … up to
/// 100 ms between tries) until the connection's Default Timeout. A background writer that commits and
/// begins again at once therefore wins almost every race against those sleepers: behind the search
/// indexer's backlog after a 1M-line import, a 100k-line import waited 3 s, and concurrent deletes ran out
/// their timeout. Background work asks <see cref="OthersWaiting"/> before each batch and lets them in first.
/// </summary>
public sealed class SqliteWriterQueue : DbTransactionInterceptor
{
    // A BEGIN that failed (its timeout ran out) is never reported as started; past this age its entry
    // is stale and dropped, so one failure cannot make background work wait for ever.
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, long> waiting = new();

    /// <summary>True while a transaction of this process has asked for the writer lock and not yet got it.</summary>
    public bool OthersWaiting
    {
        get
        {
            var now = Environment.TickCount64;
            foreach (var (id, since) in waiting)
            {
                if (now - since < Stale.TotalMilliseconds)
                {
                    return true;
                }

                waiting.TryRemove(id, out _);
            }

            return false;
        }
    }

    /// <summary>Waits (polling every <paramref name="poll"/>) until no transaction of this process waits for the writer lock.</summary>
    public async Task LetOthersFirstAsync(TimeSpan poll, TimeProvider clock, CancellationToken ct)
    {
        while (OthersWaiting)
        {
            await Task.Delay(poll, clock, ct);
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        waiting[eventData.TransactionId] = Environment.TickCount64;
        return result;
    }

    public override ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        waiting[eventData.TransactionId] = Environment.TickCount64;
        return ValueTask.FromResult(result);
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        waiting.TryRemove(eventData.TransactionId, out _);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        waiting.TryRemove(eventData.TransactionId, out _);
        return ValueTask.FromResult(result);
    }

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) =>
        waiting.TryRemove(eventData.TransactionId, out _);

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        waiting.TryRemove(eventData.TransactionId, out _);
        return Task.CompletedTask;
    }
}
