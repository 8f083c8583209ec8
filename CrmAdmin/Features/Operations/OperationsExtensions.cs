using System.Diagnostics;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace CrmAdmin.Features.Operations;

/// <summary>Metrics on /metrics (Prometheus) and logs that say whose request and which trace they belong to.</summary>
public static class OperationsExtensions
{
    /// <summary>The policy of /metrics: an administrator, or a request from Metrics:AllowedNetworks.</summary>
    public const string ReadMetrics = nameof(ReadMetrics);

    public static IServiceCollection AddCrmOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<CrmMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CrmMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            // Blazor's timings per component type, event and route (render, parameters, events, navigation) made most of a
            // scrape, 0.4–0.5 MB within minutes, and describe the framework rather than the CRM: left out. The circuits'
            // (open pages, their connections and lengths) stay.
            .AddView(instrument => instrument.Name.StartsWith("aspnetcore.components.", StringComparison.Ordinal)
                && !instrument.Name.StartsWith("aspnetcore.components.circuit", StringComparison.Ordinal) ? MetricStreamConfiguration.Drop : null)
            // Each scrape reads the current values: a cached answer would hide the last second's change.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        services.AddSingleton<IAuthorizationHandler, MetricsReaderHandler>();
        // A scraper, not a person: a bearer token (or the network), and a bare 401/403 rather than the sign-in page.
        services.AddAuthorizationBuilder().AddPolicy(ReadMetrics, p => p
            .AddAuthenticationSchemes(IdentityConstants.BearerScheme)
            .AddRequirements(new MetricsReaderRequirement()));
        return services;
    }

    /// <summary>
    /// Every log line written while a request runs carries its user ("anonymous" before sign-in) and
    /// its trace id, so one request's lines can be found together and joined with its trace. After
    /// authentication, so the user is known.
    /// </summary>
    public static IApplicationBuilder UseCrmLogScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("CrmAdmin.Request");
        return app.Use(async (context, next) =>
        {
            using (logger.BeginScope(new RequestLogScope(
                context.User.Identity?.IsAuthenticated == true ? Actor.NameOf(context.User) : "anonymous",
                Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier)))
            {
                await next(context);
            }
        });
    }

    /// <summary>
    /// The request's scope: its pairs for structured sinks (the JSON console writes each as a property) and, as its text,
    /// "User:…, TraceId:…" in the style of ASP.NET Core's own scopes, where a dictionary wrote its type's name.
    /// </summary>
    private sealed record RequestLogScope(string User, string TraceId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 2;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new(nameof(User), User),
            1 => new(nameof(TraceId), TraceId),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"User:{User}, TraceId:{TraceId}";
    }

    /// <summary>/metrics in Prometheus's text format, for administrators and the configured networks.</summary>
    public static IEndpointConventionBuilder MapCrmMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(ReadMetrics);

    private sealed class MetricsReaderRequirement : IAuthorizationRequirement;

    private sealed class MetricsReaderHandler(IOptions<MetricsOptions> options, IServiceProvider services) : AuthorizationHandler<MetricsReaderRequirement>
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsReaderRequirement requirement)
        {
            if (context.Resource is HttpContext http)
            {
                // A refusal is answered as is, not re-executed as the app's "not found" page.
                http.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
            }

            if (context.Resource is HttpContext from && options.Value.Allows(from.Connection.RemoteIpAddress))
            {
                context.Succeed(requirement);
                return;
            }

            // Resolved per check: the authorization service depends on every handler, this one included.
            var authorization = services.GetRequiredService<IAuthorizationService>();
            if (context.User.Identity?.IsAuthenticated == true && (await authorization.AuthorizeAsync(context.User, Policies.Administer)).Succeeded)
            {
                context.Succeed(requirement);
            }
        }
    }
}
