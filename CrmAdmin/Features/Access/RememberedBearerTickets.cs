using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace CrmAdmin.Features.Access;

/// <summary>
/// The bearer token format with the tickets it has read remembered: an API client sends the same token
/// on every request (a telephony integration, thousands of routing decisions a second), and reading it
/// (data protection's AES and HMAC, then the ticket's claims) was 5 % of a dry-run decision's CPU in the
/// app (<c>perf</c>). A token read before answers its ticket from memory, as a copy, until the ticket
/// expires or for at most <see cref="Lifetime"/>, for at most <see cref="Capacity"/> tokens (past it, the least
/// recently used go first). Only a token that reads is remembered; a token that does not is read, and refused, every time.
/// Nothing the token's holder may do changes with it: the handler still refuses an expired ticket, and
/// <see cref="SessionRevocation"/> still compares the ticket's stamp with the user's on every request (P4).
/// Protecting (issuing tokens) and purposes other than none go to the inner format unchanged.
/// </summary>
/// <param name="inner">The format the bearer token handler was configured with (data protection's).</param>
/// <param name="clock">The clock the remembered tickets' lifetimes are counted on.</param>
public sealed class RememberedBearerTickets(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider clock)
    : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>How many tokens are remembered at most.</summary>
    public const int Capacity = 1_000;

    /// <summary>How long a ticket is remembered at most, however long it is valid.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    // Lives as long as the options that hold it, the app's lifetime; it has no timer to stop.
    private readonly MemoryCache tickets = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    /// <summary>The ticket of <paramref name="protectedText"/>, or null when it does not read; a copy each time, so no request sees another's changes.</summary>
    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        if (!tickets.TryGetValue(protectedText, out AuthenticationTicket? ticket))
        {
            ticket = inner.Unprotect(protectedText);
            var now = clock.GetUtcNow();
            if (ticket?.Properties.ExpiresUtc is { } expires && expires > now)
            {
                var until = expires < now + Lifetime ? expires : now + Lifetime;
                tickets.Set(protectedText, ticket, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = until - now });
            }
        }

        return ticket is null ? null : new AuthenticationTicket(ticket.Principal.Clone(), ticket.Properties.Clone(), ticket.AuthenticationScheme);
    }
}
