using Microsoft.AspNetCore.Authorization;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// The router answers a request that every endpoint at its address refuses by its media type (415), or its method (405), with an
/// endpoint of its own that carries no metadata, so the fallback policy (signed in) answered it first: 401 "Sign in first", even
/// where every endpoint is anonymous. <c>POST /api/auth/token</c> with <c>Content-Type: text/plain</c> told the caller to sign in,
/// at the sign-in endpoint. At such an address the router's answer goes through as it is (415 naming the media type,
/// <see cref="BindingProblems.DescribeEmptyProblem"/>). At an address that needs a sign-in, an anonymous caller still gets 401, and
/// learns nothing of what is there. The published app answers <c>GET /api/auth/refresh</c> with 405 so too; the test host, built
/// rather than published, has no GET endpoint at that node for the router to refuse, and answers 401.
/// </summary>
public static class AnonymousRejections
{
    /// <summary>Runs after routing (the endpoint is chosen) and before authorization.</summary>
    public static IApplicationBuilder UseAnonymousRejections(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint() is { Metadata.Count: 0, RequestDelegate: { } answer } rejection and not RouteEndpoint
            && context.Request.Path.StartsWithSegments("/api") && EveryEndpointAtIsAnonymous(context))
        {
            context.SetEndpoint(new Endpoint(answer, new EndpointMetadataCollection(new AllowAnonymousAttribute()), rejection.DisplayName));
        }

        await next();
    });

    /// <summary>
    /// Whether the request's path is the address of at least one API endpoint (of any method), and each of them allows anonymous
    /// callers. Only the API's routes are asked: the pages' catch-all routes match any path.
    /// </summary>
    private static bool EveryEndpointAtIsAnonymous(HttpContext context)
    {
        var at = BindingProblems.EndpointsAt(context, anyMethod: true).Select(e => e.Endpoint)
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .ToList();
        return at.Count > 0 && at.All(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null);
    }
}
