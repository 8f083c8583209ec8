using CrmAdmin.Domain.Routing;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Http.HttpResults;

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
        api.MapPost("/email", (EmailRequest request, RoutingService routing, HttpContext http, CancellationToken ct) => routing.RouteEmailAsync(request, http.User, ct))
            .WithName("RouteEmail");
        // The same route for a raw message: routing picks the endpoint by the request's Content-Type.
        api.MapPost("/email", RouteRawEmailAsync).WithName("RouteRawEmail")
            .Accepts<string>(RawEmailReader.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/chat", (ChatOrFormRequest request, RoutingService routing, HttpContext http, CancellationToken ct) =>
            routing.RouteChatOrFormAsync(RoutingChannel.Chat, request, http.User, ct));
        api.MapPost("/form", (ChatOrFormRequest request, RoutingService routing, HttpContext http, CancellationToken ct) =>
            routing.RouteChatOrFormAsync(RoutingChannel.Form, request, http.User, ct));
        return app;
    }

    /// <summary>
    /// <c>POST /api/routing/email</c> with <c>Content-Type: message/rfc822</c>: the headers give the
    /// request (<see cref="RawEmailReader"/>); <c>?dryRun=false</c> applies it (a dry run by default, as in JSON).
    /// </summary>
    private static async Task<Results<Ok<RoutingOutcome>, ProblemHttpResult>> RouteRawEmailAsync(
        HttpRequest request, RoutingService routing, bool? dryRun, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = FieldLimits.RawMessageBytes + 1;
        }

        if (request.ContentLength > FieldLimits.RawMessageBytes)
        {
            return TooLarge(FieldLimits.RawMessageBytes);
        }

        try
        {
            var email = await RawEmailReader.ReadAsync(request.Body, FieldLimits.RawMessageBytes, dryRun ?? true, ct);
            return TypedResults.Ok(await routing.RouteEmailAsync(email, request.HttpContext.User, ct));
        }
        catch (RawEmailTooLargeException tooLarge)
        {
            return TooLarge(tooLarge.MaxBytes);
        }
    }

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem($"A raw email is at most {maxBytes:N0} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Message too large");
}
