using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// Routing for telephony and email ingestion (SPEC §9): a dry run (the default) needs View, applying
/// needs Edit; the service checks the second, since the body decides which.
/// </summary>
public static class RoutingEndpoints
{
    public static IEndpointRouteBuilder MapRoutingEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/routing").WithTags("Routing").RequireAuthorization(Policies.ViewExceptions);
        api.MapPost("/call", (CallRequest request, RoutingService routing, HttpContext http, CancellationToken ct) => routing.RouteCallAsync(request, http.User, ct));
        api.MapPost("/email", (EmailRequest request, RoutingService routing, HttpContext http, CancellationToken ct) => routing.RouteEmailAsync(request, http.User, ct));
        api.MapPost("/chat", (ChatOrFormRequest request, RoutingService routing, HttpContext http, CancellationToken ct) =>
            routing.RouteChatOrFormAsync(RoutingChannel.Chat, request, http.User, ct));
        api.MapPost("/form", (ChatOrFormRequest request, RoutingService routing, HttpContext http, CancellationToken ct) =>
            routing.RouteChatOrFormAsync(RoutingChannel.Form, request, http.User, ct));
        return app;
    }
}
