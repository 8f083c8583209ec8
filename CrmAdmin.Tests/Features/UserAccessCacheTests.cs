using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Users' access is cached for 30 s, and a change no notice announces (SQL from another tool; another instance's
/// notice still on its way) must not be refused for that long: a refusal is read again from the database, for a
/// policy (P3) and for a sign-in's security stamp (P4), while what the cache allows is served from it.
/// </summary>
public abstract class UserAccessCacheTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : UserAccessCacheTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : UserAccessCacheTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;

    public async Task InitializeAsync() => host = await ServiceTestHost.CreateAsync(provider: provider);

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task A_level_raised_where_no_notice_is_sent_is_allowed_at_the_next_check_for_every_policy()
    {
        var authorizer = host.Get<CrmAuthorizer>();
        Assert.False(await authorizer.AllowsAsync(host.Intern, Policies.ViewExceptions));

        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmRole>(db)} SET "Exceptions" = 'Edit' WHERE "Name" = '{ServiceTestHost.NoAccessRole}'""");

        Assert.True(await authorizer.AllowsAsync(host.Intern, Policies.ViewExceptions));
        Assert.True(await authorizer.AllowsAsync(host.Intern, Policies.EditExceptions));
    }

    [Fact]
    public async Task A_level_lowered_where_no_notice_is_sent_is_served_from_the_cache_until_it_ends()
    {
        // The other half of the bargain: what the cache allows is not read again (routing reads the access version instead).
        var authorizer = host.Get<CrmAuthorizer>();
        Assert.True(await authorizer.AllowsAsync(host.Viewer, Policies.ViewExceptions));

        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmRole>(db)} SET "Exceptions" = 'None'""");

        Assert.True(await authorizer.AllowsAsync(host.Viewer, Policies.ViewExceptions));
        host.Get<UserAccessCache>().Invalidate();
        Assert.False(await authorizer.AllowsAsync(host.Viewer, Policies.ViewExceptions));
    }

    [Fact]
    public async Task A_stamp_renewed_where_no_notice_is_sent_is_read_again_when_the_cached_one_does_not_match()
    {
        var cache = host.Get<UserAccessCache>();
        var userId = UserAccessCache.UserIdOf(host.Viewer)!;
        var old = (await cache.GetAsync(userId))!.SecurityStamp;

        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmUser>(db)} SET "SecurityStamp" = 'RENEWED' WHERE "Id" = '{userId}'""");

        Assert.Equal(old, (await cache.GetAsync(userId))!.SecurityStamp);
        Assert.Equal(old, (await cache.GetAsync(userId, a => a?.SecurityStamp == old))!.SecurityStamp);
        Assert.Equal("RENEWED", (await cache.GetAsync(userId, a => a?.SecurityStamp == "RENEWED"))!.SecurityStamp);
        Assert.Equal("RENEWED", (await cache.GetAsync(userId))!.SecurityStamp);
    }

    [Fact]
    public async Task A_sign_in_a_read_found_ended_is_refused_without_reading_again_while_a_newer_one_is_read()
    {
        var cache = host.Get<UserAccessCache>();
        var userId = UserAccessCache.UserIdOf(host.Viewer)!;
        var old = (await cache.GetAsync(userId))!.SecurityStamp!;
        ClaimsPrincipal SignedIn(string stamp) =>
            new(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId), new Claim(UserAccess.StampClaimType, stamp)], "Test"));
        async Task StampAsync(string stamp)
        {
            await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmUser>(db)} SET "SecurityStamp" = '{stamp}' WHERE "Id" = '{userId}'""");
            cache.Invalidate();
        }

        Assert.NotNull(await cache.SignedInAsync(SignedIn(old)));
        await StampAsync("RENEWED");
        Assert.Null(await cache.SignedInAsync(SignedIn(old)));

        // Were it read again, the old stamp would hold now; an ended stamp never comes back in practice, so it is not read.
        await StampAsync(old);
        Assert.Null(await cache.SignedInAsync(SignedIn(old)));
        // A stamp not seen ended is read as before: newer than the cache, it holds at once.
        await host.SqlAsync(db => $"""UPDATE {ServiceTestHost.Table<CrmUser>(db)} SET "SecurityStamp" = 'NEWER' WHERE "Id" = '{userId}'""");
        Assert.Equal("NEWER", (await cache.SignedInAsync(SignedIn("NEWER")))!.SecurityStamp);
    }
}
