using System.Security.Claims;
using System.Security.Cryptography;
using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Access;

public sealed record RolePermission(string Role, AccessLevel Exceptions)
{
    public bool IsFixed => Roles.IsFixed(Role);
}

public sealed record UserRow(string Id, string Email, string? Role, bool IsLockedOut, DateTimeOffset? LockoutEnd);

/// <summary>A request that cannot be carried out as asked, with a reason for the person (the API answers 400).</summary>
public class AccessRequestException(string message) : RequestRefusedException(message);

/// <summary>The user named does not exist (the API answers 404).</summary>
public sealed class UserNotFoundException() : AccessRequestException("That user does not exist.");

/// <summary>
/// A change that would leave the CRM without an active administrator, or take an administrator's own
/// rights away from them (P2): the state of the users refuses it, not the request's shape (the API answers 409).
/// </summary>
public sealed class AccessConflictException(string message) : AccessRequestException(message);

/// <summary>
/// "CRM access permissions" and users (P1, P2): only administrators change them, every change is
/// audited, and the access cache is invalidated so the next request sees it (P3).
/// </summary>
public sealed class AccessService(
    IServiceScopeFactory scopes, IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer,
    TimeProvider clock, ILogger<AccessService> logger)
{
    /// <summary>Why an administrator's own role cannot be lowered by themselves: the page shows it beside the disabled select.</summary>
    public const string SelfDemoteReason = "You cannot take the Administrator role from yourself; another administrator can.";

    /// <summary>Why administrators cannot lock themselves out: the page shows it beside the disabled Lock button.</summary>
    public const string SelfLockReason = "You cannot lock yourself out; another administrator can.";

    public async Task<IReadOnlyList<RolePermission>> GetPermissionsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.Administer);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var roles = await db.Roles.AsNoTracking().Select(r => new { r.Name, r.Exceptions }).ToListAsync(ct);
        return roles.Select(r => new RolePermission(r.Name!, r.Exceptions))
            .OrderBy(r => Roles.Defaults.Select(d => d.Name).ToList().IndexOf(r.Role) is var i and >= 0 ? i : int.MaxValue)
            .ThenBy(r => r.Role, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>Sets the levels of the roles listed (creating none); the Administrator stays at Edit (P1).</summary>
    public async Task<IReadOnlyList<RolePermission>> SetPermissionsAsync(ClaimsPrincipal user, IReadOnlyCollection<RolePermission> changes,
        EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        FieldLimits.CheckCount(changes, FieldLimits.RolesPerChange, "permissions");
        foreach (var change in changes)
        {
            FieldLimits.Check(change.Role, Roles.MaxNameLength, "role");
            if (!Enum.IsDefined(change.Exceptions))
            {
                throw new AccessRequestException($"exceptions: one of {string.Join(", ", Enum.GetNames<AccessLevel>())}.");
            }
        }

        if (changes.FirstOrDefault(c => c.IsFixed && c.Exceptions != AccessLevel.Edit) is { } administrator)
        {
            throw new AccessRequestException($"The {administrator.Role} role always has Edit on the exception list.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var names = changes.Select(c => c.Role.ToUpperInvariant()).ToList();
        var roles = await db.Roles.Where(r => names.Contains(r.NormalizedName!)).ToListAsync(ct);
        if (changes.FirstOrDefault(c => roles.All(r => !string.Equals(r.Name, c.Role, StringComparison.OrdinalIgnoreCase))) is { } unknown)
        {
            throw new AccessRequestException($"There is no role named {unknown.Role}.");
        }

        var at = clock.GetUtcNow().UtcDateTime;
        foreach (var role in roles)
        {
            var level = changes.First(c => string.Equals(c.Role, role.Name, StringComparison.OrdinalIgnoreCase)).Exceptions;
            if (role.Exceptions != level)
            {
                db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.PermissionChanged, source, null,
                    $"{role.Name}: Exceptions {role.Exceptions} → {level}"));
                role.Exceptions = level;
            }
        }

        await db.SaveChangesAsync(ct);
        return await GetPermissionsAsync(user, ct);
    }

    public async Task AddRoleAsync(ClaimsPrincipal user, string name, AccessLevel exceptions, EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        if (!Enum.IsDefined(exceptions))
        {
            throw new AccessRequestException($"exceptions: one of {string.Join(", ", Enum.GetNames<AccessLevel>())}.");
        }

        name = name.Trim();
        if (name.Length is 0 or > Roles.MaxNameLength || name.Any(char.IsControl))
        {
            throw new AccessRequestException($"A role name is 1 to {Roles.MaxNameLength} characters.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var roleManager = scope.ServiceProvider.GetRequiredService<RoleManager<CrmRole>>();
        if (await roleManager.RoleExistsAsync(name))
        {
            throw new AccessRequestException($"A role named {name} exists already.");
        }

        Check(await roleManager.CreateAsync(new CrmRole(name, exceptions)));
        await AuditAsync(actor, AuditAction.RoleAdded, source, name, $"Exceptions {exceptions}", ct);
    }

    public async Task<IReadOnlyList<UserRow>> GetUsersAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.Administer);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email)
            .Select(u => new
            {
                u.Id,
                u.Email,
                u.LockoutEnd,
                Role = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return users.Select(u => new UserRow(u.Id, u.Email ?? "", u.Role, u.LockoutEnd > now, u.LockoutEnd)).ToList();
    }

    /// <summary>One user as listed by <see cref="GetUsersAsync"/>; <see cref="UserNotFoundException"/> for an unknown id.</summary>
    public async Task<UserRow> GetUserAsync(ClaimsPrincipal user, string userId, CancellationToken ct = default) =>
        (await GetUsersAsync(user, ct)).FirstOrDefault(u => u.Id == userId) ?? throw new UserNotFoundException();

    public async Task<UserRow> CreateUserAsync(ClaimsPrincipal user, string email, string password, string role, EntrySource source,
        CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        FieldLimits.Check(email, FieldLimits.Email, "email");
        FieldLimits.Check(password, FieldLimits.Password, "password");
        FieldLimits.Check(role, Roles.MaxNameLength, "role");
        email = email.Trim();
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var roleName = await ExistingRoleAsync(scope, role);
        if (await users.FindByEmailAsync(email) is not null)
        {
            throw new AccessConflictException($"A user with the email {email} exists already.");
        }

        var created = new CrmUser(email);
        Check(await users.CreateAsync(created, password));
        Check(await users.AddToRoleAsync(created, roleName));
        await AuditAsync(actor, AuditAction.UserCreated, source, email, $"role {roleName}", ct);
        return new UserRow(created.Id, email, roleName, false, null);
    }

    /// <summary>
    /// Gives the user exactly one role. Their sessions end (P4: a new security stamp), so they sign in
    /// again under the new role rather than keep a page or token opened under the old one.
    /// </summary>
    public async Task SetRoleAsync(ClaimsPrincipal user, string userId, string role, EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        FieldLimits.Check(role, Roles.MaxNameLength, "role");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var target = await users.FindByIdAsync(userId) ?? throw new UserNotFoundException();
        var roleName = await ExistingRoleAsync(scope, role);
        var current = await users.GetRolesAsync(target);
        if (current.Count == 1 && current[0] == roleName)
        {
            // Nothing changes, so nothing is audited and no session ends (a PUT that repeats the role, a select re-chosen).
            return;
        }

        // The last administrator hears that first: it says what to do (make another administrator), which the self rule does not.
        await GuardLastAdministratorAsync(users, target, current, losesAdministrator: !Roles.IsFixed(roleName));
        if (target.Id == UserAccessCache.UserIdOf(user) && current.Any(Roles.IsFixed) && !Roles.IsFixed(roleName))
        {
            throw new AccessConflictException(SelfDemoteReason);
        }

        Check(await users.RemoveFromRolesAsync(target, current));
        Check(await users.AddToRoleAsync(target, roleName));
        Check(await users.UpdateSecurityStampAsync(target));
        await AuditAsync(actor, AuditAction.UserRoleChanged, source, target.Email, $"{string.Join(", ", current)} → {roleName}", ct);
    }

    /// <summary>Locks a user out until unlocked: their sessions end at their next request or page check.</summary>
    public async Task SetLockedAsync(ClaimsPrincipal user, string userId, bool locked, EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var target = await users.FindByIdAsync(userId) ?? throw new UserNotFoundException();
        if (locked)
        {
            await GuardLastAdministratorAsync(users, target, await users.GetRolesAsync(target), losesAdministrator: true);
        }

        if (locked && target.Id == UserAccessCache.UserIdOf(user))
        {
            throw new AccessConflictException(SelfLockReason);
        }

        Check(await users.SetLockoutEnabledAsync(target, true));
        Check(await users.SetLockoutEndDateAsync(target, locked ? DateTimeOffset.MaxValue : null));
        if (!locked)
        {
            Check(await users.ResetAccessFailedCountAsync(target));
        }

        if (locked)
        {
            // A new security stamp ends the locked user's cookies and tokens (P4). Unlocking changes none: a locked user's
            // ended at the lock, and an unlock of a user who was not locked (or only locked out by failed sign-ins) signed
            // them out everywhere with "This sign-in has ended" though nothing about them had changed.
            Check(await users.UpdateSecurityStampAsync(target));
        }

        await AuditAsync(actor, locked ? AuditAction.UserLocked : AuditAction.UserUnlocked, source, target.Email, null, ct);
    }

    /// <summary>
    /// Gives the user a new generated password (<see cref="GeneratePassword"/>) and answers it: the
    /// only time it is shown. Their sessions end (P4). <see cref="UserNotFoundException"/> for an unknown id.
    /// </summary>
    public async Task<string> ResetPasswordAsync(ClaimsPrincipal user, string userId, EntrySource source, CancellationToken ct = default)
    {
        var password = GeneratePassword();
        await ResetPasswordAsync(user, userId, password, source, ct);
        return password;
    }

    /// <summary>Sets a new password; Identity renews the security stamp with it, so the user's sessions and tokens end (P4).</summary>
    public async Task ResetPasswordAsync(ClaimsPrincipal user, string userId, string newPassword, EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        FieldLimits.Check(newPassword, FieldLimits.Password, "password");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var target = await users.FindByIdAsync(userId) ?? throw new UserNotFoundException();
        var token = await users.GeneratePasswordResetTokenAsync(target);
        Check(await users.ResetPasswordAsync(target, token, newPassword));
        await AuditAsync(actor, AuditAction.PasswordReset, source, target.Email, null, ct);
    }

    /// <summary>
    /// Deletes a user (not oneself, not the last active administrator). Their cookies, tokens and
    /// open pages end at their next request or page check: the access cache is dropped at once (P4).
    /// </summary>
    public async Task DeleteUserAsync(ClaimsPrincipal user, string userId, EntrySource source, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.Administer);
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var target = await users.FindByIdAsync(userId) ?? throw new UserNotFoundException();
        if (target.Id == UserAccessCache.UserIdOf(user))
        {
            throw new AccessConflictException("You cannot delete yourself; another administrator can.");
        }

        await GuardLastAdministratorAsync(users, target, await users.GetRolesAsync(target), losesAdministrator: true);
        Check(await users.DeleteAsync(target));
        await AuditAsync(actor, AuditAction.UserDeleted, source, target.Email, null, ct);
    }

    /// <summary>
    /// Ends every session of the signed-in user (P4: sign-out): a new security stamp makes the cookie
    /// just cleared worthless even if it was copied, and ends the user's tokens and other pages.
    /// </summary>
    public async Task EndSessionsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (UserAccessCache.UserIdOf(user) is not { } userId)
        {
            return;
        }

        await RenewSecurityStampAsync(userId);
        // The new stamp is a committed CrmUser change: the access cache drops this user here and on every instance.
        logger.LogInformation("{Actor} signed out", Actor.NameOf(user));
    }

    /// <summary>
    /// Ends every session of the user with id <paramref name="userId"/> (P4: a new security stamp ends their cookies and tokens on
    /// every instance) because one of their refresh tokens was exchanged a second time (<see cref="RefreshTokenLedger"/>): the owner
    /// or whoever copied it holds the first exchange's tokens. Audited (<see cref="AuditAction.SessionsEnded"/>, through the API) and
    /// logged as a warning, so an administrator sees that a token of this user is in other hands. Nothing for a user removed since.
    /// </summary>
    public async Task EndSessionsForReusedRefreshTokenAsync(string userId, CancellationToken ct = default)
    {
        if (await RenewSecurityStampAsync(userId) is not { } user)
        {
            return;
        }

        logger.LogWarning("A refresh token of {User} was used a second time: every session of the user has been ended", user.Email);
        await AuditAsync(user.Email ?? userId, AuditAction.SessionsEnded, EntrySource.Api, user.Email, ReusedRefreshTokenReason, ct);
    }

    /// <summary>The audit detail of <see cref="EndSessionsForReusedRefreshTokenAsync"/>.</summary>
    public const string ReusedRefreshTokenReason = "a refresh token was used a second time, so someone else may hold it";

    /// <summary>
    /// A new security stamp for the user with id <paramref name="userId"/>, which ends every session of theirs (P4; committed, so the
    /// access cache drops the user here and on every instance); the user, or null when there is none.
    /// </summary>
    private async Task<CrmUser?> RenewSecurityStampAsync(string userId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        if (await users.FindByIdAsync(userId) is not { } user)
        {
            return null;
        }

        Check(await users.UpdateSecurityStampAsync(user));
        return user;
    }

    /// <summary>A password that meets the default rules, for a first administrator or a reset.</summary>
    public static string GeneratePassword()
    {
        const string lower = "abcdefghijkmnopqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "!@#$%*-_+=";
        var all = lower + upper + digits + symbols;
        var chars = new[] { Pick(lower), Pick(upper), Pick(digits), Pick(symbols) }
            .Concat(Enumerable.Range(0, 14).Select(_ => Pick(all))).ToArray();
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);

        static char Pick(string from) => from[RandomNumberGenerator.GetInt32(from.Length)];
    }

    private static async Task<string> ExistingRoleAsync(AsyncServiceScope scope, string role)
    {
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<CrmRole>>();
        return (await roles.FindByNameAsync(role.Trim()))?.Name ?? throw new AccessRequestException($"There is no role named {role}.");
    }

    private static async Task GuardLastAdministratorAsync(UserManager<CrmUser> users, CrmUser target, IList<string> currentRoles, bool losesAdministrator)
    {
        if (losesAdministrator && currentRoles.Any(Roles.IsFixed) &&
            (await users.GetUsersInRoleAsync(Roles.Administrator)).Count(u => u.Id != target.Id && !UserAccess.IsLockedByAdministrator(u.LockoutEnd)) == 0)
        {
            throw new AccessConflictException("This is the last active administrator; make someone else an administrator first.");
        }
    }

    /// <summary>Audits a change to users or roles and drops the cached access, so the next request sees it.</summary>
    private async Task AuditAsync(string actor, AuditAction action, EntrySource source, string? subject, string? details, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.AuditEntries.Add(new AuditEntry(clock.GetUtcNow().UtcDateTime, actor, action, source, null,
            subject is null ? details : details is null ? subject : $"{subject}: {details}"));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("{Actor}: {Action} {Subject} {Details}", actor, action, subject, details);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new AccessRequestException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
