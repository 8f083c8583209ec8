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

    private static async Task<IResult> DownloadAsync(IDatabaseBackup backup, HttpContext http, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (!backup.CanDownload)
        {
            return TypedResults.Problem(backup.Instructions, title: "This database is backed up with its own tools", statusCode: StatusCodes.Status501NotImplemented);
        }

        var (content, contentType, extension) = await backup.CreateAsync(ct);
        loggers.CreateLogger("CrmAdmin.Backup").LogInformation("{Actor} downloaded a backup of the database", Actor.NameOf(http.User));
        return TypedResults.File(content, contentType, $"crmadmin-{clock.GetUtcNow():yyyyMMdd-HHmmss}.{extension}");
    }
}
