namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// How many bulk imports this process is writing at this moment, so background work that would compete
/// with them for the machine can wait its turn. On PostgreSQL the search indexer indexes an import's
/// rows after it commits (about 2.7 s of server time for 100k lines on two cores); run beside the next
/// import it made that import a third slower, while waiting costs only index lag, never a wrong answer.
/// </summary>
/// <param name="clock">The clock of the waits and of when the last import ended; the system's by default.</param>
public sealed class ImportsInProgress(TimeProvider? clock = null)
{
    /// <summary>
    /// How long background work stays off after an import ends (<see cref="WaitUntilQuietAsync"/>): a batch
    /// job's next import arrives within milliseconds, and starting on the last one's backlog in that gap took
    /// the next one's disk and a core (on SQLite, a 100k-line import right after one of 1M lines: 1.3–1.6 s,
    /// against 0.97 s once the background work had waited).
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private int count;
    private long lastEnded = long.MinValue;

    /// <summary>True while an import of this process has begun and not ended.</summary>
    public bool Any => Volatile.Read(ref count) > 0;

    /// <summary>Marks an import as running until the returned handle is disposed.</summary>
    public IDisposable Begin()
    {
        Interlocked.Increment(ref count);
        return new Running(this);
    }

    /// <summary>Waits, checking every <paramref name="poll"/>, until no import of this process runs.</summary>
    public async Task WaitUntilNoneAsync(TimeSpan poll, TimeProvider clock, CancellationToken ct)
    {
        while (Any)
        {
            await Task.Delay(poll, clock, ct);
        }
    }

    /// <summary>
    /// Waits, checking every <paramref name="poll"/>, until no import of this process runs and none has ended
    /// within <see cref="Settle"/>: for background work that would otherwise start the moment a batch job's
    /// import ends and meet its next one.
    /// </summary>
    public async Task WaitUntilQuietAsync(TimeSpan poll, CancellationToken ct)
    {
        while (Any || (Volatile.Read(ref lastEnded) is var ended && ended != long.MinValue && clock.GetElapsedTime(ended) < Settle))
        {
            await Task.Delay(poll, clock, ct);
        }
    }

    private sealed class Running(ImportsInProgress imports) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Volatile.Write(ref imports.lastEnded, imports.clock.GetTimestamp());
                Interlocked.Decrement(ref imports.count);
            }
        }
    }
}
