using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Data;

/// <summary>
/// Publishes to <see cref="DataChanges"/> the entity types each SaveChanges wrote, once they are
/// committed: at once for a SaveChanges that commits by itself, at the commit of the caller's
/// transaction otherwise (and never for one rolled back), so a cache never reloads data that is
/// not yet (or never) visible to others. Registered on every context the app creates.
/// </summary>
public sealed class DataChangeInterceptor(DataChanges changes) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // Types written inside a transaction that has not committed yet, per context.
    private readonly ConditionalWeakTable<DbContext, HashSet<Type>> pending = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        PublishIfCommitted(eventData.Context);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (CommitsByItself(eventData.Context))
        {
            await PublishAsync(eventData.Context);
        }

        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Publish(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        PublishAsync(eventData.Context);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var types = pending.GetOrCreateValue(context);
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            {
                types.Add(entry.Metadata.ClrType);
            }
        }
    }

    private void PublishIfCommitted(DbContext? context)
    {
        if (CommitsByItself(context))
        {
            Publish(context);
        }
    }

    // A SaveChanges outside the caller's transaction has committed when it returns; inside one, the commit publishes.
    private static bool CommitsByItself(DbContext? context) => context?.Database.CurrentTransaction is null;

    private void Publish(DbContext? context)
    {
        if (Take(context) is { } changed)
        {
            changes.Published(changed);
        }
    }

    // The async paths (the app's) wait until the other instances' signal is sent (DataChanges.PublishedAsync).
    private Task PublishAsync(DbContext? context) => Take(context) is { } changed ? changes.PublishedAsync(changed) : Task.CompletedTask;

    private Type[]? Take(DbContext? context)
    {
        if (context is null || !pending.TryGetValue(context, out var types) || types.Count == 0)
        {
            return null;
        }

        var changed = types.ToArray();
        types.Clear();
        return changed;
    }

    private void Forget(DbContext? context)
    {
        if (context is not null && pending.TryGetValue(context, out var types))
        {
            types.Clear();
        }
    }
}
