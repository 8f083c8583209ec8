using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// P5: the API takes the sign-in cookie only for safe methods (GET, HEAD, OPTIONS, TRACE) or with
/// an antiforgery token. A browser sends the cookie with a form or fetch that another site's page
/// starts (another port of the same host is the same site, so SameSite=Lax does not stop it); that
/// page can neither read the token nor set the header. The contract for this site's own scripts:
/// send the token of <c>&lt;meta name="csrf-token"&gt;</c> (App.razor) in the
/// <see cref="HeaderName"/> header, from this origin. Bearer-token clients are not affected: a
/// browser never adds an Authorization header on its own.
/// </summary>
public static class ApiAntiforgery
{
    /// <summary>The request header that carries the antiforgery token for cookie-authenticated API calls.</summary>
    public const string HeaderName = "X-CSRF-TOKEN";

    /// <summary>The page's meta element that holds the token, for scripts: <c>document.querySelector('meta[name=csrf-token]').content</c>.</summary>
    public const string MetaName = "csrf-token";

    /// <summary>Runs after authentication (the token is bound to the signed-in user) and before authorization.</summary>
    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api") && !IsSafe(request.Method) && !SessionRevocation.IsBearer(request) &&
            context.User.Identity?.IsAuthenticated == true &&
            context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null &&
            await RefusalAsync(context) is { } refusal)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiAntiforgery))
                .LogWarning("Refused a cookie-authenticated {Method} {Path} from {Origin}: {Refusal}", request.Method, request.Path,
                    // A request without the header (a script or tool, not a browser's cross-site form) says so, not an empty origin.
                    request.Headers.Origin is { Count: > 0 } origin ? origin.ToString() : "no Origin header", refusal);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Cross-site request refused", Detail = refusal },
            });
            return;
        }

        await next();
    });

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static async Task<string?> RefusalAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Origin is { Count: > 0 } origin &&
            (!Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var uri) ||
             !string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) ||
             !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return $"A change through the sign-in cookie must come from this site's pages, not from {origin}.";
        }

        // The header only: a token in a form field would mean reading a whole (perhaps 64 MB) upload first.
        if (request.Headers[HeaderName] is not { Count: > 0 } ||
            !await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            return $"A change through the sign-in cookie needs this site's antiforgery token in the {HeaderName} header (or use a bearer token).";
        }

        return null;
    }
}
