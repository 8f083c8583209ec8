using System.Runtime;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Exceptions;

/// <summary>Whether the app warms the import path as it starts (<see cref="ImportWarmUp"/>): <c>Import:WarmUpAtStart</c>.</summary>
public sealed class ImportWarmUpOptions
{
    public const string Section = "Import";

    /// <summary>On by default. The tests' hosts turn it off, but for the test of the warm-up itself.</summary>
    public bool WarmUpAtStart { get; set; } = true;
}

/// <summary>
/// Runs <see cref="ExceptionImportService.WarmUpAsync"/> as the app starts, before it serves requests (hosted services start
/// before the server), so the first import a person sends runs warm: nothing is written that outlives the warm-up's
/// transaction. A failure is logged and changes nothing else: the first import is only slower.
/// </summary>
internal sealed class ImportWarmUp(ExceptionImportService imports, IOptions<ImportWarmUpOptions> options, IHostApplicationLifetime lifetime, ILogger<ImportWarmUp> logger)
    : IHostedService
{
    /// <summary>
    /// How long the start waits for the warm-up before it serves requests anyway, the warm-up going on behind. It took 1.4–2.2 s
    /// on PostgreSQL at 1M entries (two passes and the optimizing after each, 2026-12-04); on PostgreSQL it waits its turn behind
    /// another instance's import (the writers' lock), which may take minutes.
    /// </summary>
    private static readonly TimeSpan StartWaits = TimeSpan.FromSeconds(3);

    /// <summary>The warm-up, once started: done, failed (logged) or cancelled by the app stopping. Completed when it is off.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.WarmUpAtStart)
        {
            return;
        }

        Completion = WarmUpAsync(lifetime.ApplicationStopping);
        try
        {
            await Completion.WaitAsync(StartWaits, cancellationToken);
        }
        catch (TimeoutException)
        {
            // It goes on behind, and logs how it ended.
        }
    }

    private async Task WarmUpAsync(CancellationToken ct)
    {
        try
        {
            // Off the start's thread at once: the start waits a bounded time, never for a lock held elsewhere.
            await Task.Yield();
            var started = TimeProvider.System.GetTimestamp();
            // Twice: the runtime counts a method's calls, to optimize the often-called ones, only once 100 ms have passed
            // without a method compiled for the first time. The first pass compiles the path; the second, after that pause,
            // calls it often enough to have it optimized, and the optimizing is waited for.
            var report = await imports.WarmUpAsync(ct);
            await TieringSettledAsync(ct);
            await imports.WarmUpAsync(ct);
            var compiled = await TieringSettledAsync(ct);
            logger.LogInformation("Warmed the import path in {Elapsed} ms: {Lines} lines, {Added} added and rolled back, nothing kept; {Compiled} methods compiled after its second pass",
                (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, report.Lines, report.Added, compiled);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The app is stopping.
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not warm the import path; the first import will be slower");
        }
    }

    /// <summary>How long no method may be compiled for the compiling to count as done (the runtime's own pause is 100 ms).</summary>
    private static readonly TimeSpan TieringQuiet = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest one wait for the compiling lasts; a start that compiles other things meanwhile goes on after it.</summary>
    private static readonly TimeSpan TieringWaitsAtMost = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until no method has been compiled for <see cref="TieringQuiet"/>, at most <see cref="TieringWaitsAtMost"/>: the
    /// runtime's pause before it counts calls has passed, and the methods queued for optimizing (tiered compilation, on a
    /// background thread) are done, before the first import rather than beside it, on the CPU it needs. Returns how many
    /// methods were compiled meanwhile.
    /// </summary>
    private static async Task<long> TieringSettledAsync(CancellationToken ct)
    {
        var first = JitInfo.GetCompiledMethodCount();
        var count = first;
        var started = TimeProvider.System.GetTimestamp();
        var quietSince = started;
        while (TimeProvider.System.GetElapsedTime(started) < TieringWaitsAtMost && TimeProvider.System.GetElapsedTime(quietSince) < TieringQuiet)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            if (JitInfo.GetCompiledMethodCount() is var now && now != count)
            {
                count = now;
                quietSince = TimeProvider.System.GetTimestamp();
            }
        }

        return count - first;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
