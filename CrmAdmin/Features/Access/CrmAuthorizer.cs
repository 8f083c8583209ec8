using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace CrmAdmin.Features.Access;

/// <summary>
/// A change refused because the user's role does not allow it (P3) — perhaps changed while their
/// page was open. Pages show it like any refused request; the API answers it 403.
/// </summary>
public sealed class AccessDeniedException(string policy)
    : RequestRefusedException($"Your role does not allow this ({policy}). Ask an administrator for access.")
{
    public string Policy { get; } = policy;
}

/// <summary>
/// The services' own check, so a change is refused even when a page or client skipped theirs
/// (hiding a button is not enforcement, P3).
/// </summary>
public sealed class CrmAuthorizer(IAuthorizationService authorization)
{
    /// <summary>Throws <see cref="AccessDeniedException"/> unless the user meets the policy; returns the name to record.</summary>
    public async Task<string> RequireAsync(ClaimsPrincipal user, string policy)
    {
        var result = await authorization.AuthorizeAsync(user, policy);
        return result.Succeeded ? Actor.NameOf(user) : throw new AccessDeniedException(policy);
    }

    public async Task<bool> AllowsAsync(ClaimsPrincipal user, string policy) =>
        (await authorization.AuthorizeAsync(user, policy)).Succeeded;
}
