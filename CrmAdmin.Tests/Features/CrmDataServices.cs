using CrmAdmin.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;

namespace CrmAdmin.Tests.Features;

/// <summary>The app's database services alone (AddCrmData), for tests of what its start-up does with one database.</summary>
public static class CrmDataServices
{
    /// <summary>A container with <paramref name="provider"/> on <paramref name="connectionString"/>, logging to <paramref name="logs"/> if given.</summary>
    public static ServiceProvider Build(DatabaseProvider provider, string connectionString, ILoggerProvider? logs = null, string? contentRoot = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["ConnectionStrings:CrmAdmin"] = connectionString,
        }).Build();
        var services = new ServiceCollection()
            .AddLogging(l =>
            {
                if (logs is not null)
                {
                    l.AddProvider(logs);
                }
            })
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(TimeProvider.System);
        services.AddCrmData(configuration, new HostingEnvironment { ContentRootPath = contentRoot ?? Path.GetTempPath() });
        return services.BuildServiceProvider();
    }
}
