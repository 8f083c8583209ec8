using System.Security.Claims;
using System.Text;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace CrmAdmin.Benchmarks;

/// <summary>The app's services, registered as Program registers them, over one database file.</summary>
public sealed class BenchHost : IAsyncDisposable
{
    public const string AdminEmail = "admin@bench.local";
    public const string AdminPassword = "Adm1n!pass";

    private readonly ServiceProvider services;

    private BenchHost(ServiceProvider services, ClaimsPrincipal admin)
    {
        this.services = services;
        Admin = admin;
    }

    public ClaimsPrincipal Admin { get; }

    public T Get<T>() where T : notnull => services.GetRequiredService<T>();

    public static async Task<BenchHost> CreateAsync(string databaseFile)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:CrmAdmin"] = $"Data Source={databaseFile};Default Timeout=30",
            ["Admin:Email"] = AdminEmail,
            ["Admin:Password"] = AdminPassword,
        }).Build();
        var collection = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System);
        collection.AddDataProtection().UseEphemeralDataProtectionProvider();
        // The services count what they do (CrmMetrics); here nothing exports the counts.
        collection.AddMetrics().AddSingleton<CrmAdmin.Features.Operations.CrmMetrics>();
        collection.AddCrmData(configuration, new Environment()).AddCrmAuth(configuration).AddCrmExceptions(configuration).AddCrmRouting();
        var provider = collection.BuildServiceProvider();
        await provider.InitializeCrmDatabaseAsync();
        await provider.SeedAccessAsync(configuration);
        await using var scope = provider.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<CrmUser>>().FindByEmailAsync(AdminEmail);
        var admin = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user!.Id), new Claim(ClaimTypes.Name, AdminEmail)], "bench"));
        return new BenchHost(provider, admin);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Production";
        public string ApplicationName { get; set; } = "CrmAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>The lines the targets name: half phones in varied international spellings, half emails, each with a comment.</summary>
public static class BenchInput
{
    public static string Lines(int count, int offset = 0)
    {
        var text = new StringBuilder(count * 36);
        for (var n = offset; n < offset + count; n++)
        {
            var digits = n % 10_000_000;
            _ = (n % 4) switch
            {
                0 => text.Append($"+1 646 {digits / 10_000:000} {digits % 10_000:0000};import phone {n}\n"),
                1 => text.Append($"001 (332) {digits / 10_000:000}-{digits % 10_000:0000};import phone {n}\n"),
                2 => text.Append($"bench.user{n}@example.org;import email {n}\n"),
                _ => text.Append($"Bench.Person{n}@Example.COM;import email {n}\n"),
            };
        }

        return text.ToString();
    }
}
