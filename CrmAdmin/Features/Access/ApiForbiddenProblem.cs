using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CrmAdmin.Features.Access;

/// <summary>
/// An API endpoint's policy that refuses a signed-in user answers 403 with the same problem document a service's
/// refusal gets (<see cref="AccessProblemHandler"/>): "Your role does not allow this (policy). Ask an administrator for
/// access." Without it, a role at level None got a bare "Forbidden" from the endpoint's policy while a viewer's applied
/// call, refused by the service, was told why (a new operator's check, 2026-12-02). Everything else (pages, a missing
/// sign-in's 401, success) goes on as ASP.NET Core's own handler does it.
/// </summary>
internal sealed class ApiForbiddenProblem(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || !context.Request.Path.StartsWithSegments("/api"))
        {
            await standard.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var policies = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList() ?? [];
        var refusal = new AccessDeniedException(policies.Count > 0 ? string.Join(", ", policies) : "this endpoint's policy");
        await AccessProblemHandler.WriteAsync(problems, context, StatusCodes.Status403Forbidden, "Forbidden", refusal);
    }
}
