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

        return await WriteAsync(problems, http, a.Status, a.Title, exception);
    }

    /// <summary>Answers <paramref name="status"/> with a problem document whose detail is <paramref name="refusal"/>'s message.</summary>
    internal static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext http, int status, string title, Exception refusal)
    {
        http.Response.StatusCode = status;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = refusal,
            ProblemDetails = { Status = status, Title = title, Detail = refusal.Message },
        });
    }
}
