using CrmAdmin.Features.Exceptions;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Background work (the search indexers, SQLite's checkpointer) lets imports go first: it waits while one
/// runs and for <see cref="ImportsInProgress.Settle"/> after the last one ended, so a batch job's next import,
/// sent the moment the previous one answers, does not meet the previous one's backlog.
/// </summary>
public sealed class ImportsInProgressTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Background_work_waits_while_an_import_runs_and_until_the_last_one_has_settled()
    {
        var clock = new SteppedClock();
        var imports = new ImportsInProgress(clock);
        await imports.WaitUntilQuietAsync(Poll, default).WaitAsync(TimeSpan.FromSeconds(5));

        var running = imports.Begin();
        var waiting = imports.WaitUntilQuietAsync(Poll, default);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        running.Dispose();
        clock.Advance(ImportsInProgress.Settle - TimeSpan.FromMilliseconds(1));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Two_imports_at_once_keep_background_work_waiting_until_both_have_ended()
    {
        var clock = new SteppedClock();
        var imports = new ImportsInProgress(clock);
        var first = imports.Begin();
        var second = imports.Begin();
        var waiting = imports.WaitUntilQuietAsync(Poll, default);

        first.Dispose();
        first.Dispose();
        clock.Advance(ImportsInProgress.Settle);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        second.Dispose();
        clock.Advance(ImportsInProgress.Settle);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    /// <summary>Timestamps that move only when told to; timers stay the system's, so polls still run.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long ticks = TimeSpan.TicksPerDay;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }
}
