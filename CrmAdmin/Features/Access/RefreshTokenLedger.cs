using System.Security.Cryptography;
using CrmAdmin.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Access;

/// <summary>
/// The refresh tokens already exchanged for new tokens (<see cref="SpentRefreshToken"/>), in the database, so every instance
/// sees the same ledger. Identity's refresh tokens are sealed tickets that any number of exchanges would accept for their
/// 14 days: one copied from a log or a script and used alongside its owner could renew itself forever. Spent once, a
/// token's second exchange is refused, and tells that two parties hold it (the refresh endpoint then ends the user's sessions:
/// <see cref="AccessService.EndSessionsForReusedRefreshTokenAsync"/>, P4).
/// </summary>
public sealed class RefreshTokenLedger(IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>
    /// Records <paramref name="refreshToken"/> as exchanged, for <paramref name="userId"/>, until <paramref name="expiresAt"/>.
    /// True the first time; false when it was spent before, on this instance or another (the key is the token's hash: of two
    /// exchanges at once, one is refused). Removes the spent tokens that have expired since, which no exchange would accept anyway.
    /// The key is the SHA-256 of the protected bytes the text decodes to, as the bearer handler decodes it (base64url), not of the
    /// text: the decoder skips whitespace and reads '+' and '/' as '-' and '_', so <c>token + " "</c> was a second, unspent token
    /// of the same ticket, exchanged again without a trace. The bytes are what the data protection authenticates: no other
    /// bytes give the same ticket.
    /// </summary>
    /// <exception cref="FormatException">The text is no base64url (a refresh token the handler accepted always is).</exception>
    public async Task<bool> TrySpendAsync(string refreshToken, string userId, DateTimeOffset expiresAt, CancellationToken ct = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Base64UrlTextEncoder.Decode(refreshToken)));
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
