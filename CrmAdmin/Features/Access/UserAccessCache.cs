using System.Collections.Concurrent;
using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CrmAdmin.Features.Access;

/// <summary>
/// A user's access as the database says now. <paramref name="IsActive"/> is false only while an
/// administrator's lock holds: a lockout after failed sign-ins refuses new sign-ins but leaves the
/// sessions already open alone (P4). <paramref name="SecurityStamp"/> changes on a password reset,
/// lock, role change and sign-out; a cookie or token carrying an older one is no longer honoured.
/// </summary>
public sealed record UserAccess(string UserId, string Email, string? Role, AccessLevel Exceptions, bool IsActive, string? SecurityStamp)
{
    public bool IsAdministrator => IsActive && Role is not null && Roles.IsFixed(Role);

    /// <summary>True when the principal was signed in under the user's current security stamp (P4).</summary>
    public bool Issued(ClaimsPrincipal principal) =>
        SecurityStamp is not null && principal.FindFirstValue(StampClaimType) is { } stamp && string.Equals(stamp, SecurityStamp, StringComparison.Ordinal);

    /// <summary>The claim Identity's principal factory writes the stamp to (IdentityOptions.ClaimsIdentity's default).</summary>
    public const string StampClaimType = "AspNet.Identity.SecurityStamp";

    /// <summary>
    /// An administrator's lock runs to the end of time (<see cref="AccessService.SetLockedAsync"/>);
    /// a lockout after failed attempts ends within minutes.
    /// </summary>
    public static bool IsLockedByAdministrator(DateTimeOffset? lockoutEnd) => lockoutEnd is { Year: >= 9999 };
}

