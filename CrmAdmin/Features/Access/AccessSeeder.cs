using CrmAdmin.Data;
using CrmAdmin.Domain.Access;
using Microsoft.AspNetCore.Identity;

namespace CrmAdmin.Features.Access;

/// <summary>The roles and the first administrator a new database needs (SPEC §10), and the demo users.</summary>
public static class AccessSeeder
{
    public const string DefaultAdminEmail = "admin@crmadmin.local";
    public const string DemoSupervisorEmail = "supervisor@crmadmin.local";
    public const string DemoViewerEmail = "viewer@crmadmin.local";

    public static async Task SeedAccessAsync(this IServiceProvider services, IConfiguration configuration)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<CrmRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("CrmAdmin.Access");

        foreach (var (name, level) in Roles.Defaults)
        {
            if (!await roles.RoleExistsAsync(name))
            {
                Check(await roles.CreateAsync(new CrmRole(name, level)));
            }
        }

        if ((await users.GetUsersInRoleAsync(Roles.Administrator)).Count == 0)
        {
            var email = configuration["Admin:Email"] is { Length: > 0 } configured ? configured : DefaultAdminEmail;
            await CreateAsync(users, logger, email, configuration["Admin:Password"], Roles.Administrator, "Admin:Password");
        }

        if (configuration.GetValue<bool>("Demo:Seed"))
        {
            await CreateAsync(users, logger, DemoSupervisorEmail, configuration["Demo:Password"], Roles.Supervisor, "Demo:Password");
            await CreateAsync(users, logger, DemoViewerEmail, configuration["Demo:Password"], Roles.Viewer, "Demo:Password");
        }
    }

    private static async Task CreateAsync(UserManager<CrmUser> users, ILogger logger, string email, string? password, string role, string setting)
    {
        if (await users.FindByEmailAsync(email) is not null)
        {
            return;
        }

        var generated = string.IsNullOrEmpty(password);
        password = generated ? AccessService.GeneratePassword() : password!;
        var user = new CrmUser(email);
        Check(await users.CreateAsync(user, password));
        Check(await users.AddToRoleAsync(user, role));
        if (generated)
        {
            // Written once, at creation: nothing stores it, so this is the only place it can be read.
            logger.LogWarning("Created the {Role} {Email} with the generated password {Password}. Sign in with it and keep it safe; set {Setting} to choose it instead.",
                role, email, password, setting);
        }
        else
        {
            logger.LogInformation("Created the {Role} {Email} with the password from {Setting}.", role, email, setting);
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not create the initial access data: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
