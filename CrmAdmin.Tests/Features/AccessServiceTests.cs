using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

public abstract class AccessServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AccessServiceTests(DatabaseProvider.Sqlite);

    public sealed class OnPostgres() : AccessServiceTests(DatabaseProvider.Postgres);

    private ServiceTestHost host = default!;
    private AccessService access = default!;
    private CrmAuthorizer authorizer = default!;

    public async Task InitializeAsync()
    {
        host = await ServiceTestHost.CreateAsync(provider: provider);
        access = host.Get<AccessService>();
        authorizer = host.Get<CrmAuthorizer>();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    private Task<bool> CanEditAsync(System.Security.Claims.ClaimsPrincipal user) => authorizer.AllowsAsync(user, Policies.EditExceptions);

    private async Task<string> IdOfAsync(string email) =>
        (await access.GetUsersAsync(host.Administrator)).Single(u => u.Email == email).Id;

    [Fact]
    public async Task P1_a_new_database_has_the_three_roles_with_their_default_levels()
    {
        var permissions = await access.GetPermissionsAsync(host.Administrator);

        Assert.Equal([new RolePermission(Roles.Administrator, AccessLevel.Edit), new RolePermission(Roles.Supervisor, AccessLevel.Edit),
            new RolePermission(Roles.Viewer, AccessLevel.View), new RolePermission(ServiceTestHost.NoAccessRole, AccessLevel.None)], permissions);
    }

    [Fact]
    public async Task P1_the_levels_decide_who_views_and_who_edits()
    {
        Assert.True(await authorizer.AllowsAsync(host.Viewer, Policies.ViewExceptions));
        Assert.False(await CanEditAsync(host.Viewer));
        Assert.True(await CanEditAsync(host.Supervisor));
        Assert.True(await CanEditAsync(host.Administrator));
        Assert.False(await authorizer.AllowsAsync(host.Intern, Policies.ViewExceptions));
        Assert.False(await authorizer.AllowsAsync(ServiceTestHost.Anonymous, Policies.ViewExceptions));
    }

    [Fact]
    public async Task P1_the_Administrator_role_stays_at_Edit()
    {
        var refused = await Assert.ThrowsAsync<AccessRequestException>(() => access.SetPermissionsAsync(host.Administrator,
            [new RolePermission(Roles.Administrator, AccessLevel.View)], EntrySource.Api));

        Assert.Contains("always has Edit", refused.Message);
        Assert.True(await CanEditAsync(host.Administrator));
    }

    [Fact]
    public async Task P2_only_administrators_change_levels_roles_and_users()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.SetPermissionsAsync(host.Supervisor,
            [new RolePermission(Roles.Viewer, AccessLevel.Edit)], EntrySource.Api));
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.SetRoleAsync(host.Supervisor, "x", Roles.Administrator, EntrySource.Api));
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.CreateUserAsync(host.Viewer, "new@test.local", "Passw0rd!", Roles.Viewer, EntrySource.Api));
        await Assert.ThrowsAsync<AccessDeniedException>(() => access.GetUsersAsync(host.Intern));

        Assert.Equal(AccessLevel.View, (await access.GetPermissionsAsync(host.Administrator)).Single(p => p.Role == Roles.Viewer).Exceptions);
    }

    [Fact]
    public async Task P3_a_level_change_applies_to_the_next_check_without_signing_in_again()
    {
        Assert.False(await CanEditAsync(host.Viewer));

        await access.SetPermissionsAsync(host.Administrator, [new RolePermission(Roles.Viewer, AccessLevel.Edit)], EntrySource.Settings);

        Assert.True(await CanEditAsync(host.Viewer));
        var report = await host.Get<ExceptionImportService>().ImportAsync("+14155550100", EntrySource.Settings, host.Viewer);
        Assert.Equal(1, report.Added);
    }

    [Fact]
    public async Task P3_a_role_change_applies_to_the_next_check()
    {
        await access.SetRoleAsync(host.Administrator, await IdOfAsync("viewer@test.local"), Roles.Supervisor, EntrySource.Settings);

        Assert.True(await CanEditAsync(host.Viewer));
        Assert.Equal(Roles.Supervisor, (await access.GetUsersAsync(host.Administrator)).Single(u => u.Email == "viewer@test.local").Role);
    }

    [Fact]
    public async Task A_locked_user_has_no_access_until_unlocked()
    {
        var id = await IdOfAsync("supervisor@test.local");

        await access.SetLockedAsync(host.Administrator, id, true, EntrySource.Settings);
        Assert.False(await authorizer.AllowsAsync(host.Supervisor, Policies.ViewExceptions));
        Assert.True((await access.GetUsersAsync(host.Administrator)).Single(u => u.Id == id).IsLockedOut);

        await access.SetLockedAsync(host.Administrator, id, false, EntrySource.Settings);
        Assert.True(await CanEditAsync(host.Supervisor));
    }

    [Fact]
    public async Task The_last_administrator_cannot_be_demoted_or_locked_out()
    {
        var admin = await IdOfAsync("admin@test.local");

        var demote = await Assert.ThrowsAsync<AccessConflictException>(() => access.SetRoleAsync(host.Administrator, admin, Roles.Viewer, EntrySource.Settings));
        var lockOut = await Assert.ThrowsAsync<AccessConflictException>(() => access.SetLockedAsync(host.Administrator, admin, true, EntrySource.Settings));

        Assert.All([demote.Message, lockOut.Message], m => Assert.Contains("last active administrator", m));
        Assert.True(await authorizer.AllowsAsync(host.Administrator, Policies.Administer));
    }

    [Fact]
    public async Task An_administrator_cannot_demote_lock_or_delete_themselves_even_with_another_administrator()
    {
        await access.CreateUserAsync(host.Administrator, "second-admin@test.local", "Passw0rd!", Roles.Administrator, EntrySource.Settings);
        var me = await IdOfAsync("admin@test.local");

        var demote = await Assert.ThrowsAsync<AccessConflictException>(() => access.SetRoleAsync(host.Administrator, me, Roles.Viewer, EntrySource.Settings));
        var lockOut = await Assert.ThrowsAsync<AccessConflictException>(() => access.SetLockedAsync(host.Administrator, me, true, EntrySource.Settings));
        await Assert.ThrowsAsync<AccessConflictException>(() => access.DeleteUserAsync(host.Administrator, me, EntrySource.Settings));

        Assert.Equal((AccessService.SelfDemoteReason, AccessService.SelfLockReason), (demote.Message, lockOut.Message));
        var mine = (await access.GetUsersAsync(host.Administrator)).Single(u => u.Id == me);
        Assert.Equal((Roles.Administrator, false), (mine.Role, mine.IsLockedOut));
        Assert.True(await authorizer.AllowsAsync(host.Administrator, Policies.Administer));
    }

    [Fact]
    public async Task Giving_a_user_the_role_they_have_changes_nothing_and_keeps_their_sessions()
    {
        var me = await IdOfAsync("admin@test.local");
        await using var before = host.Database.CreateDbContext();
        var stamp = (await before.Users.AsNoTracking().SingleAsync(u => u.Id == me)).SecurityStamp;

        await access.SetRoleAsync(host.Administrator, me, Roles.Administrator, EntrySource.Api);

        await using var after = host.Database.CreateDbContext();
        Assert.Equal(stamp, (await after.Users.AsNoTracking().SingleAsync(u => u.Id == me)).SecurityStamp);
        Assert.False(await after.AuditEntries.AnyAsync(a => a.Action == AuditAction.UserRoleChanged));
    }

    [Fact]
    public async Task Another_administrator_can_demote_an_administrator()
    {
        await access.CreateUserAsync(host.Administrator, "second-admin@test.local", "Passw0rd!", Roles.Administrator, EntrySource.Settings);

        await access.SetRoleAsync(host.Administrator, await IdOfAsync("second-admin@test.local"), Roles.Viewer, EntrySource.Settings);

        Assert.Equal(Roles.Viewer, (await access.GetUsersAsync(host.Administrator)).Single(u => u.Email == "second-admin@test.local").Role);
    }

    [Fact]
    public async Task A_reset_answers_a_generated_password_the_user_signs_in_with_and_an_unknown_user_is_not_found()
    {
        var password = await access.ResetPasswordAsync(host.Administrator, await IdOfAsync("viewer@test.local"), EntrySource.Settings);

        await using (var scope = host.Get<IServiceScopeFactory>().CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<CrmUser>>();
            var viewer = (await users.FindByEmailAsync("viewer@test.local"))!;
            Assert.True(await users.CheckPasswordAsync(viewer, password));
            Assert.False(await users.CheckPasswordAsync(viewer, "Passw0rd!"));
        }

        await Assert.ThrowsAsync<UserNotFoundException>(() => access.ResetPasswordAsync(host.Administrator, "no-such-user", EntrySource.Settings));
        await Assert.ThrowsAsync<UserNotFoundException>(() => access.SetRoleAsync(host.Administrator, "no-such-user", Roles.Viewer, EntrySource.Settings));
    }

    [Fact]
    public async Task An_added_role_can_be_given_to_a_user_and_its_level_applies()
    {
        await access.AddRoleAsync(host.Administrator, "Auditor", AccessLevel.View, EntrySource.Settings);
        var created = await access.CreateUserAsync(host.Administrator, "auditor@test.local", "Passw0rd!", "Auditor", EntrySource.Settings);

        Assert.Equal("Auditor", created.Role);
        await Assert.ThrowsAsync<AccessRequestException>(() => access.AddRoleAsync(host.Administrator, "auditor", AccessLevel.Edit, EntrySource.Settings));
    }

    [Fact]
    public async Task A_user_is_not_created_with_a_weak_password_an_unknown_role_or_a_taken_email()
    {
        var weak = await Assert.ThrowsAsync<AccessRequestException>(() => access.CreateUserAsync(host.Administrator, "a@test.local", "short", Roles.Viewer, EntrySource.Api));
        Assert.Contains("Passwords must", weak.Message);
        await Assert.ThrowsAsync<AccessRequestException>(() => access.CreateUserAsync(host.Administrator, "a@test.local", "Passw0rd!", "Nobody", EntrySource.Api));
        // A taken email is the list's state, not the request's shape: a conflict (the API's 409).
        await Assert.ThrowsAsync<AccessConflictException>(() => access.CreateUserAsync(host.Administrator, "viewer@test.local", "Passw0rd!", Roles.Viewer, EntrySource.Api));
    }

    [Fact]
    public async Task X6_permission_and_user_changes_are_audited_with_the_administrator()
    {
        await access.SetPermissionsAsync(host.Administrator, [new RolePermission(Roles.Viewer, AccessLevel.None)], EntrySource.Api);
        await access.CreateUserAsync(host.Administrator, "new@test.local", "Passw0rd!", Roles.Viewer, EntrySource.Settings);

        await using var db = host.Database.CreateDbContext();
        var audit = await db.AuditEntries.OrderBy(a => a.Id).ToListAsync();
        var change = Assert.Single(audit, a => a.Action == AuditAction.PermissionChanged);
        Assert.Equal(("admin@test.local", EntrySource.Api, "Viewer: Exceptions View → None"), (change.Actor, change.Source, change.Details));
        Assert.Contains(audit, a => a.Action == AuditAction.UserCreated && a.Details!.StartsWith("new@test.local"));
    }
}
