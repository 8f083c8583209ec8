namespace CrmAdmin.Features.Exceptions;

public static class ExceptionsServiceCollectionExtensions
{
    public static IServiceCollection AddCrmExceptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ImportLimits>(configuration.GetSection(ImportLimits.Section));
        services.AddSingleton<ImportReportStore>();
        services.AddSingleton<ExceptionImportService>();
        services.AddSingleton<ExceptionListService>();
        services.AddSingleton<ExceptionSearchIndexer>();
        services.AddHostedService(provider => provider.GetRequiredService<ExceptionSearchIndexer>());
        return services;
    }
}
