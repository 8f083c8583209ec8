using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;
using CrmAdmin.Features.Access;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// A consistent copy of the database while the app runs, for administrators, as the provider takes
/// one (<see cref="IDatabaseBackup"/>): a download on SQLite; on PostgreSQL a problem that says how
/// to use pg_dump.
/// </summary>
public static class BackupEndpoints
{
    public static IEndpointRouteBuilder MapBackupEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/backup", DownloadAsync).WithTags("Administration").RequireAuthorization(Policies.Administer)
            .Produces(StatusCodes.Status200OK, contentType: "application/vnd.sqlite3")
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        return app;
    }

    private static async Task<IResult> DownloadAsync(IDatabaseBackup backup, IDbContextFactory<CrmDbContext> dbFactory, HttpContext http, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (!backup.CanDownload)
        {
            return TypedResults.Problem(backup.Instructions, title: "This database is backed up with its own tools", statusCode: StatusCodes.Status501NotImplemented);
        }

        var (content, contentType, extension) = await backup.CreateAsync(ct);
        // A backup holds every user's and customer's data: who took one, and when, is audited.
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, Actor.NameOf(http.User), AuditAction.BackupDownloaded, EntrySource.Api, null,
                content.CanSeek ? $"{content.Length:N0} bytes" : null));
            await db.SaveChangesAsync(ct);
        }

        loggers.CreateLogger("CrmAdmin.Backup").LogInformation("{Actor} downloaded a backup of the database", Actor.NameOf(http.User));
        return TypedResults.File(content, contentType, $"crmadmin-{clock.GetUtcNow():yyyyMMdd-HHmmss}.{extension}");
    }
}
