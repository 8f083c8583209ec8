using CrmAdmin.Domain.Access;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Data;

/// <summary>A person who signs in to CrmAdmin; the user name is the email address.</summary>
public sealed class CrmUser : IdentityUser
{
    public CrmUser()
    {
    }

    public CrmUser(string email) : base(email)
    {
        Email = email;
        EmailConfirmed = true;
        LockoutEnabled = true;
    }
}

/// <summary>A role with its level for the exception list ("CRM access permissions", P1, P2).</summary>
public sealed class CrmRole : IdentityRole
{
    public CrmRole()
    {
    }

    public CrmRole(string name, AccessLevel exceptions) : base(name) => Exceptions = exceptions;

    public AccessLevel Exceptions { get; set; }
}

/// <summary>
/// A refresh token that has been exchanged for new tokens (<c>POST /api/auth/refresh</c>): each refresh token is good for one
/// exchange (rotation, as OAuth 2.0's security advice has it), so a second use tells that someone holds a copy
/// (<see cref="Features.Access.RefreshTokenLedger"/>). Kept until the token would have expired anyway, then removed.
/// </summary>
public sealed class SpentRefreshToken
{
    /// <summary>The SHA-256 of the token's text, 64 lowercase hex digits: the token is a credential and is never stored itself.</summary>
    public required string Hash { get; init; }

    /// <summary>Whose token it was (<see cref="CrmUser"/>'s id).</summary>
    public required string UserId { get; init; }

    /// <summary>When the token would have expired (UTC): past it the token is refused anyway, and the row is removed.</summary>
    public DateTime ExpiresAt { get; init; }
}
