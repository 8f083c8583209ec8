using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// A consistent copy of the database while the app runs, for administrators. SQLite's VACUUM INTO
/// writes one transaction's snapshot to a new file: imports and calls can go on meanwhile, and the
/// copy never holds half of one.
/// </summary>
public static class BackupEndpoints
{
    public static IEndpointRouteBuilder MapBackupEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/backup", DownloadAsync).WithTags("Administration").RequireAuthorization(Policies.Administer)
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.sqlite3");
        return app;
    }

    private static async Task<IResult> DownloadAsync(IDbContextFactory<CrmDbContext> dbFactory, HttpContext http, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var copy = Path.Combine(Path.GetTempPath(), $"crmadmin-backup-{Guid.NewGuid():N}.db");
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (!db.Database.IsSqlite())
            {
                return TypedResults.Problem("Backups are taken with the database's own tools when it is not SQLite.", statusCode: StatusCodes.Status501NotImplemented);
            }

            await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0};", [copy], ct);
        }

        SqliteConnection.ClearAllPools();
        // A backup holds every user's and customer's data: who took one, and when, is audited.
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, Actor.NameOf(http.User), AuditAction.BackupDownloaded, EntrySource.Api, null,
                $"{new FileInfo(copy).Length:N0} bytes"));
            await db.SaveChangesAsync(ct);
        }

        loggers.CreateLogger("CrmAdmin.Backup").LogInformation("{Actor} downloaded a backup of the database", Actor.NameOf(http.User));
        var stream = new FileStream(copy, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        return TypedResults.File(stream, "application/vnd.sqlite3", $"crmadmin-{clock.GetUtcNow():yyyyMMdd-HHmmss}.db");
    }
}
