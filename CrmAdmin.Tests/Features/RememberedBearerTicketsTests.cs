using System.Net;
using System.Security.Claims;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// A bearer token is read (decrypted, its claims parsed) once, then answered from memory until its ticket expires;
/// what a token may do never comes from memory alone (the handler's expiry, P4's stamp check).
/// </summary>
public sealed class RememberedBearerTicketsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_token_read_once_is_answered_from_memory_with_a_copy_of_its_ticket_each_time()
    {
        var inner = new CountingFormat { Ticket = TicketExpiring(Now.AddHours(1)) };
        var tickets = new RememberedBearerTickets(inner, new FixedClock());

        var first = tickets.Unprotect("token-a");
        var second = tickets.Unprotect("token-a");

        Assert.Equal(1, inner.Reads);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotSame(first, second);
        Assert.NotSame(first.Principal, second.Principal);
        Assert.NotSame(first.Properties, second.Properties);
        Assert.Equal("viewer@test.local", second.Principal.Identity?.Name);
        Assert.Equal(Now.AddHours(1), second.Properties.ExpiresUtc);
        Assert.Equal(IdentityConstants.BearerScheme, second.AuthenticationScheme);

        tickets.Unprotect("token-b");
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public void A_token_that_does_not_read_is_read_and_refused_every_time()
    {
        var inner = new CountingFormat { Ticket = null };
        var tickets = new RememberedBearerTickets(inner, new FixedClock());

        Assert.Null(tickets.Unprotect("forged"));
        Assert.Null(tickets.Unprotect("forged"));
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public void An_expired_ticket_or_one_without_expiry_is_not_remembered()
    {
        var expired = new CountingFormat { Ticket = TicketExpiring(Now.AddSeconds(-1)) };
        var tickets = new RememberedBearerTickets(expired, new FixedClock());
        tickets.Unprotect("old");
        tickets.Unprotect("old");
        Assert.Equal(2, expired.Reads);

        var endless = new CountingFormat { Ticket = TicketExpiring(null) };
        tickets = new RememberedBearerTickets(endless, new FixedClock());
        tickets.Unprotect("endless");
        tickets.Unprotect("endless");
        Assert.Equal(2, endless.Reads);
    }

    [Fact]
    public void Issuing_and_reading_with_a_purpose_go_to_the_inner_format()
    {
        var inner = new CountingFormat { Ticket = TicketExpiring(Now.AddHours(1)) };
        var tickets = new RememberedBearerTickets(inner, new FixedClock());

        Assert.Equal("protected", tickets.Protect(inner.Ticket!));
        tickets.Unprotect("token", "other purpose");
        tickets.Unprotect("token", "other purpose");

        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public async Task The_app_reads_bearer_tokens_through_it_and_a_token_works_on_every_request()
    {
        await using var factory = new CrmAdminFactory();
        var options = factory.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
        Assert.IsType<RememberedBearerTickets>(options.BearerTokenProtector);

        using var client = await factory.CreateApiClientAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/exceptions")).StatusCode);
        }

        // One character changed: not the remembered token, and data protection refuses it.
        var token = client.DefaultRequestHeaders.Authorization!.Parameter!;
        var middle = token.Length / 2;
        client.DefaultRequestHeaders.Authorization = new("Bearer", token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/exceptions")).StatusCode);
    }

    private static AuthenticationTicket TicketExpiring(DateTimeOffset? expires) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "viewer@test.local")], IdentityConstants.BearerScheme)),
            new AuthenticationProperties { ExpiresUtc = expires }, IdentityConstants.BearerScheme);

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class CountingFormat : ISecureDataFormat<AuthenticationTicket>
    {
        public AuthenticationTicket? Ticket { get; init; }

        public int Reads { get; private set; }

        public string Protect(AuthenticationTicket data) => "protected";

        public string Protect(AuthenticationTicket data, string? purpose) => "protected";

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Reads++;
            return Ticket;
        }
    }
}
