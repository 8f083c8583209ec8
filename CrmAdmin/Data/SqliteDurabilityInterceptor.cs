using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Data;

/// <summary>
/// The durability CrmAdmin promises, set on every connection (the bulk writer's included):
/// journal_mode=WAL (stored in the file) lets readers go on while one writer commits;
/// synchronous=FULL makes a commit durable before it returns, so a killed process or a power cut
/// loses no committed import and never leaves half of one; busy waiting is the connection string's
/// Default Timeout. An import is one transaction, so after a crash it is all there or not at all.
/// </summary>
internal sealed class SqliteDurabilityInterceptor : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
