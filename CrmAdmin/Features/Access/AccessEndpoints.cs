using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Exceptions;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Features.Access;

/// <summary>Sign-in for automation and the administrators' API (SPEC §9).</summary>
public static class AccessEndpoints
{
    public sealed record TokenRequest(string Email, string Password);

    public sealed record NewUser(string Email, string Password, string Role);

    public sealed record PermissionDto(string Role, AccessLevel Exceptions);

    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueTokenAsync).WithTags("Access").WithName("IssueToken").AllowAnonymous()
            .RequireRateLimiting(Hardening.SecurityHeaders.TokenRateLimit)
            .Produces<AccessTokenResponse>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        var admin = app.MapGroup("/api").WithTags("Access").RequireAuthorization(Policies.Administer);
        admin.MapGet("/users", (AccessService access, HttpContext http, CancellationToken ct) => access.GetUsersAsync(http.User, ct))
            .WithName("ListUsers");
        admin.MapPost("/users", CreateUserAsync).WithName("CreateUser");
        admin.MapGet("/permissions", GetPermissionsAsync).WithName("GetPermissions");
        admin.MapPut("/permissions", SetPermissionsAsync).WithName("SetPermissions");
        return app;
    }

    /// <summary>
    /// Answers a bearer token for a correct email and password. A wrong password counts towards
    /// lockout exactly as on the sign-in page; a locked account gets no token even with the right one.
    /// Every refusal reads the same and takes the same time (<see cref="PasswordSignIn"/>, P4).
    /// </summary>
    private static async Task<Results<SignInHttpResult, ProblemHttpResult>> IssueTokenAsync(
        TokenRequest request, PasswordSignIn passwords, SignInManager<CrmUser> signIn)
    {
        if (await passwords.CheckAsync(request.Email, request.Password) is not { } user)
        {
            return TypedResults.Problem(PasswordSignIn.RefusedMessage, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in refused");
        }

        // The principal carries the user's security stamp: a reset, lock, role change or sign-out ends the token (P4).
        var principal = await signIn.CreateUserPrincipalAsync(user);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    private static async Task<Results<Created<UserRow>, ProblemHttpResult>> CreateUserAsync(
        NewUser request, AccessService access, HttpContext http, CancellationToken ct)
    {
        try
        {
            var created = await access.CreateUserAsync(http.User, request.Email ?? "", request.Password ?? "", request.Role ?? "", EntrySource.Api, ct);
            return TypedResults.Created($"/api/users/{created.Id}", created);
        }
        catch (AccessRequestException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "User not created");
        }
    }

    private static async Task<IEnumerable<PermissionDto>> GetPermissionsAsync(AccessService access, HttpContext http, CancellationToken ct) =>
        (await access.GetPermissionsAsync(http.User, ct)).Select(p => new PermissionDto(p.Role, p.Exceptions));

    private static async Task<Results<Ok<IEnumerable<PermissionDto>>, ProblemHttpResult>> SetPermissionsAsync(
        PermissionDto[] changes, AccessService access, HttpContext http, CancellationToken ct)
    {
        FieldLimits.CheckCount(changes, FieldLimits.RolesPerChange, "permissions");
        try
        {
            var result = await access.SetPermissionsAsync(http.User, changes.Select(c => new RolePermission(c.Role, c.Exceptions)).ToList(), EntrySource.Api, ct);
            return TypedResults.Ok(result.Select(p => new PermissionDto(p.Role, p.Exceptions)));
        }
        catch (AccessRequestException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest, title: "Permissions not changed");
        }
    }
}
