using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests;

/// <summary>
/// Password hashing in the tests' apps: Identity's own hasher and format, with fewer PBKDF2 iterations than its default
/// 100,000. A test app creates its administrator and users and signs them in, five hashes of 0.1 s each on the CI machine,
/// and a thousand tests start one. The tests that time sign-ins (P4: an unknown address costs what a wrong password
/// costs) keep the default.
/// </summary>
public static class TestPasswordHashing
{
    /// <summary>Iterations per hash in the tests' apps (Identity's default is 100,000).</summary>
    public const int Iterations = 1_000;

    /// <summary>Sets <see cref="Iterations"/> on the app's hasher.</summary>
    public static IServiceCollection UseTestPasswordHashing(this IServiceCollection services) =>
        services.Configure<PasswordHasherOptions>(options => options.IterationCount = Iterations);
}
