namespace CrmAdmin.Features.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The start page's statistics (<see cref="StatsService"/>).</summary>
    public static IServiceCollection AddCrmDashboard(this IServiceCollection services) => services.AddSingleton<StatsService>();
}
