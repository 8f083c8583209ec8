using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// The durability CrmAdmin promises, set on every connection (the bulk writer's included):
/// journal_mode=WAL (stored in the file) lets readers go on while one writer commits;
/// synchronous=FULL makes a commit durable before it returns, so a killed process or a power cut
/// loses no committed import and never leaves half of one; busy waiting is the connection string's
/// Default Timeout. An import is one transaction, so after a crash it is all there or not at all.
/// The log is checkpointed by <see cref="WalCheckpointer"/>, not inside a commit; journal_size_limit
/// gives the disk back after a big import once the log has been copied. mmap_size lets SQLite read the file's pages
/// where the OS keeps them, instead of copying each into the connection's own 2 MB cache, which a million entries' tables
/// and indexes overflow at once: the entries a filter reads by key cost 2.7 µs each with copies, 1 µs mapped ("telemarketing"
/// with "99", 6,283 rows: 30–44 ms against 17 at a million entries). The pages are the OS's file cache, shared by every
/// connection, and a write still goes through the log.
/// </summary>
internal sealed class SqliteDurabilityInterceptor : DbConnectionInterceptor
{
    /// <summary>The bytes of the file every connection maps (the mmap_size of <see cref="Pragmas"/>): 1 GiB, for a migration that unmaps a while.</summary>
    public const long MmapBytes = 1_073_741_824;

    private const string Pragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864; PRAGMA mmap_size=1073741824;";

    // The settings live as long as SQLite's connection, which the pool hands out again and again:
    // set them once per real connection, not on every open (a request opens one or more).
    private readonly ConditionalWeakTable<object, object> configured = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (NeedsPragmas(connection))
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (NeedsPragmas(connection))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private bool NeedsPragmas(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || configured.TryAdd(handle, handle);
}
