using CrmAdmin.Features.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using KestrelServerOptions = Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// A body the server stops reading — larger than the limit (413) or trickling in below the minimum
/// rate (408), or malformed (400) — and a parameter minimal APIs cannot bind (a query value that is
/// not a number, a JSON field of the wrong type, malformed JSON, a missing body: RouteHandlerOptions.ThrowOnBadRequest
/// makes these throw in every environment, but for an optional query value that does not parse, which the generated
/// request delegates answer with an empty 400: <see cref="BindingProblems.DescribeEmptyProblem"/>) reach the app as
/// <see cref="BadHttpRequestException"/>. The
/// API answers it as the client's problem, naming the limit or the field and what it expects
/// (<see cref="BindingProblems"/>), instead of an empty 400 or an unhandled 500.
/// </summary>
internal sealed class RequestBodyProblemHandler(
    IProblemDetailsService problems, IOptions<ImportLimits> importLimits, IOptions<SecurityOptions> security, IOptions<KestrelServerOptions> kestrel,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<RequestBodyProblemHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!http.Request.Path.StartsWithSegments("/api") || exception is not Microsoft.AspNetCore.Http.BadHttpRequestException bad || http.Response.HasStarted)
        {
            return false;
        }

        var (title, detail) = bad.StatusCode switch
        {
            StatusCodes.Status413PayloadTooLarge => ("Request too large", TooLarge(http)),
            StatusCodes.Status408RequestTimeout => ("Request body too slow",
                $"The request body arrived slower than {security.Value.MinRequestBodyBytesPerSecond:0.#} bytes per second; send it at network speed."),
            _ => BindingProblems.Describe(http, bad, http.Features.Get<IExceptionHandlerFeature>()?.Endpoint, json.Value.SerializerOptions),
        };
        logger.LogInformation("{Method} {Path} answered {Status}: {Reason}", http.Request.Method, http.Request.Path, bad.StatusCode, bad.Message);
        http.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = bad.StatusCode, Title = title, Detail = detail },
        });
    }

    /// <summary>The import has its own documented limit (Import:MaxBytes); other endpoints have the server's.</summary>
    private string TooLarge(HttpContext http)
    {
        if (http.Request.Path.StartsWithSegments("/api/exceptions/import"))
        {
            return importLimits.Value.TooLargeMessage(http.Request.ContentLength ?? importLimits.Value.MaxBytes + 1);
        }

        var max = kestrel.Value.Limits.MaxRequestBodySize;
        return max is { } bytes ? $"The request body is larger than {bytes / 1024.0 / 1024.0:0.#} MB, the most this endpoint accepts." : "The request body is too large.";
    }
}
