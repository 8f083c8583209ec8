using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace CrmAdmin.Features.Hardening;

/// <summary>
/// What an admin app owes its users beyond sign-in: headers that stop framing, sniffing and
/// foreign scripts; a sign-in endpoint that cannot be hammered; a circuit endpoint that only this
/// site's pages may open.
/// </summary>
public static class SecurityHeaders
{
    public const string TokenRateLimit = "token";

    /// <summary>
    /// Blazor Server runs under this policy: its scripts are files of this site, the circuit is a
    /// WebSocket to this host, and MudBlazor sets inline styles (style attributes), hence 'unsafe-inline'
    /// for styles only. Nothing may frame the app.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IServiceCollection AddCrmHardening(this IServiceCollection services, IConfiguration configuration)
    {
        var permitPerMinute = configuration.GetValue("Security:TokenRequestsPerMinute", 10);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client address: guessing passwords through the API costs a minute per handful.
            options.AddPolicy(TokenRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many sign-in attempts", Detail = "Wait a minute and try again." },
                });
            };
        });
        return services;
    }

    public static IApplicationBuilder UseCrmSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            return Task.CompletedTask;
        });
        await next();
    });

    /// <summary>
    /// SignalR accepts any Origin; a page on another site could otherwise open a circuit with the
    /// user's cookie (cross-site WebSocket hijacking). Only this host's pages may.
    /// </summary>
    public static IApplicationBuilder UseSameOriginCircuits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/_blazor") && context.Request.Headers.Origin is { Count: > 0 } origin &&
            (!Uri.TryCreate(origin.ToString(), UriKind.Absolute, out var uri) ||
             !string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        await next();
    });
}