/// <summary>
/// Every request is authorized against the database, so a cache keeps that cheap. A committed
/// change to users, roles or levels, on this instance or another on the same database, clears it
/// (<see cref="DataChanges"/>), so the next request sees it; the short lifetime bounds staleness
/// for what no commit announces (a lockout that runs out, a change another tool made with SQL). Another
/// instance's notice arrives a moment after its change's answer; a routing decision, whose facts carry the
/// database's <see cref="ReferenceDataVersion.AccessVersion"/>, asks <see cref="Holds"/> and is authorized again
/// when the cache is older, so a permission changed anywhere governs the very next decision. A refusal is never
/// taken from the cache (<see cref="GetAsync(string, Func{UserAccess?, bool}, CancellationToken)"/>): what it
/// refuses is read again, so a level raised, or a sign-in under a renewed stamp, where no notice has arrived, is
/// honoured at once rather than refused for up to the cache's lifetime.
/// </summary>
public sealed class UserAccessCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly IDbContextFactory<CrmDbContext> dbFactory;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<string, (UserAccess? Access, DateTimeOffset Expires)> entries = new();
    private readonly Lock gate = new();
    private long generation;
    private long heldVersion = -1;

    // Sign-ins (user and stamp) that a read from the database found ended (P4). A security stamp is a new random value
    // each time it changes and never comes back, so such a sign-in is refused without reading again: every request with
    // an ended token read the user again, and an instance answered about 2,000 of them a second against 7,500 decisions
    // (a new operator's check). Kept an hour after their last use (an access token's lifetime), 10,000 at most.
    private readonly MemoryCache endedSignIns = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private static readonly MemoryCacheEntryOptions EndedSignInEntry = new() { Size = 1, SlidingExpiration = TimeSpan.FromHours(1) };

    public UserAccessCache(IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock, DataChanges changes)
    {
        this.dbFactory = dbFactory;
        this.clock = clock;
        changes.Subscribe([typeof(CrmUser), typeof(CrmRole), typeof(Microsoft.AspNetCore.Identity.IdentityUserRole<string>)], Invalidate);
    }

    public static string? UserIdOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>The user's access (null for an unknown user): from the cache while it is younger than 30 s, else read from the database.</summary>
    public async Task<UserAccess?> GetAsync(string userId, CancellationToken ct = default) =>
        TryCached(userId, out var cached) ? cached : await ReadAsync(userId, ct);

    /// <summary>
    /// The user's access, from the cache only when it <paramref name="allows"/> what is asked (a policy's level, the
    /// principal's stamp); otherwise read from the database, which has the last word on a refusal. Refusals are rare and
    /// cost one read each; a stale one refused a level raised with SQL on every instance for 30 s.
    /// </summary>
    public async Task<UserAccess?> GetAsync(string userId, Func<UserAccess?, bool> allows, CancellationToken ct = default) =>
        TryCached(userId, out var cached) && allows(cached) ? cached : await ReadAsync(userId, ct);

    /// <summary>
    /// The access of <paramref name="principal"/>'s user while the principal's sign-in holds: signed in under the user's
    /// current security stamp (P4). Null when it has ended (a new stamp, or the user removed); that is known from a read
    /// of the database, never from the cache alone, and then remembered, as an ended stamp never holds again.
    /// </summary>
    /// <param name="principal">An authenticated principal (its user id and stamp claims as Identity writes them).</param>
    public async Task<UserAccess?> SignedInAsync(ClaimsPrincipal principal, CancellationToken ct = default)
    {
        var userId = UserIdOf(principal) ?? throw new ArgumentException("The principal is not signed in.", nameof(principal));
        var signIn = (userId, principal.FindFirstValue(UserAccess.StampClaimType));
        if (endedSignIns.TryGetValue(signIn, out _))
        {
            return null;
        }

        bool Honours(UserAccess? access) => access is not null && access.Issued(principal);
        var current = await GetAsync(userId, Honours, ct);
        if (Honours(current))
        {
            return current;
        }

        endedSignIns.Set(signIn, true, EndedSignInEntry);
        return null;
    }

    private bool TryCached(string userId, out UserAccess? access)
    {
        var found = entries.TryGetValue(userId, out var cached) && cached.Expires > clock.GetUtcNow();
        access = found ? cached.Access : null;
        return found;
    }

    private async Task<UserAccess?> ReadAsync(string userId, CancellationToken ct)
    {
        // The entry's life starts before the read, so it never outlives what the database said by more than the lifetime.
        var (now, seen) = (clock.GetUtcNow(), Volatile.Read(ref generation));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.LockoutEnd, u.SecurityStamp }).SingleOrDefaultAsync(ct);
        UserAccess? access = null;
        if (user is not null)
        {
            var role = await db.UserRoles.Where(ur => ur.UserId == userId)
                .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => new { r.Name, r.Exceptions })
                .OrderBy(r => r.Name).FirstOrDefaultAsync(ct);
            access = new UserAccess(user.Id, user.Email ?? "", role?.Name, role?.Exceptions ?? AccessLevel.None,
                !UserAccess.IsLockedByAdministrator(user.LockoutEnd), user.SecurityStamp);
        }

        lock (gate)
        {
            // Cleared while we read: what we read may be older than the change that cleared it; use it once, keep nothing.
            if (generation == seen)
            {
                entries[userId] = (access, now + Lifetime);
            }
        }

        return access;
    }

    /// <summary>
    /// True when everything cached was read at <paramref name="accessVersion"/> (the database's
    /// <see cref="ReferenceDataVersion.AccessVersion"/>, as a decision's facts read it) or later. Otherwise clears the
    /// cache, so access checked after this call is read from the database, and returns false.
    /// </summary>
    public bool Holds(long accessVersion)
    {
        lock (gate)
        {
            if (heldVersion == accessVersion)
            {
                return true;
            }

            heldVersion = accessVersion;
            generation++;
            entries.Clear();
            return false;
        }
    }

    /// <summary>Forgets every user's access; the next check of each reads the database.</summary>
    public void Invalidate()
    {
        lock (gate)
        {
            generation++;
            entries.Clear();
        }
    }
}
