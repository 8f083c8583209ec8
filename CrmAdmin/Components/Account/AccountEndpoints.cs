using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Components.Account;

public static class AccountEndpoints
{
    /// <summary>Sign-out is a POST with an antiforgery token, so no link or form on another site can sign anyone out.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Account/Logout", async Task<Results<RedirectHttpResult, BadRequest>> (
                HttpContext http, IAntiforgery antiforgery, SignInManager<CrmUser> signIn, AccessService access) =>
            {
                // The antiforgery middleware only records the verdict; an endpoint that binds no form field must read it.
                if (!await antiforgery.IsRequestValidAsync(http))
                {
                    return TypedResults.BadRequest();
                }

                // P4: the cookie just cleared (and any copy of it) and the user's tokens stop working too.
                await access.EndSessionsAsync(http.User, http.RequestAborted);
                await signIn.SignOutAsync();
                return TypedResults.LocalRedirect("~" + AccessServiceCollectionExtensions.LoginPath);
            })
            .AllowAnonymous()
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }
}
