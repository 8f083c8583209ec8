using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>PostgreSQL's registrations: one server that several app instances share (SPEC §10).</summary>
public static class PostgresDatabase
{
    /// <summary>
    /// The context on PostgreSQL through one <see cref="NpgsqlDataSource"/> (its connection pool),
    /// which the provider-specific services (bulk COPY, the facts reader, the change listener) use too.
    /// </summary>
    public static IServiceCollection AddCrmPostgres(this IServiceCollection services, string connectionString)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        services.AddSingleton(dataSource);
        services.AddPooledDbContextFactory<CrmDbContext>(options => options.UseCrmDatabase(dataSource));
        return services;
    }
}
