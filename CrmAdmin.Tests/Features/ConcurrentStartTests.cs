using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// Several instances may start at the same moment on one new PostgreSQL database (a deployment that
/// starts two at once): the start-up work runs in one of them at a time, so both start and the roles
/// and the first administrator exist once. Before the start-up lock the second one stopped on the
/// roles' unique index.
/// </summary>
public sealed class ConcurrentStartTests
{
    [Fact]
    public async Task Two_instances_started_at_once_on_one_new_PostgreSQL_database_both_serve_and_seed_it_once()
    {
        await using var a = new CrmAdminFactory(provider: DatabaseProvider.Postgres);
        await using var b = new CrmAdminFactory(sharing: a);

        var clients = await Task.WhenAll(Task.Run(a.CreateAdminClientAsync), Task.Run(b.CreateAdminClientAsync));

        foreach (var client in clients)
        {
            (await client.GetAsync("/api/exceptions")).EnsureSuccessStatusCode();
            client.Dispose();
        }

        await using var db = await a.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        Assert.Equal(Roles.Defaults.Count, await db.Roles.CountAsync());
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == CrmAdminFactory.AdminEmail.ToUpperInvariant()));
    }
}
