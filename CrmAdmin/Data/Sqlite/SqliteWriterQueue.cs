using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// Which of this process's transactions are waiting for SQLite's one writer lock. Microsoft.Data.Sqlite
/// begins with BEGIN IMMEDIATE, which takes the lock or sleeps in SQLite's busy handler (1, 2, 5 … up to
/// 100 ms between tries) until the connection's Default Timeout. A background writer that commits and
/// begins again at once therefore wins almost every race against those sleepers: behind the search
/// indexer's backlog after a 1M-line import, a 100k-line import waited 3 s, and concurrent deletes ran out
/// their timeout. Background work asks <see cref="OthersWaiting"/> before each batch and lets them in first.
/// <para>
/// The same sleeps starved requests among themselves: 350 writes at once (two imports, fifty applied
/// decisions, 300 removals) left the lock free while they slept, and some ran out their timeout (503)
/// although the work was only seconds long. So this process's transactions also queue here, first come
/// first served, before they ask SQLite: one holds the gate from BEGIN until its commit or rollback
/// (or, if neither is reported, until its connection closes or is disposed; a BEGIN that fails frees it
/// at once), and the next one is handed the gate at once. A transaction that waits longer than its connection's Default Timeout gets SQLite's
/// own "database is locked" (a 503), as it would have from the busy handler.
/// </para>
/// </summary>
public sealed class SqliteWriterQueue : DbTransactionInterceptor, IDbConnectionInterceptor
{
    // A safety net: an entry that somehow outlives its BEGIN is dropped past this age, so it cannot make
    // background work wait for ever.
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, long> waiting = new();

    // This process's writer: one transaction at a time, in the order they asked.
    private readonly SemaphoreSlim gate = new(1, 1);

    // Which connection holds the gate, for which transaction.
    private readonly ConcurrentDictionary<Guid, Guid> holders = new();

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

    /// <summary>How many transactions of this process have asked for the writer and not yet begun.</summary>
    public int Waiting => waiting.Count;

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
        Enter(gate.Wait(Timeout(connection)), eventData);
        try
        {
            // BEGIN is sent here, not by EF after this returns: EF reports no end for a BEGIN that fails
            // (SQLite busy past its timeout), and the gate must be freed then too.
            return InterceptionResult<DbTransaction>.SuppressWithResult(connection.BeginTransaction(eventData.IsolationLevel));
        }
        catch
        {
            waiting.TryRemove(eventData.TransactionId, out _);
            Leave(eventData.ConnectionId, eventData.TransactionId);
            throw;
        }
    }

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        waiting[eventData.TransactionId] = Environment.TickCount64;
        bool entered;
        try
        {
            entered = await gate.WaitAsync(Timeout(connection), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            waiting.TryRemove(eventData.TransactionId, out _);
            throw;
        }

        Enter(entered, eventData);
        try
        {
            return InterceptionResult<DbTransaction>.SuppressWithResult(await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken));
        }
        catch
        {
            waiting.TryRemove(eventData.TransactionId, out _);
            Leave(eventData.ConnectionId, eventData.TransactionId);
            throw;
        }
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

    public override void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        waiting.TryRemove(eventData.TransactionId, out _);
        Leave(eventData.ConnectionId, eventData.TransactionId);
    }

    public override Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Leave(eventData.ConnectionId, eventData.TransactionId);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) =>
        Leave(eventData.ConnectionId, eventData.TransactionId);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    // A transaction disposed without a commit or rollback reports neither; it has ended when its
    // connection closes or is disposed (SQLite rolls it back then), so the gate is freed there too.
    void IDbConnectionInterceptor.ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Leave(eventData.ConnectionId, null);

    Task IDbConnectionInterceptor.ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Leave(eventData.ConnectionId, null);
        return Task.CompletedTask;
    }

    void IDbConnectionInterceptor.ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Leave(eventData.ConnectionId, null);

    Task IDbConnectionInterceptor.ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        Leave(eventData.ConnectionId, null);
        return Task.CompletedTask;
    }

    private static TimeSpan Timeout(DbConnection connection) =>
        TimeSpan.FromSeconds(connection is SqliteConnection { DefaultTimeout: > 0 } sqlite ? sqlite.DefaultTimeout : 30);

    private void Enter(bool entered, TransactionStartingEventData eventData)
    {
        if (!entered)
        {
            waiting.TryRemove(eventData.TransactionId, out _);
            // What SQLite's busy handler says when its timeout runs out: the API answers it with a 503.
            throw new SqliteException("database is locked: this process's other writers held it past the timeout", 5);
        }

        holders[eventData.ConnectionId] = eventData.TransactionId;
    }

    private void Leave(Guid connectionId, Guid? transactionId)
    {
        // Only the holder's own end frees the gate, and only once.
        if (holders.TryGetValue(connectionId, out var held) && (transactionId is null || transactionId == held)
            && holders.TryRemove(new KeyValuePair<Guid, Guid>(connectionId, held)))
        {
            gate.Release();
        }
    }
}
