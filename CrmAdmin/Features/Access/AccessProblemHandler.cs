using Microsoft.AspNetCore.Diagnostics;

namespace CrmAdmin.Features.Access;

/// <summary>
/// A service refusing a change for lack of access answers 403 with a problem document, and a
/// request it cannot carry out answers 400: neither is a server error.
/// </summary>
internal sealed class AccessProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        (int Status, string Title)? answer = exception switch
        {
            AccessDeniedException => (StatusCodes.Status403Forbidden, "Forbidden"),
            RequestRefusedException => (StatusCodes.Status400BadRequest, "Request not carried out"),
            _ => null,
        };
        if (answer is not { } a || !http.Request.Path.StartsWithSegments("/api"))
        {
            return false;
        }

        http.Response.StatusCode = a.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = a.Status, Title = a.Title, Detail = exception.Message },
        });
    }
}
