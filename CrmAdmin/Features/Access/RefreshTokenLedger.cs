using System.Security.Cryptography;
using System.Text;
using CrmAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Access;

/// <summary>
/// The refresh tokens already exchanged for new tokens (<see cref="SpentRefreshToken"/>), in the database, so every instance
/// sees the same ledger. Identity's refresh tokens are sealed tickets that any number of exchanges would accept for their
/// 14 days: one copied from a log or a script and used alongside its owner could renew itself forever. Spent once, a
/// token's second exchange is refused, and tells that two parties hold it (<see cref="AccessEndpoints"/> then ends the
/// user's sessions, P4).
/// </summary>
public sealed class RefreshTokenLedger(IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>
    /// Records <paramref name="refreshToken"/> (its SHA-256; the text is never stored) as exchanged, for
    /// <paramref name="userId"/>, until <paramref name="expiresAt"/>. True the first time; false when it was spent
    /// before, on this instance or another (the key is the hash: of two exchanges at once, one is refused).
    /// Removes the spent tokens that have expired since, which no exchange would accept anyway.
    /// </summary>
    public async Task<bool> TrySpendAsync(string refreshToken, string userId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.SpentRefreshTokens.Where(t => t.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        db.SpentRefreshTokens.Add(new SpentRefreshToken { Hash = hash, UserId = userId, ExpiresAt = expiresAt.UtcDateTime });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // The key was taken: spent before, or by an exchange of the same token at the same moment. Anything else is rethrown.
            if (await IsSpentAsync(hash, ct))
            {
                return false;
            }

            throw;
        }
    }

    private async Task<bool> IsSpentAsync(string hash, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.SpentRefreshTokens.AnyAsync(t => t.Hash == hash, ct);
    }
}
