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
    /// How long the start waits for the warm-up before it serves requests anyway, the warm-up going on behind. It takes about
    /// 0.2 s; on PostgreSQL it waits its turn behind another instance's import (the writers' lock), which may take minutes.
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
            var report = await imports.WarmUpAsync(ct);
            logger.LogInformation("Warmed the import path in {Elapsed} ms: {Lines} lines, {Added} added and rolled back, nothing kept",
                (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds, report.Lines, report.Added);
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

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
