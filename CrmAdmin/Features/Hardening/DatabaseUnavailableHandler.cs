using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// When the database is locked past its timeout or cannot be reached, an API caller (telephony,
/// email ingestion) is told so at once — 503 with Retry-After and a problem document — rather
/// than waiting, getting a 500, or getting a default decision. The failed transaction changed nothing.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!http.Request.Path.StartsWithSegments("/api") || Database(exception) is not { } cause)
        {
            return false;
        }

        logger.LogWarning(cause, "Database unavailable for {Method} {Path}; answered 503", http.Request.Method, http.Request.Path);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "5";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = "The database is busy or cannot be reached, so nothing was decided or changed. Retry in a few seconds.",
            },
        });
    }

    private static Exception? Database(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or TimeoutException)
            {
                return e;
            }
        }

        return null;
    }
}
