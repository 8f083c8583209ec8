using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Dashboard;
using CrmAdmin.Features.Exceptions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The app's services as Program registers them (access, Identity, exceptions) over a test
/// database, with a user per built-in role and one whose role has no access.
/// </summary>
public sealed class ServiceTestHost : IAsyncDisposable
{
    public const string NoAccessRole = "Intern";

    private readonly ServiceProvider services;

    private ServiceTestHost(ServiceProvider services, TestDatabase database)
    {
        this.services = services;
        Database = database;
    }

    public TestDatabase Database { get; }
    public ClaimsPrincipal Administrator { get; private set; } = default!;
    public ClaimsPrincipal Supervisor { get; private set; } = default!;
    public ClaimsPrincipal Viewer { get; private set; } = default!;
    public ClaimsPrincipal Intern { get; private set; } = default!;
    public static ClaimsPrincipal Anonymous { get; } = new(new ClaimsIdentity());

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    /// <param name="provider">The database the services run on; the same tests run on each (one test class, a nested OnSqlite and OnPostgres subclass each).</param>
    public static async Task<ServiceTestHost> CreateAsync(TimeProvider? clock = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:Email"] = "admin@test.local",
            ["Admin:Password"] = "Adm1n!pass",
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:CrmAdmin"] = database.ConnectionString,
        }).Build();
        var collection = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(clock ?? new FixedClock())
            .AddMetrics()
            .AddSingleton<CrmAdmin.Features.Operations.CrmMetrics>();
        // The provider's services (bulk writer, text search, facts reader, backup) as the app has them.
        collection.AddCrmData(configuration, new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        collection.AddDataProtection().UseEphemeralDataProtectionProvider();
        collection.AddCrmAuth(configuration).AddCrmExceptions(configuration).AddCrmRouting().AddCrmDashboard();
        collection.UseTestPasswordHashing();
        var host = new ServiceTestHost(collection.BuildServiceProvider(), database);
        await host.services.SeedAccessAsync(configuration);
        await host.SignInUsersAsync();
        return host;
    }

    private async Task SignInUsersAsync()
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<CrmRole>>();
        await roles.CreateAsync(new CrmRole(NoAccessRole, AccessLevel.None));
        Administrator = await PrincipalAsync(scope, "admin@test.local", null);
        Supervisor = await PrincipalAsync(scope, "supervisor@test.local", Roles.Supervisor);
        Viewer = await PrincipalAsync(scope, "viewer@test.local", Roles.Viewer);
        Intern = await PrincipalAsync(scope, "intern@test.local", NoAccessRole);
    }

    /// <summary>The principal a sign-in would give: the user's id and name, nothing more is trusted.</summary>
    private static async Task<ClaimsPrincipal> PrincipalAsync(AsyncServiceScope scope, string email, string? role)
    {
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new CrmUser(email);
            await users.CreateAsync(user, "Passw0rd!");
            await users.AddToRoleAsync(user, role!);
        }

        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, email)], "test"));
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
