using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CrmAdmin.Features.Hardening;

/// <summary>Configuration section <c>Security</c>: the limits that keep sign-in and request bodies from being abused.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>Token requests (POST /api/auth/token) per client address per minute; refreshes (POST /api/auth/refresh) have as many again, counted apart.</summary>
    [Range(1, int.MaxValue)]
    public int TokenRequestsPerMinute { get; set; } = 10;

    /// <summary>Sign-in form posts (POST /Account/Login) per client address per minute.</summary>
    [Range(1, int.MaxValue)]
    public int SignInRequestsPerMinute { get; set; } = 10;

    /// <summary>The slowest a request body may arrive after its grace period (Kestrel answers 408 below it).</summary>
    [Range(1, int.MaxValue)]
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds a request body may arrive slower than <see cref="MinRequestBodyBytesPerSecond"/> before that applies.</summary>
    [Range(0.1, 3600)]
    public double MinRequestBodyGraceSeconds { get; set; } = 5;
}

/// <summary>
/// Configuration section <c>ReverseProxy</c>: the proxies whose X-Forwarded-For/-Proto/-Host are
/// believed. None by default: a client cannot claim another address (and so escape the per-client
/// rate limits) or claim HTTPS.
/// </summary>
public sealed class ReverseProxyOptions
{
    public const string Section = "ReverseProxy";

    /// <summary>Addresses of trusted proxies, e.g. "10.0.0.5".</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. "10.0.0.0/24".</summary>
    public string[] KnownNetworks { get; set; } = [];
}

/// <summary>
/// What an admin app owes its users beyond sign-in: headers that stop framing, sniffing, caching
/// and foreign scripts; sign-in that cannot be hammered; a circuit endpoint that only this site's
/// pages may open; forwarded headers from known proxies only.
/// </summary>
public static class SecurityHeaders
{
    public const string TokenRateLimit = "token";
    public const string SignInRateLimit = "sign-in";

    /// <summary>
    /// Refreshes have a limit of their own (as many a minute as token requests): a client renewing its tokens is not guessing
    /// passwords, and sharing the token limit let one use up the other's at an address many clients share.
    /// </summary>
    public const string RefreshRateLimit = "refresh";

    /// <summary>
    /// Blazor Server runs under this policy: its scripts are files of this site, the circuit is a
    /// WebSocket to this origin ('self' covers ws: and wss: to the same host in current browsers),
    /// and MudBlazor sets inline styles (style attributes), hence 'unsafe-inline' for styles only.
    /// Nothing may frame the app.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>The app uses none of these browser features; a script injected into it gets none either.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

    public static IServiceCollection AddCrmHardening(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var security = configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Per client address: guessing passwords through the API costs a minute per handful.
            options.AddPolicy(TokenRateLimit, http => PerClient(http, security.TokenRequestsPerMinute));
            options.AddPolicy(RefreshRateLimit, http => PerClient(http, security.TokenRequestsPerMinute));
            // The sign-in page the same way (P4); only its form posts count, not showing the form.
            options.AddPolicy(SignInRateLimit, http => HttpMethods.IsPost(http.Request.Method)
                ? PerClient(http, security.SignInRequestsPerMinute)
                : RateLimitPartition.GetNoLimiter(""));
            options.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                if (!context.HttpContext.Request.Path.StartsWithSegments("/api"))
                {
                    // A person at the sign-in form reads a sentence, not a problem document.
                    context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                    await context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", ct);
                    return;
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails =
                    {
                        // ASP.NET Core names a type for the statuses HTTP itself defines, not for 429: its own RFC's section.
                        Type = "https://tools.ietf.org/html/rfc6585#section-4",
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName == RefreshRateLimit
                            ? "Too many token refreshes" : "Too many sign-in attempts",
                        Detail = "Wait a minute and try again.",
                    },
                });
            };
        });

        services.Configure<KestrelServerOptions>(kestrel =>
        {
            // Nothing tells a scanner which server and version to aim at.
            kestrel.AddServerHeader = false;
            // A body trickled in (16 bytes/s) ties up a request for hours; Kestrel ends it with 408 (RequestBodyProblemHandler).
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(security.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(security.MinRequestBodyGraceSeconds));
        });
        services.AddHsts(hsts => hsts.MaxAge = TimeSpan.FromDays(365));
        services.AddExceptionHandler<RequestBodyProblemHandler>();
        // Outside Development a parameter minimal APIs cannot bind is an empty 400; thrown, the handler above names the field (SPEC §9).
        // The generated delegates do not throw for an optional query value that does not parse: DescribeEmptyProblem names that one.
        services.Configure<RouteHandlerOptions>(routing => routing.ThrowOnBadRequest = true);
        services.Configure<ProblemDetailsOptions>(problems => problems.CustomizeProblemDetails += BindingProblems.DescribeEmptyProblem);
        services.Configure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(antiforgery => antiforgery.HeaderName = ApiAntiforgery.HeaderName);

        var proxies = configuration.GetSection(ReverseProxyOptions.Section).Get<ReverseProxyOptions>() ?? new ReverseProxyOptions();
        services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            // With no proxy configured nothing is forwarded: the middleware would believe any sender if both lists were empty.
            forwarded.ForwardedHeaders = proxies.KnownProxies.Length + proxies.KnownNetworks.Length == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            // The framework trusts loopback by default; here only what is configured is trusted.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            // A forwarded Host must be one this site answers to, as the Host header itself must be.
            foreach (var host in (configuration["AllowedHosts"] ?? "*").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (host != "*")
                {
                    forwarded.AllowedHosts.Add(host);
                }
            }
        });
        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, int permitPerMinute) => RateLimitPartition.GetFixedWindowLimiter(
        http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
        _ => new FixedWindowRateLimiterOptions { PermitLimit = permitPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });

    public static IApplicationBuilder UseCrmSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            if (context.Request.Path.StartsWithSegments("/api"))
            {
                // Users, exports, backups, entries: every API answer is someone's data; no cache or proxy keeps a copy.
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }

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
