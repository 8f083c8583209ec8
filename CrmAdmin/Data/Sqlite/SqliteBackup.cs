using CrmAdmin.Features.Hardening;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// SQLite's VACUUM INTO writes one transaction's snapshot to a new file: imports and calls can go
/// on meanwhile, and the copy never holds half of one.
/// </summary>
internal sealed class SqliteBackup(IDbContextFactory<CrmDbContext> dbFactory) : IDatabaseBackup
{
    public bool CanDownload => true;

    public string Instructions =>
        "Download a copy of the database file (a consistent snapshot, taken while the app runs). To restore, stop the app and put the file in place of App_Data/crmadmin.db.";

    public async Task<(Stream Content, string ContentType, string Extension)> CreateAsync(CancellationToken ct)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"crmadmin-backup-{Guid.NewGuid():N}.db");
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0};", [copy], ct);
        }

        SqliteConnection.ClearAllPools();
        var stream = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return (stream, "application/vnd.sqlite3", "db");
    }
}
