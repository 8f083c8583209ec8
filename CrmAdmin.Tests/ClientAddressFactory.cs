using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests;

/// <summary>
/// The app in process, where every request comes from the client address its
/// <see cref="Header"/> names (in-process requests otherwise have none): for per-client limits and
/// for requests that arrive through a reverse proxy.
/// </summary>
public sealed class ClientAddressFactory(IDictionary<string, string?>? overrides = null, bool productionPasswordHashing = false)
    : CrmAdminFactory(overrides, productionPasswordHashing: productionPasswordHashing)
{
    public const string Header = "X-Test-Client-Address";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFilter>());
    }

    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var address))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
                }

                await nextMiddleware();
            });
            next(app);
        };
    }
}
