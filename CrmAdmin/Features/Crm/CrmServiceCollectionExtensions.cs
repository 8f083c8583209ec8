using CrmAdmin.Features.Routing;

namespace CrmAdmin.Features.Crm;

public static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddCrmRouting(this IServiceCollection services)
    {
        services.AddSingleton<CrmEntityService>();
        services.AddSingleton<CrmSettingsService>();
        services.AddSingleton<RoutingService>();
        services.AddSingleton<RoutingReferenceData>();
        services.AddSingleton<RecycleBin.RecycleBinService>();
        services.AddSingleton<Audit.AuditLogService>();
        return services;
    }
}
