using System.Collections.Concurrent;
using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Access;

/// <summary>A user's access as the database says now.</summary>
public sealed record UserAccess(string UserId, string Email, string? Role, AccessLevel Exceptions, bool IsActive)
{
    public bool IsAdministrator => IsActive && Role is not null && Roles.IsFixed(Role);
}

/// <summary>
/// Every request is authorized against the database, so a cache keeps that cheap. A committed
/// change to users, roles or levels, on this instance or another on the same database, clears it
/// (<see cref="DataChanges"/>), so the next request sees it; the short lifetime bounds staleness
/// for what no commit announces (a lockout that runs out).
/// </summary>
public sealed class UserAccessCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly IDbContextFactory<CrmDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<string, (UserAccess? Access, DateTimeOffset Expires)> entries = new();

    public UserAccessCache(IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock, DataChanges changes)
    {
        this.dbFactory = dbFactory;
        this.clock = clock;
        changes.Subscribe([typeof(CrmUser), typeof(CrmRole), typeof(Microsoft.AspNetCore.Identity.IdentityUserRole<string>)], Invalidate);
    }

    public static string? UserIdOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    public async Task<UserAccess?> GetAsync(string userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (entries.TryGetValue(userId, out var cached) && cached.Expires > now)
        {
            return cached.Access;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.LockoutEnd }).SingleOrDefaultAsync(ct);
        UserAccess? access = null;
        if (user is not null)
        {
            var role = await db.UserRoles.Where(ur => ur.UserId == userId)
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => new { r.Name, r.Exceptions })
                .OrderBy(r => r.Name).FirstOrDefaultAsync(ct);
            var locked = user.LockoutEnd is { } end && end > now;
            access = new UserAccess(user.Id, user.Email ?? "", role?.Name, role?.Exceptions ?? AccessLevel.None, !locked);
        }

        entries[userId] = (access, now + Lifetime);
        return access;
    }

    /// <summary>Forgets every user's access; the next check of each reads the database.</summary>
    public void Invalidate()
    {
        entries.Clear();
    }
}
