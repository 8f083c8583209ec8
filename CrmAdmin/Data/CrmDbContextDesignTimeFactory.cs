using Microsoft.EntityFrameworkCore.Design;

namespace CrmAdmin.Data;

/// <summary>
/// The context as <c>dotnet dotnet-ef</c> sees it, for one provider at a time:
/// <c>dotnet dotnet-ef migrations add Name --output-dir Data/Postgres/Migrations --namespace CrmAdmin.Data.Postgres.Migrations -- --provider Postgres</c>
/// (without <c>--provider</c>: SQLite and Data/Sqlite/Migrations). No server is contacted to add a migration.
/// </summary>
public sealed class CrmDbContextDesignTimeFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
    {
        var at = Array.IndexOf(args, "--provider");
        var provider = at >= 0 && at + 1 < args.Length ? Enum.Parse<DatabaseProvider>(args[at + 1], ignoreCase: true) : DatabaseProvider.Sqlite;
        var connectionString = provider == DatabaseProvider.Postgres ? "Host=localhost;Database=crmadmin" : "Data Source=crmadmin-design.db";
        return new CrmDbContext(CrmDataExtensions.ContextOptions(provider, connectionString));
    }
}
