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

    /// <summary>
    /// Runs a statement on the host's database as another tool or instance would: past the services, so no cache is told
    /// (<see cref="Table{T}"/> gives the model's table names to build it with).
    /// </summary>
    public async Task SqlAsync(Func<CrmDbContext, string> sql)
    {
        await using var db = await Get<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql(db));
    }

    /// <summary>The quoted table name of entity <typeparamref name="T"/> in the model.</summary>
    public static string Table<T>(CrmDbContext db) => new StoreNames<T>(db.Model).Table;

    /// <param name="provider">The database the services run on; the same tests run on each (one test class, a nested OnSqlite and OnPostgres subclass each).</param>
    public static async Task<ServiceTestHost> CreateAsync(TimeProvider? clock = null, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var database = await TestDatabase.CreateAsync(provider, WithUsers);
        var host = new ServiceTestHost(BuildServices(database, clock ?? new FixedClock()), database);
        // The roles and users are in the template; this reads their ids.
        await host.SignInUsersAsync();
        return host;
    }

    /// <summary>
    /// The roles, the first administrator and a user per role, as <see cref="AccessSeeder"/> and Identity write them, made once per
    /// test run and provider: writing them took 100–250 ms a test, and some 500 tests start a host.
    /// </summary>
    private static readonly TestDatabaseTemplate WithUsers = new(async database =>
    {
        await using var services = BuildServices(database, new FixedClock());
        await services.SeedAccessAsync(services.GetRequiredService<IConfiguration>());
        await CreateUsersAsync(services);
    });

    private static ServiceProvider BuildServices(TestDatabase database, TimeProvider clock)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:Email"] = "admin@test.local",
            ["Admin:Password"] = "Adm1n!pass",
            ["Database:Provider"] = database.Provider.ToString(),
            ["ConnectionStrings:CrmAdmin"] = database.ConnectionString,
        }).Build();
        var collection = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(clock)
            .AddMetrics()
            .AddSingleton<CrmAdmin.Features.Operations.CrmMetrics>();
        // The provider's services (bulk writer, text search, facts reader, backup) as the app has them.
        collection.AddCrmData(configuration, new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        collection.AddDataProtection().UseEphemeralDataProtectionProvider();
        collection.AddCrmAuth(configuration).AddCrmExceptions(configuration).AddCrmRouting().AddCrmDashboard();
        collection.UseTestPasswordHashing();
        return collection.BuildServiceProvider();
    }

    /// <summary>Adds the role without access and a user per role to the first administrator <see cref="AccessSeeder"/> made.</summary>
    private static async Task CreateUsersAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<CrmRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        await roles.CreateAsync(new CrmRole(NoAccessRole, AccessLevel.None));
        foreach (var (email, role) in new[] { ("supervisor@test.local", Roles.Supervisor), ("viewer@test.local", Roles.Viewer), ("intern@test.local", NoAccessRole) })
        {
            var user = new CrmUser(email);
            await users.CreateAsync(user, "Passw0rd!");
            await users.AddToRoleAsync(user, role);
        }
    }

    private async Task SignInUsersAsync()
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        Administrator = await PrincipalAsync(users, "admin@test.local");
        Supervisor = await PrincipalAsync(users, "supervisor@test.local");
        Viewer = await PrincipalAsync(users, "viewer@test.local");
        Intern = await PrincipalAsync(users, "intern@test.local");
    }

    /// <summary>The principal a sign-in would give: the user's id and name, nothing more is trusted.</summary>
    private static async Task<ClaimsPrincipal> PrincipalAsync(UserManager<CrmUser> users, string email)
    {
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"The template has no user {email}.");
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, email)], "test"));
    }

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
