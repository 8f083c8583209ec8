namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The background half of a trailing search index (<see cref="IExceptionTextSearch"/>): every second,
/// index whatever was written since the last round. A failed round is logged and retried the next
/// second; while the index lags, the provider's search reads the rows it has not reached from the
/// entries themselves, so lag costs speed, never a wrong answer. A round waits until imports have settled
/// (<see cref="ImportsInProgress.WaitUntilQuietAsync"/>), so a batch job's next import has the machine.
/// </summary>
public abstract class TrailingSearchIndexer(ImportsInProgress imports, TimeProvider clock, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>The clock the rounds and any waits between batches follow (tests may stop it).</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>This process's running imports, which the rounds (and a provider's batches) let go first.</summary>
    protected ImportsInProgress Imports { get; } = imports;

    /// <summary>Indexes everything written since the last round; returns how many entries it indexed.</summary>
    public abstract Task<int> IndexBacklogAsync(CancellationToken ct = default);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Imports.WaitUntilQuietAsync(Poll, stoppingToken);
                await IndexBacklogAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Indexing exception entries for search failed; retrying");
            }

            try
            {
                await Task.Delay(Idle, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
