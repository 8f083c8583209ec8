using System.Text;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The ledger that makes each refresh token good for one exchange (<see cref="RefreshTokenLedger"/>), on both providers: a
/// second spend is refused, of two at the same moment one is, the token's text is never stored, and expired rows go.
/// </summary>
public abstract class RefreshTokenLedgerTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : RefreshTokenLedgerTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : RefreshTokenLedgerTests(DatabaseProvider.Postgres);

    private readonly FixedClock clock = new();
    private TestDatabase database = null!;
    private RefreshTokenLedger ledger = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync(provider);
        ledger = new RefreshTokenLedger(database, clock);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    private DateTimeOffset InAWeek => clock.Now.AddDays(7);

    /// <summary>A token's text as the bearer handler writes one: base64url of its protected bytes (here, of a made-up text).</summary>
    private static string Token(string bytes) => Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes(bytes));

    private static readonly string TokenA = Token("ticket a"), TokenB = Token("ticket b");

    [Fact]
    public async Task A_refresh_token_is_spent_once_and_its_second_spend_is_refused_while_another_token_is_not()
    {
        Assert.True(await ledger.TrySpendAsync(TokenA, "user-1", InAWeek));
        Assert.False(await ledger.TrySpendAsync(TokenA, "user-1", InAWeek));
        Assert.True(await ledger.TrySpendAsync(TokenB, "user-1", InAWeek));
        Assert.False(await ledger.TrySpendAsync(TokenB, "user-1", InAWeek));
    }

    [Theory]
    [InlineData(" {0}")]
    [InlineData("{0} ")]
    [InlineData("{0}\n")]
    [InlineData("\t{0}\t")]
    [InlineData("{0}  ")]
    public async Task A_spent_token_with_whitespace_around_it_is_the_same_spent_token_as_its_decoder_reads_the_same_bytes(string padded)
    {
        // A fresh new token's first exchange, then the same token padded: the decoder skips the whitespace, so it is no other token.
        Assert.True(await ledger.TrySpendAsync(TokenA, "user-1", InAWeek));

        Assert.False(await ledger.TrySpendAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, padded, TokenA), "user-1", InAWeek));
    }

    [Fact]
    public async Task A_spent_token_written_with_base64s_plus_and_slash_is_the_same_spent_token()
    {
        // Bytes whose base64url has both '-' and '_': written with '+' and '/' they decode to the same bytes.
        var token = Base64UrlTextEncoder.Encode([0xfb, 0xff, 0xbf, 0xfb, 0xef, 0xff]);
        Assert.Contains('-', token);
        Assert.Contains('_', token);
        Assert.True(await ledger.TrySpendAsync(token, "user-1", InAWeek));

        Assert.False(await ledger.TrySpendAsync(token.Replace('-', '+').Replace('_', '/'), "user-1", InAWeek));
    }

    [Fact]
    public async Task Of_two_spends_of_one_token_at_the_same_moment_exactly_one_succeeds()
    {
        for (var round = 0; round < 5; round++)
        {
            var token = Token($"raced {round}");
            var spends = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ledger.TrySpendAsync(token, "user-1", InAWeek))));
            Assert.Single(spends, spent => spent);
        }
    }

    [Fact]
    public async Task The_ledger_keeps_the_tokens_hash_not_the_token_and_removes_rows_once_their_token_has_expired()
    {
        await ledger.TrySpendAsync(Token("secret"), "user-1", clock.Now.AddHours(1));
        await ledger.TrySpendAsync(Token("longer lived"), "user-1", InAWeek);
        await using (var db = database.CreateDbContext())
        {
            var hashes = await db.SpentRefreshTokens.Select(t => t.Hash).ToListAsync();
            Assert.Equal(2, hashes.Count);
            Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        }

        clock.Now = clock.Now.AddHours(2);
        await ledger.TrySpendAsync(Token("c"), "user-1", InAWeek);

        await using var after = database.CreateDbContext();
        Assert.Equal(2, await after.SpentRefreshTokens.CountAsync());
        Assert.DoesNotContain(await after.SpentRefreshTokens.ToListAsync(), t => t.ExpiresAt <= clock.Now.UtcDateTime);
    }
}
