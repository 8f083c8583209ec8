using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Exceptions;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Access;

/// <summary>Sign-in for automation and the administrators' API (SPEC §9).</summary>
public static class AccessEndpoints
{
    public sealed record TokenRequest(string Email, string Password);

    /// <summary>The <c>refreshToken</c> of an earlier token answer.</summary>
    public sealed record RefreshRequest(string RefreshToken);

    public sealed record NewUser(string Email, string Password, string Role);

    public sealed record PermissionDto(string Role, AccessLevel Exceptions);

    /// <summary>A change to one user: a new role, locked or unlocked, or both (role first). Absent means unchanged.</summary>
    public sealed record UserChange(string? Role, bool? Locked);

    /// <summary>The generated password (it stays the password until changed): this answer is the only place it appears.</summary>
    public sealed record IssuedPassword(string Password);

    public static IEndpointRouteBuilder MapAccessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueTokenAsync).WithTags("Access").WithName("IssueToken").AllowAnonymous()
            .RequireRateLimiting(Hardening.SecurityHeaders.TokenRateLimit)
            .Produces<AccessTokenResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        app.MapPost("/api/auth/refresh", RefreshTokenAsync).WithTags("Access").WithName("RefreshToken").AllowAnonymous()
            .WithSummary("Answers a new access and refresh token for the refreshToken of an earlier answer, without the password.")
            .WithDescription("Each refresh token is good for one exchange: use the refreshToken of the latest answer. 401: the refresh "
                + "token is not one of this app's, has expired (14 days), or its user has since been locked, deleted, given a new role or "
                + "password, or signed out; or it was exchanged before, which ends every session of its user. A lockout by wrong "
                + "passwords refuses new sign-ins only: an open session's refresh token still renews (P4).")
            .RequireRateLimiting(Hardening.SecurityHeaders.RefreshRateLimit)
            .Produces<AccessTokenResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);

        app.MapPost("/api/auth/sign-out", SignOutAsync).WithTags("Access").WithName("SignOut").RequireAuthorization()
            .WithSummary("Signs the caller out everywhere: this token and its refresh token, the user's other tokens, sign-in cookies and open pages end (P4).")
            .WithDescription("204: signed out. With the browser's sign-in cookie rather than a bearer token, the call needs the X-CSRF-TOKEN header (P5), "
                + "so no other site can sign anyone out.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        var admin = app.MapGroup("/api").WithTags("Access").RequireAuthorization(Policies.Administer);
        admin.MapGet("/users", (AccessService access, HttpContext http, CancellationToken ct) => access.GetUsersAsync(http.User, ct))
            .WithName("ListUsers");
        admin.MapPost("/users", CreateUserAsync).WithName("CreateUser").ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPut("/users/{id}", ChangeUserAsync).WithName("ChangeUser")
            .WithSummary("Changes a user's role and/or lock; answers the user as it now stands.")
            .WithDescription("400: an unknown role or an empty change. 404: no such user. 409: the change would demote or lock the "
                + "caller themselves, or leave no active administrator.")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/users/{id}/reset-password", ResetPasswordAsync).WithName("ResetPassword")
            .WithSummary("Gives the user a new generated password and answers it (shown only here; it stays their password until changed); their sessions end.")
            .WithDescription("404: no such user.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapDelete("/users/{id}", DeleteUserAsync).WithName("DeleteUser")
            .WithSummary("Deletes a user, as the Users page does; their cookies and tokens end at their next request (P4).")
            .WithDescription("204: deleted. 404: no such user. 409: the caller themselves, or the last active administrator.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
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
        // A blank email is none either (no account has one); a password of spaces may still be someone's, and is checked.
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            // A missing field is a malformed request, not a guess: it counted towards the account's lockout and read as a wrong password.
            return Missing(string.IsNullOrWhiteSpace(request.Email) ? "email" : "password");
        }

        if (await passwords.CheckAsync(request.Email, request.Password) is not { } user)
        {
            return TypedResults.Problem(PasswordSignIn.RefusedMessage, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in refused");
        }

        // The principal carries the user's security stamp: a reset, lock, role change or sign-out ends the token (P4).
        var principal = await signIn.CreateUserPrincipalAsync(user);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }

    /// <summary>
    /// Answers new tokens for a refresh token the token answer gave (as ASP.NET Core Identity's own <c>/refresh</c>): the
    /// ticket must be this app's (the keys are shared by every instance), unexpired, and carry the user's current security
    /// stamp, so whatever ends the user's sessions (P4) ends the refresh token too; every such refusal reads the same. A
    /// lockout by wrong passwords does not refuse it: P4 has a lockout refuse new sign-ins only, and anyone who knows the address
    /// can cause one, so refusing here let a stranger end a user's automation. A refresh token is good for one exchange (<see cref="RefreshTokenLedger"/>): used
    /// again, it is refused with a reason of its own, and every session of its user ends (a new security stamp, P4), since
    /// either the owner or whoever copied the token has the new tokens of the first exchange and there is no telling which.
    /// </summary>
    private static async Task<Results<SignInHttpResult, ProblemHttpResult>> RefreshTokenAsync(
        RefreshRequest request, IOptionsMonitor<BearerTokenOptions> bearer, SignInManager<CrmUser> signIn, TimeProvider clock,
        RefreshTokenLedger ledger, AccessService access, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            // Not a token that has ended: nothing was sent.
            return Missing("refreshToken", " (the refreshToken of a POST /api/auth/token answer)");
        }

        var ticket = request.RefreshToken.Length > MaxRefreshTokenLength
            ? null
            : bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
        {
            return TypedResults.Problem("The refresh token is not valid any more: sign in again.", statusCode: StatusCodes.Status401Unauthorized, title: "Token not refreshed");
        }

        if (!await ledger.TrySpendAsync(request.RefreshToken, user.Id, expires, ct))
        {
            await access.EndSessionsForReusedRefreshTokenAsync(user.Id, ct);
            return TypedResults.Problem(ReusedRefreshTokenDetail, statusCode: StatusCodes.Status401Unauthorized, title: "Token not refreshed");
        }

        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }

    /// <summary>The 400 of a sign-in request without <paramref name="field"/>: "field: required." and what to send.</summary>
    private static ProblemHttpResult Missing(string field, string hint = "") =>
        TypedResults.Problem($"{field}: required{hint}.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid value");

    /// <summary>
    /// Signs the caller out everywhere, as the pages' sign-out does (P4): a new security stamp ends this token, its refresh
    /// token, the user's other tokens and cookies and their open pages, on every instance. A caller by cookie (whose
    /// antiforgery header <see cref="Hardening.ApiAntiforgery"/> has checked) also has the cookie cleared.
    /// </summary>
    private static async Task<NoContent> SignOutAsync(HttpContext http, AccessService access, SignInManager<CrmUser> signIn, CancellationToken ct)
    {
        await access.EndSessionsAsync(http.User, ct);
        if (!SessionRevocation.IsBearer(http.Request))
        {
            await signIn.SignOutAsync();
        }

        return TypedResults.NoContent();
    }

    /// <summary>The detail of the 401 for a refresh token exchanged before (<see cref="RefreshTokenLedger"/>).</summary>
    public const string ReusedRefreshTokenDetail =
        "This refresh token was exchanged before: each one is good once (use the refreshToken of the latest answer). A second use means " +
        "someone else may hold it, so every sign-in of this user has been ended: sign in again (POST /api/auth/token).";

    // A refresh token is a few hundred characters; a longer text is not one, and is not decrypted.
    private const int MaxRefreshTokenLength = 4096;

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
            // A taken email is the list's state, not the request's shape: 409, as a client retrying a create expects.
            return TypedResults.Problem(e.Message, statusCode: e is AccessConflictException ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                title: "User not created");
        }
    }

    private static async Task<Results<Ok<UserRow>, ProblemHttpResult>> ChangeUserAsync(
        string id, UserChange change, AccessService access, HttpContext http, CancellationToken ct)
    {
        FieldLimits.Check(id, FieldLimits.UserId, "id");
        try
        {
            if (change.Role is null && change.Locked is null)
            {
                throw new AccessRequestException("Give a role, locked, or both.");
            }

            if (change.Role is { } role)
            {
                await access.SetRoleAsync(http.User, id, role, EntrySource.Api, ct);
            }

            if (change.Locked is { } locked)
            {
                await access.SetLockedAsync(http.User, id, locked, EntrySource.Api, ct);
            }

            return TypedResults.Ok(await access.GetUserAsync(http.User, id, ct));
        }
        catch (AccessRequestException e)
        {
            return Refused(e, "User not changed");
        }
    }

    private static async Task<Results<Ok<IssuedPassword>, ProblemHttpResult>> ResetPasswordAsync(
        string id, AccessService access, HttpContext http, CancellationToken ct)
    {
        FieldLimits.Check(id, FieldLimits.UserId, "id");
        try
        {
            return TypedResults.Ok(new IssuedPassword(await access.ResetPasswordAsync(http.User, id, EntrySource.Api, ct)));
        }
        catch (AccessRequestException e)
        {
            return Refused(e, "Password not reset");
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteUserAsync(
        string id, AccessService access, HttpContext http, CancellationToken ct)
    {
        FieldLimits.Check(id, FieldLimits.UserId, "id");
        try
        {
            await access.DeleteUserAsync(http.User, id, EntrySource.Api, ct);
            return TypedResults.NoContent();
        }
        catch (AccessRequestException e)
        {
            return Refused(e, "User not deleted");
        }
    }

    /// <summary>404 for an unknown user, 409 for a change the users' state refuses (self, last administrator), 400 otherwise.</summary>
    private static ProblemHttpResult Refused(AccessRequestException e, string title) => TypedResults.Problem(e.Message, title: title, statusCode: e switch
    {
        UserNotFoundException => StatusCodes.Status404NotFound,
        AccessConflictException => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    });

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
