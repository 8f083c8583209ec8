namespace CrmAdmin.Features.Exceptions;

public static class ExceptionsServiceCollectionExtensions
{
    /// <summary>The exception list's services; the provider-specific writer and text search come from AddCrmData.</summary>
    public static IServiceCollection AddCrmExceptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ImportLimits>(configuration.GetSection(ImportLimits.Section));
        services.AddSingleton<ImportReportStore>();
        services.AddSingleton<ImportsInProgress>();
        services.AddSingleton<ExceptionImportService>();
        services.AddSingleton<ExceptionListService>();
        services.AddSingleton<ExceptionImportHistoryService>();
        services.AddScoped<ImportUndoPrompt>();
        services.Configure<ImportWarmUpOptions>(configuration.GetSection(ImportWarmUpOptions.Section));
        services.AddSingleton<ImportWarmUp>();
        services.AddHostedService(provider => provider.GetRequiredService<ImportWarmUp>());
        return services;
    }
}
