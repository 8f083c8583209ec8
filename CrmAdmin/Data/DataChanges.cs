using System.Collections.Concurrent;

namespace CrmAdmin.Data;

/// <summary>
/// The one way in-memory copies of the database learn that it changed. A cache subscribes to the
/// entity types it copies; <see cref="DataChangeInterceptor"/> publishes the types every committed
/// SaveChanges wrote, so no writer has to remember to invalidate anything. Across app instances on
/// one PostgreSQL database an <see cref="IDataChangeBroadcast"/> carries the same signal (LISTEN/NOTIFY);
/// on SQLite there is one instance and the signal stays in the process.
/// </summary>
public sealed class DataChanges(IDataChangeBroadcast? broadcast = null, ILogger<DataChanges>? logger = null)
{
    private readonly ConcurrentDictionary<Subscription, byte> subscriptions = new();

    /// <summary>
    /// Calls <paramref name="onChange"/> after a commit that wrote any of <paramref name="types"/>
    /// (here or on another instance) and when changes may have been missed (a lost listener connection).
    /// It runs on the committing thread: keep it to dropping a cached value. Dispose to stop.
    /// </summary>
    public IDisposable Subscribe(IReadOnlyCollection<Type> types, Action onChange)
    {
        var subscription = new Subscription(this, types.Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal), onChange);
        subscriptions[subscription] = 0;
        return subscription;
    }

    /// <summary>
    /// Tells this instance's subscribers, then (if configured) every other instance, that these types changed,
    /// without waiting for the other instances' signal to be sent (see <see cref="PublishedAsync"/>).
    /// </summary>
    public void Published(IReadOnlyCollection<Type> changed) => _ = PublishedAsync(changed);

    /// <summary>
    /// Tells this instance's subscribers at once, then (if configured) every other instance; completes when the
    /// others' signal is sent. The interceptor awaits it after a commit, so the answer to the request that made
    /// the change leaves only once PostgreSQL has the notification for the other instances' listeners: a client
    /// that then asks another instance no longer overtakes it on its way (it was sent behind the answer), though
    /// that instance's listener may still take a moment to act on it. Always sent: a cache is made when first used, so what this instance does not watch yet, another may.
    /// A failed send is logged, not thrown: the change itself is committed.
    /// </summary>
    public async Task PublishedAsync(IReadOnlyCollection<Type> changed)
    {
        var names = changed.Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
        Notify(names);
        if (broadcast is not null)
        {
            await SendAsync(names);
        }
    }

    /// <summary>A change another instance committed, by entity type full name: this instance's subscribers only.</summary>
    public void ReceivedFromAnotherInstance(IReadOnlyCollection<string> changedTypeNames) => Notify(changedTypeNames);

    /// <summary>Every subscriber drops its copy: changes may have gone unheard (the listener reconnected).</summary>
    public void EverythingMayHaveChanged()
    {
        foreach (var subscription in subscriptions.Keys)
        {
            subscription.OnChange();
        }
    }

    /// <summary>Calls the subscribers of any of the names.</summary>
    private void Notify(IReadOnlyCollection<string> names)
    {
        foreach (var subscription in subscriptions.Keys)
        {
            if (names.Any(subscription.Types.Contains))
            {
                subscription.OnChange();
            }
        }
    }

    private async Task SendAsync(IReadOnlyCollection<string> names)
    {
        try
        {
            await broadcast!.SendAsync(names);
        }
        catch (Exception e)
        {
            // The other instances' caches stay as they were until their listener reconnects or the
            // next change: say so loudly, it is the one thing that makes them serve stale settings.
            logger?.LogError(e, "Telling the other app instances that {Types} changed failed", string.Join(", ", names));
        }
    }

    private sealed class Subscription(DataChanges owner, HashSet<string> types, Action onChange) : IDisposable
    {
        public HashSet<string> Types => types;

        public Action OnChange => onChange;

        public void Dispose() => owner.subscriptions.TryRemove(this, out _);
    }
}

/// <summary>Carries <see cref="DataChanges"/> to the other app instances on the same database.</summary>
public interface IDataChangeBroadcast
{
    /// <summary>Sends the changed entity types' full names to every other instance.</summary>
    Task SendAsync(IReadOnlyCollection<string> changedTypeNames);
}
