using CrmAdmin.Domain.Access;
using Microsoft.AspNetCore.Authorization;

namespace CrmAdmin.Features.Access;

/// <summary>
/// The only authorization names pages, services and endpoints use (P3). Each is one
/// <see cref="CrmAccessRequirement"/>, decided from the user's current role in the database.
/// </summary>
public static class Policies
{
    public const string ViewExceptions = nameof(ViewExceptions);
    public const string EditExceptions = nameof(EditExceptions);
    public const string Administer = nameof(Administer);

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(ViewExceptions, p => p.RequireAuthenticatedUser().AddRequirements(new CrmAccessRequirement(AccessLevel.View, false)));
        options.AddPolicy(EditExceptions, p => p.RequireAuthenticatedUser().AddRequirements(new CrmAccessRequirement(AccessLevel.Edit, false)));
        options.AddPolicy(Administer, p => p.RequireAuthenticatedUser().AddRequirements(new CrmAccessRequirement(AccessLevel.None, true)));
        // Deny by default: an endpoint that names no policy still needs a signed-in, active user.
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .AddRequirements(new CrmAccessRequirement(AccessLevel.None, false)).Build();
    }
}

/// <summary>An active user whose role grants at least <paramref name="Exceptions"/>; or an administrator.</summary>
public sealed record CrmAccessRequirement(AccessLevel Exceptions, bool AdministratorOnly) : IAuthorizationRequirement;

/// <summary>
/// Reads the user's role and level when a request is authorized, never from the sign-in cookie, so
/// a change made by an administrator applies to the next request (P3). Locked users get nothing. A refusal
/// is read from the database, never the cache (<see cref="UserAccessCache.GetAsync(string, Func{UserAccess?, bool}, CancellationToken)"/>).
/// </summary>
internal sealed class CrmAccessHandler(UserAccessCache access) : AuthorizationHandler<CrmAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CrmAccessRequirement requirement)
    {
        if (UserAccessCache.UserIdOf(context.User) is { } userId && Grants(await access.GetAsync(userId, a => Grants(a, requirement)), requirement))
        {
            context.Succeed(requirement);
        }
    }

    private static bool Grants(UserAccess? current, CrmAccessRequirement requirement) =>
        current is { IsActive: true } && (requirement.AdministratorOnly ? current.IsAdministrator : current.Exceptions >= requirement.Exceptions);
}
