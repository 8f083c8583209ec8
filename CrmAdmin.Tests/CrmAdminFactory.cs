using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CrmAdmin.Tests;

/// <summary>The real app over its own SQLite file; settings can be overridden per factory.</summary>
public class CrmAdminFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;

    public CrmAdminFactory(IDictionary<string, string?>? overrides = null)
    {
        DatabaseFile = Path.Combine(Path.GetTempPath(), $"crmadmin-app-{Guid.NewGuid():N}.db");
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:CrmAdmin"] = $"Data Source={DatabaseFile};Pooling=False",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public string DatabaseFile { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        // Outside Development the host only serves published assets; the tests run from the build
        // output, where _content/ and the framework scripts come from the static web assets manifest.
        builder.UseStaticWebAssets();
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(DatabaseFile + suffix);
        }

        GC.SuppressFinalize(this);
    }
}
