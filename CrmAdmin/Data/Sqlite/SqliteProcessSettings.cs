using SQLitePCL;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// SQLite settings that belong to the process, not to a connection, so they must be made before
/// the first connection opens.
/// </summary>
internal static class SqliteProcessSettings
{
    private const int ConfigMemStatus = 9; // SQLITE_CONFIG_MEMSTATUS

    private static int applied;

    /// <summary>
    /// Turns off SQLite's memory statistics, which nothing here reads: with them on, every allocation
    /// inside SQLite takes one process-wide mutex, and concurrent routing decisions queued on it
    /// (the server idled at 1.4 of 2 cores; off, the same load ran 1.6 times the decisions per second).
    /// When SQLite is already initialized (a test process that opened a database first) the call is
    /// refused and SQLite keeps its defaults, which are only slower.
    /// </summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref applied, 1) == 0)
        {
            Batteries_V2.Init();
            raw.sqlite3_config(ConfigMemStatus, 0);
        }
    }
}
