using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Features.Access;

/// <summary>
/// P4: a password reset, a lock, a role change, a deletion and a sign-out end the user's existing
/// sign-in cookies and bearer tokens. Each of those changes the user's security stamp (or removes
/// the user) and invalidates <see cref="UserAccessCache"/>; every authenticated request is then
/// checked here against the stamp the cookie or token was issued with. Identity's bearer tokens
/// carry no expiry check of their own beyond their hour, and its cookie validator only looks every
/// few minutes, so this one check serves both at every request, from the cache while it matches (a revocation
/// made on another instance is seen when its notice arrives, in milliseconds, or at most 30 s later without one).
/// </summary>
public static class SessionRevocation
{
    /// <summary>Runs after authentication: a revoked principal becomes anonymous (401 for the API, sign-in page for a browser).</summary>
    public static IApplicationBuilder UseSessionRevocation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (UserAccessCache.UserIdOf(context.User) is not null)
        {
            // A stamp that does not match is read again (signed in on another instance after a reset there, the principal
            // carries a stamp newer than this cache until the notice arrives); one the database has superseded is remembered.
            if (await context.RequestServices.GetRequiredService<UserAccessCache>().SignedInAsync(context.User, context.RequestAborted) is null)
            {
                if (!IsBearer(context.Request))
                {
                    // Drop the revoked cookie from the browser too; a later request must sign in again.
                    await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                }

                context.User = new ClaimsPrincipal(new ClaimsIdentity());
                context.Items[EndedSignIn] = true;
            }
        }

        await next();
    });

    /// <summary>The detail of an API 401 whose cookie or token P4 has ended.</summary>
    public const string EndedDetail =
        "This sign-in has ended: the user's password was reset, their role changed, they were locked or removed, they signed out, " +
        "or one of their refresh tokens was used a second time. " +
        "Sign in again (POST /api/auth/token).";

    /// <summary>The detail of an API 401 whose bearer token does not read: expired, cut short, altered, or made with other keys.</summary>
    public const string RefusedTokenDetail =
        "The bearer token was not accepted: it has expired (an access token lasts an hour) or is not a whole token of this app's. " +
        "Renew it with POST /api/auth/refresh, or get a new one from POST /api/auth/token.";

    /// <summary>The detail of any other API 401: no token, and no cookie or one that does not read.</summary>
    public const string SignInDetail =
        "Sign in first: send the header 'Authorization: Bearer <accessToken>' with a token from POST /api/auth/token " +
        "(it lasts an hour; POST /api/auth/refresh renews it), or the sign-in cookie.";

    private static readonly object EndedSignIn = new();

    /// <summary>
    /// Gives an API 401 problem document that has no detail of its own (a refused password has one) the reason, so an
    /// integrator can tell an ended sign-in from a token that does not read and from none; the title alone said "Unauthorized".
    /// </summary>
    public static void ExplainUnauthorized(ProblemDetailsContext problem)
    {
        if (problem.ProblemDetails.Status == StatusCodes.Status401Unauthorized && problem.ProblemDetails.Detail is null
            && problem.HttpContext.Request.Path.StartsWithSegments("/api"))
        {
            problem.ProblemDetails.Detail = problem.HttpContext.Items.ContainsKey(EndedSignIn) ? EndedDetail
                : IsBearer(problem.HttpContext.Request) ? RefusedTokenDetail
                : SignInDetail;
        }
    }

    /// <summary>The request authenticates with a bearer token (the same test the cookie-or-bearer scheme makes).</summary>
    public static bool IsBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
}
