using CrmAdmin.Features.Routing;

namespace CrmAdmin.Features.Crm;

public static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddCrmRouting(this IServiceCollection services)
    {
        services.AddSingleton<CrmEntityService>();
        services.AddSingleton<CrmSettingsService>();
        services.AddSingleton<RoutingService>();
        return services;
    }
}
