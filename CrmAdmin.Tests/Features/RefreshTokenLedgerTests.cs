using CrmAdmin.Data;
using CrmAdmin.Features.Access;
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

    [Fact]
    public async Task A_refresh_token_is_spent_once_and_its_second_spend_is_refused_while_another_token_is_not()
    {
        Assert.True(await ledger.TrySpendAsync("token-a", "user-1", InAWeek));
        Assert.False(await ledger.TrySpendAsync("token-a", "user-1", InAWeek));
        Assert.True(await ledger.TrySpendAsync("token-b", "user-1", InAWeek));
        Assert.False(await ledger.TrySpendAsync("token-b", "user-1", InAWeek));
    }

    [Fact]
    public async Task Of_two_spends_of_one_token_at_the_same_moment_exactly_one_succeeds()
    {
        for (var round = 0; round < 5; round++)
        {
            var token = $"raced-{round}";
            var spends = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ledger.TrySpendAsync(token, "user-1", InAWeek))));
            Assert.Single(spends, spent => spent);
        }
    }

    [Fact]
    public async Task The_ledger_keeps_the_tokens_hash_not_the_token_and_removes_rows_once_their_token_has_expired()
    {
        await ledger.TrySpendAsync("secret-token-text", "user-1", clock.Now.AddHours(1));
        await ledger.TrySpendAsync("longer-lived", "user-1", InAWeek);
        await using (var db = database.CreateDbContext())
        {
            var hashes = await db.SpentRefreshTokens.Select(t => t.Hash).ToListAsync();
            Assert.Equal(2, hashes.Count);
            Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        }

        clock.Now = clock.Now.AddHours(2);
        await ledger.TrySpendAsync("token-c", "user-1", InAWeek);

        await using var after = database.CreateDbContext();
        Assert.Equal(2, await after.SpentRefreshTokens.CountAsync());
        Assert.DoesNotContain(await after.SpentRefreshTokens.ToListAsync(), t => t.ExpiresAt <= clock.Now.UtcDateTime);
    }
}
