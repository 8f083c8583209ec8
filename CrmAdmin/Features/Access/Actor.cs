using System.Security.Claims;

namespace CrmAdmin.Features.Access;

/// <summary>The name written to CreatedBy and the audit log for whoever makes a change (X1, X6).</summary>
public static class Actor
{
    public const string Anonymous = "anonymous";

    public static string NameOf(ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : Anonymous;
}
