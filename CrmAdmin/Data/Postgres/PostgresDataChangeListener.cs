using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// <see cref="DataChanges"/> across the app instances on one PostgreSQL database, by LISTEN/NOTIFY.
/// Each instance sends "its id|type,type…" on the channel after a commit and listens on a connection
/// of its own; a notification from another instance drops the matching caches here. The listener
/// reconnects after any failure (a restarted server, a dropped connection) and then drops every
/// cache, since notifications sent while it was away are lost. A silent dead connection is caught
/// by a ping when nothing arrived for <see cref="PingAfter"/>.
/// </summary>
public sealed class PostgresDataChangeListener(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<PostgresDataChangeListener> logger)
    : BackgroundService, IDataChangeBroadcast
{
    public const string Channel = "crmadmin_changes";

    private static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private readonly string instance = Guid.NewGuid().ToString("N");
    private DataChanges? changes;
    private TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the listener is subscribed (tests wait for it before changing anything).</summary>
    public Task Listening => listening.Task;

    /// <summary>Where received changes go; set once by the container (the two depend on each other).</summary>
    public void DeliverTo(DataChanges target) => changes = target;

    public async Task SendAsync(IReadOnlyCollection<string> changedTypeNames)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @payload)");
        command.Parameters.AddWithValue("channel", Channel);
        command.Parameters.AddWithValue("payload", $"{instance}|{string.Join(',', changedTypeNames)}");
        await command.ExecuteNonQueryAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (!first)
                {
                    logger.LogInformation("Listening for other instances' changes again; every cache is reloaded");
                    changes?.EverythingMayHaveChanged();
                }

                first = false;
                listening.TrySetResult();
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(PingAfter, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Listening for other instances' changes failed; reconnecting");
                if (listening.Task.IsCompleted)
                {
                    listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                try
                {
                    await Task.Delay(RetryAfter, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private void Receive(string payload)
    {
        var separator = payload.IndexOf('|');
        if (separator < 0 || payload.AsSpan(0, separator).SequenceEqual(instance))
        {
            // Not ours to read, or our own change, which this instance handled when it committed.
            return;
        }

        changes?.ReceivedFromAnotherInstance(payload[(separator + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries));
    }
}
