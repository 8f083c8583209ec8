namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The background half of a trailing search index (<see cref="IExceptionTextSearch"/>): every second,
/// index whatever was written since the last round. A failed round is logged and retried the next
/// second; while the index lags, the provider's search reads the rows it has not reached from the
/// entries themselves, so lag costs speed, never a wrong answer.
/// </summary>
public abstract class TrailingSearchIndexer(TimeProvider clock, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(1);

    /// <summary>The clock the rounds and any waits between batches follow (tests may stop it).</summary>
    protected TimeProvider Clock { get; } = clock;

    /// <summary>Indexes everything written since the last round; returns how many entries it indexed.</summary>
    public abstract Task<int> IndexBacklogAsync(CancellationToken ct = default);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
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
