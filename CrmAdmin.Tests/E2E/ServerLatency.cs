using System.Data.Common;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// A busy server, switched on for one flow at a time: while <see cref="Slow"/> holds, every message the
/// browser sends (an event, the answer to a JS call) waits its turn in one queue and then a fixed time
/// before the circuit handles it, and every database query waits before it runs. So the browser runs
/// ahead of the server, as it does for a person typing on a loaded server, without reordering anything.
/// Registered in the browser tests' app as a circuit handler (<see cref="CreateInboundActivityHandler"/>)
/// and an EF Core interceptor (<see cref="Queries"/>); off, it costs nothing.
/// </summary>
public sealed class ServerLatency : CircuitHandler
{
    // One queue for all circuits: a flow that slows the server has one page open.
    private readonly SemaphoreSlim queue = new(1, 1);
    private TimeSpan perMessage, perQuery;
    // The newest circuit's dispatcher: circuit handlers are told of a new circuit on it.
    private SynchronizationContext? circuitContext;

    public ServerLatency() => Queries = new SlowQueries(this);

    /// <summary>The interceptor that delays each query while the server is slow.</summary>
    public IInterceptor Queries { get; }

    /// <summary>
    /// Slows the server until the returned object is disposed: each browser message waits
    /// <paramref name="perMessage"/> after the ones before it, each database query <paramref name="perQuery"/>.
    /// </summary>
    public IDisposable Slow(TimeSpan perMessage, TimeSpan perQuery)
    {
        (this.perMessage, this.perQuery) = (perMessage, perQuery);
        return new Restore(this);
    }

    /// <inheritdoc />
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        circuitContext = SynchronizationContext.Current;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Blocks the newest circuit's dispatcher for <paramref name="time"/>, as a busy CPU does: the browser's messages and the
    /// circuit's own timers (a debounce) queue up behind it and then run in the order they came. Without a thread of its own.
    /// </summary>
    public void Stall(TimeSpan time) => circuitContext?.Post(_ => Thread.Sleep(time), null);

    /// <inheritdoc />
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        // Every message passes the queue, slow or not, so one sent after the slowdown ends cannot overtake the backlog.
        // The queue is released before the message is handled: a handler that awaits a later message (a JS call's answer)
        // never waits for itself.
        await queue.WaitAsync();
        try
        {
            if (perMessage > TimeSpan.Zero)
            {
                await Task.Delay(perMessage);
            }
        }
        finally
        {
            queue.Release();
        }

        await next(context);
    };

    /// <summary>
    /// Holds every browser message that reaches the server from now on until the returned object is disposed: the server goes on
    /// with its own work (a timer, a query) but hears nothing from the browser, as when a busy server stalls between two keys.
    /// Completes once the messages before it have been handed to their circuit.
    /// </summary>
    public async Task<IDisposable> HoldAsync()
    {
        await queue.WaitAsync();
        return new Release(queue);
    }

    private sealed class Release(SemaphoreSlim queue) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                queue.Release();
            }
        }
    }

    /// <summary>Completes once every message that reached the server before this call has been handed to its circuit.</summary>
    public async Task CaughtUpAsync() => (await HoldAsync()).Dispose();

    private sealed class Restore(ServerLatency latency) : IDisposable
    {
        public void Dispose() => (latency.perMessage, latency.perQuery) = (TimeSpan.Zero, TimeSpan.Zero);
    }

    private sealed class SlowQueries(ServerLatency latency) : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            if (latency.perQuery > TimeSpan.Zero)
            {
                await Task.Delay(latency.perQuery, cancellationToken);
            }

            return result;
        }
    }
}
