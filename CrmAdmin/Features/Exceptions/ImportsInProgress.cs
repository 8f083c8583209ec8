namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// How many bulk imports this process is writing at this moment, so background work that would compete
/// with them for the machine can wait its turn. On PostgreSQL the search indexer indexes an import's
/// rows after it commits (about 2.7 s of server time for 100k lines on two cores); run beside the next
/// import it made that import a third slower, while waiting costs only index lag, never a wrong answer.
/// </summary>
public sealed class ImportsInProgress
{
    private int count;

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

    private sealed class Running(ImportsInProgress imports) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                Interlocked.Decrement(ref imports.count);
            }
        }
    }
}
