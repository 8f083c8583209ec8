using System.ComponentModel.DataAnnotations;

namespace CrmAdmin.Data;

/// <summary>The database CrmAdmin keeps its data in (SPEC §10).</summary>
public enum DatabaseProvider
{
    /// <summary>One file beside the app, one app instance: the default, nothing to install.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server that several app instances share.</summary>
    Postgres,
}

/// <summary>
/// The "Database" section and ConnectionStrings:CrmAdmin, bound and validated at start-up, so a
/// misspelt provider or a PostgreSQL setup without a server stops the app before it serves anything.
/// </summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    /// <summary>Database:Provider — Sqlite (default) or Postgres.</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// ConnectionStrings:CrmAdmin. Empty on SQLite means App_Data/crmadmin.db under the content root;
    /// PostgreSQL needs one (Host=…;Database=…;Username=…;Password=…).
    /// </summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return new ValidationResult($"Database:Provider must be {nameof(DatabaseProvider.Sqlite)} or {nameof(DatabaseProvider.Postgres)}.", [nameof(Provider)]);
        }

        if (Provider == DatabaseProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Database:Provider is Postgres but ConnectionStrings:CrmAdmin is empty: set it to the server, e.g. Host=db;Database=crmadmin;Username=crm;Password=….",
                [nameof(ConnectionString)]);
        }
        else if (ConnectionStringProblem() is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
        }
    }

    /// <summary>What is wrong with a connection string the provider cannot read, or a PostgreSQL one that names no database.</summary>
    private string? ConnectionStringProblem()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return null;
        }

        try
        {
            if (Provider == DatabaseProvider.Postgres)
            {
                // Without Database=, Npgsql connects to a database named after the user, which is never what was meant.
                return string.IsNullOrWhiteSpace(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString).Database)
                    ? "ConnectionStrings:CrmAdmin names no database: add Database=…, e.g. Host=db;Database=crmadmin;Username=crm;Password=…."
                    : null;
            }

            _ = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            return $"ConnectionStrings:CrmAdmin cannot be read as a {Provider} connection string ({e.Message}).";
        }
    }
}
