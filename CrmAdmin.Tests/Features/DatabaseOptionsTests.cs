using System.ComponentModel.DataAnnotations;
using CrmAdmin.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Tests.Features;

/// <summary>Database:Provider and the connection string are checked before the app serves anything (SPEC §10).</summary>
public sealed class DatabaseOptionsTests
{
    [Theory]
    [InlineData("Sqlite", "", true)]
    [InlineData("Postgres", "Host=db;Database=crmadmin", true)]
    [InlineData("Postgres", "", false)]
    [InlineData("Postgres", "Host=db;Username=crm", false)]
    [InlineData("Postgres", "Host=db;Port=abc;Database=crmadmin", false)]
    [InlineData("Postgres", "junk", false)]
    [InlineData("Sqlite", "junk", false)]
    [InlineData("Sqlite", "Data Source=crm.db", true)]
    public void PostgreSQL_needs_a_connection_string_naming_a_database_and_SQLite_has_a_default(string provider, string connectionString, bool valid)
    {
        var options = CrmDataExtensions.BindDatabaseOptions(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:CrmAdmin"] = connectionString,
        }).Build());

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }

    [Fact]
    public void PostgreSQL_without_a_connection_string_stops_the_app_with_a_message_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:CrmAdmin"] = "",
        }).Build();

        var refused = Assert.Throws<OptionsValidationException>(() =>
            new ServiceCollection().AddCrmData(configuration, new HostingEnvironment { ContentRootPath = Path.GetTempPath() }));
        Assert.Contains("ConnectionStrings:CrmAdmin is empty", refused.Message);
    }

    [Fact]
    public void An_unknown_provider_stops_the_app_with_a_message_naming_the_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Provider"] = "MySql" }).Build();

        var refused = Assert.Throws<OptionsValidationException>(() => CrmDataExtensions.BindDatabaseOptions(configuration));
        Assert.StartsWith("Database:Provider must be Sqlite or Postgres, not \"MySql\".", refused.Failures.Single());
    }

    /// <summary>
    /// The app's PostgreSQL sessions name themselves in pg_stat_activity (its pool and its routing reads apart), the
    /// pool's sessions turn the JIT off and are not reset on return; what the connection string sets itself is kept.
    /// </summary>
    [Theory]
    [InlineData("Host=db;Database=crmadmin", "CrmAdmin", "-c jit=off", true)]
    [InlineData("Host=db;Database=crmadmin;Application Name=crm-a;Options=-c work_mem=8MB;No Reset On Close=false", "crm-a", "-c work_mem=8MB", false)]
    public void PostgreSQL_sessions_are_named_and_keep_what_the_connection_string_sets(string connectionString, string name, string options, bool noReset)
    {
        using var pool = CrmAdmin.Data.Postgres.PostgresDatabase.CreateDataSource(connectionString);
        using var routingReads = new CrmAdmin.Data.Postgres.PostgresMultiplexedReads(connectionString);

        var settings = new Npgsql.NpgsqlConnectionStringBuilder(pool.ConnectionString);
        Assert.Equal((name, options, noReset), (settings.ApplicationName, settings.Options, settings.NoResetOnClose));
        Assert.Equal(name == "CrmAdmin" ? CrmAdmin.Data.Postgres.PostgresMultiplexedReads.ApplicationName : name,
            new Npgsql.NpgsqlConnectionStringBuilder(routingReads.DataSource.ConnectionString).ApplicationName);
    }
}
