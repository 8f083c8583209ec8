namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// A value read from the database and kept until it is older than <see cref="Age"/>, then read again at the next ask: statistics
/// of the list that change slowly and only guide how a search reads (each provider's trigram counts, issue 16). Several asks at
/// once may each read it; the last read is kept. Thread-safe.
/// </summary>
/// <typeparam name="T">The value; immutable, as every asker shares it.</typeparam>
public sealed class ReadAgainAfter<T>(TimeSpan age) where T : class
{
    private volatile Kept? kept;

    private sealed record Kept(T Value, long ReadAt);

    /// <summary>How long a value read serves.</summary>
    public TimeSpan Age { get; } = age;

    /// <summary>The value kept, or, when there is none or it is older than <see cref="Age"/>, the one <paramref name="read"/> gives (then kept).</summary>
    public async Task<T> GetAsync(Func<Task<T>> read)
    {
        if (kept is { } value && Environment.TickCount64 - value.ReadAt < (long)Age.TotalMilliseconds)
        {
            return value.Value;
        }

        var fresh = await read();
        kept = new Kept(fresh, Environment.TickCount64);
        return fresh;
    }
}
