using CrmAdmin.Data;
using CrmAdmin.Data.Sqlite;
using CrmAdmin.Features.Exceptions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// SQLite has one writer lock, and a waiting BEGIN only retries between sleeps: background work that
/// begins again the moment it commits starves requests (a 100k import behind the search indexer's
/// backlog, deletes timing out with 503). The queue sees who waits; the indexer lets them in first.
/// </summary>
public sealed class SqliteWriterQueueTests : IAsyncLifetime
{
    private ServiceTestHost host = default!;
    private SqliteWriterQueue queue = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync();
        queue = host.Get<SqliteWriterQueue>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_transaction_waiting_for_the_writer_lock_is_seen_until_it_has_begun()
    {
        await using var holder = await HoldWriterLockAsync();
        await using var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        Assert.False(queue.OthersWaiting);

        // Microsoft.Data.Sqlite's BEGIN blocks its thread while it waits: wait on another one.
        var begin = Task.Run(() => db.Database.BeginTransactionAsync());
        await WaitUntilAsync(() => queue.OthersWaiting);
        Assert.False(begin.IsCompleted);

        await holder.DisposeAsync();
        await using var transaction = await begin;
        Assert.False(queue.OthersWaiting);
    }

    [Fact]
    public async Task The_next_transaction_begins_at_once_after_a_commit_a_rollback_or_a_dispose_with_neither()
    {
        var contexts = host.Get<IDbContextFactory<CrmDbContext>>();
        await using var first = await contexts.CreateDbContextAsync();
        await using var next = await contexts.CreateDbContextAsync();

        await (await first.Database.BeginTransactionAsync()).CommitAsync();
        await BeginsAtOnceAsync(next);
        await (await first.Database.BeginTransactionAsync()).RollbackAsync();
        await BeginsAtOnceAsync(next);
        // Disposed with neither (an exception on the way out does this): the writer is freed all the same.
        await (await first.Database.BeginTransactionAsync()).DisposeAsync();
        await BeginsAtOnceAsync(next);
    }

    [Fact]
    public async Task Writers_of_this_process_take_turns_in_the_order_they_asked()
    {
        var contexts = host.Get<IDbContextFactory<CrmDbContext>>();
        await using var holder = await contexts.CreateDbContextAsync();
        var held = await holder.Database.BeginTransactionAsync();
        var order = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var writers = new List<Task>();
        for (var i = 0; i < 5; i++)
        {
            var n = i;
            writers.Add(Task.Run(async () =>
            {
                await using var db = await contexts.CreateDbContextAsync();
                await using var transaction = await db.Database.BeginTransactionAsync();
                order.Enqueue(n);
                await transaction.CommitAsync();
            }));
            // Each asks after the one before is queued.
            await WaitUntilAsync(() => queue.Waiting == n + 1);
        }

        await held.CommitAsync();
        await Task.WhenAll(writers);
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    private static async Task BeginsAtOnceAsync(CrmDbContext db)
    {
        var begin = db.Database.BeginTransactionAsync();
        Assert.Same(begin, await Task.WhenAny(begin, Task.Delay(TimeSpan.FromSeconds(3))));
        await (await begin).RollbackAsync();
    }

    [Fact]
    public async Task The_search_indexer_lets_a_waiting_writer_go_before_its_next_batch()
    {
        var lines = string.Join('\n', Enumerable.Range(0, 3 * ExceptionSearchIndexer.BatchSize).Select(n => $"backlog{n}@example.org;backlog {n}"));
        await host.Get<ExceptionImportService>().ImportAsync(lines, CrmAdmin.Domain.Exceptions.EntrySource.Settings, host.Supervisor);
        var indexer = host.Get<ExceptionSearchIndexer>();
        var mark = await IndexedUpToAsync();

        await using var holder = await HoldWriterLockAsync();
        await using var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        var request = Task.Run(() => db.Database.BeginTransactionAsync());
        await WaitUntilAsync(() => queue.OthersWaiting);
        var backlog = Task.Run(() => indexer.IndexBacklogAsync());
        await holder.DisposeAsync();

        // The request gets the lock first: the indexer has not moved its mark while the request holds it.
        await using (var transaction = await request)
        {
            Assert.Equal(mark, await db.Database.SqlQueryRaw<long>("""SELECT "IndexedUpTo" AS "Value" FROM "ExceptionSearchState" """).SingleAsync());
            Assert.False(backlog.IsCompleted);
            await transaction.CommitAsync();
        }

        Assert.True(await backlog >= 3 * ExceptionSearchIndexer.BatchSize);
        Assert.True(await IndexedUpToAsync() > mark);
    }

    private async Task<long> IndexedUpToAsync()
    {
        await using var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        return await db.Database.SqlQueryRaw<long>("""SELECT "IndexedUpTo" AS "Value" FROM "ExceptionSearchState" """).SingleAsync();
    }

    /// <summary>Another connection (outside the app's interceptors) that holds SQLite's writer lock until disposed.</summary>
    private async Task<SqliteConnection> HoldWriterLockAsync()
    {
        await using var db = await host.Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        // Not pooled: disposing it must close it, which rolls the transaction back and frees the lock.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(db.Database.GetConnectionString()) { Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE;";
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var attempt = 0; !condition(); attempt++)
        {
            Assert.True(attempt < 500, "the condition did not hold within 5 s");
            await Task.Delay(10);
        }
    }
}
