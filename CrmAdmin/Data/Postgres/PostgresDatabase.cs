using CrmAdmin.Features.Exceptions;
using CrmAdmin.Features.Hardening;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>PostgreSQL's registrations: one server that several app instances share (SPEC §10).</summary>
public static class PostgresDatabase
{
    /// <summary>The pool's <c>application_name</c> in <c>pg_stat_activity</c>, unless the connection string names one.</summary>
    public const string ApplicationName = "CrmAdmin";

    /// <summary>
    /// The context on PostgreSQL through one <see cref="NpgsqlDataSource"/> (its connection pool),
    /// which the provider-specific services (bulk COPY, the facts reader, the change listener) use too.
    /// </summary>
    public static IServiceCollection AddCrmPostgres(this IServiceCollection services, string connectionString)
    {
        // Made by the container, so it is disposed (its pool closed) with it.
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddPooledDbContextFactory<CrmDbContext>((provider, options) => options
            .UseCrmDatabase(provider.GetRequiredService<NpgsqlDataSource>())
            .AddInterceptors(provider.GetRequiredService<DataChangeInterceptor>()));
        // Caches follow changes made on every instance: NOTIFY after a commit, LISTEN in the background.
        services.AddSingleton<PostgresDataChangeListener>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgresDataChangeListener>());
        services.AddSingleton(provider =>
        {
            var listener = provider.GetRequiredService<PostgresDataChangeListener>();
            var changes = new DataChanges(listener, provider.GetRequiredService<ILogger<DataChanges>>());
            listener.DeliverTo(changes);
            return changes;
        });
        services.AddSingleton<IExceptionEntryWriters, PostgresExceptionEntryWriters>();
        services.AddSingleton<IExceptionTextSearch, PostgresExceptionSearch>();
        services.AddSingleton<PostgresExceptionSearchIndexer>();
        services.AddHostedService(provider => provider.GetRequiredService<PostgresExceptionSearchIndexer>());
        services.AddSingleton(_ => new PostgresMultiplexedReads(connectionString));
        services.AddSingleton<ICustomerFactsReader, PostgresCustomerFactsReader>();
        services.AddSingleton<IDatabaseBackup>(_ => new PostgresBackup(connectionString));
        return services;
    }

    /// <summary>
    /// The pool every PostgreSQL service shares. Without <c>No Reset On Close</c>, Npgsql sends
    /// DISCARD's steps (RESET ALL, UNLISTEN *, pg_advisory_unlock_all(), …) before a pooled connection's
    /// next use: one more round trip on every routing decision, a fifth of its database time. The app
    /// leaves no session state behind (its advisory locks are transaction-scoped, its only LISTEN
    /// connection is held for the listener's lifetime), so the reset has nothing to undo. A connection
    /// string that sets the option itself keeps its value.
    /// Its sessions also run with PostgreSQL's JIT compiler off (<c>-c jit=off</c>, unless the connection
    /// string passes options of its own): the app's statements are short, and the JIT, which starts above a
    /// planner cost, took 12 ms to compile the 5 ms lookup of a common text's newest matches.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }

        // In pg_stat_activity, beside the routing reads' own name (PostgresMultiplexedReads.ApplicationName).
        builder.ConnectionStringBuilder.ApplicationName ??= ApplicationName;
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.Options))
        {
            builder.ConnectionStringBuilder.Options = "-c jit=off";
        }

        return builder.Build();
    }
}
