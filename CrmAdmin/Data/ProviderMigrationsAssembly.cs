using System.Reflection;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmAdmin.Data;

/// <summary>
/// One model, a migrations folder per provider (docs/decisions/001-one-model-two-providers.md):
/// EF Core's own lookup takes every migration in the assembly for the context, so it would see both
/// providers' histories; this one takes only the migrations and the snapshot in the namespace of
/// the provider the context runs on (<c>CrmAdmin.Data.Sqlite.Migrations</c> or
/// <c>CrmAdmin.Data.Postgres.Migrations</c>). The migration ids stay those EF generated, so a
/// database migrated before the folders were split finds its history unchanged.
/// </summary>
internal sealed class ProviderMigrationsAssembly : IMigrationsAssembly
{
    private readonly Type contextType;
    private readonly Lazy<IReadOnlyDictionary<string, TypeInfo>> migrations;
    private readonly Lazy<ModelSnapshot?> snapshot;

    public ProviderMigrationsAssembly(ICurrentDbContext currentContext, IDatabaseProvider databaseProvider)
    {
        contextType = currentContext.Context.GetType();
        var ns = MigrationsNamespace(ProviderOf(databaseProvider.Name));
        var types = Assembly.GetTypes().Where(t => t.Namespace == ns && ForThisContext(t)).ToList();
        migrations = new(() => types
            .Where(t => t.IsSubclassOf(typeof(Migration)) && t.GetCustomAttribute<MigrationAttribute>() is not null)
            .OrderBy(t => t.GetCustomAttribute<MigrationAttribute>()!.Id, StringComparer.Ordinal)
            .ToDictionary(t => t.GetCustomAttribute<MigrationAttribute>()!.Id, t => t.GetTypeInfo()));
        snapshot = new(() => types.Where(t => t.IsSubclassOf(typeof(ModelSnapshot)))
            .Select(t => (ModelSnapshot)Activator.CreateInstance(t)!).SingleOrDefault());
    }

    /// <summary>The namespace (and folder under Data/) holding a provider's migrations.</summary>
    public static string MigrationsNamespace(DatabaseProvider provider) => $"CrmAdmin.Data.{provider}.Migrations";

    /// <summary>Which of CrmAdmin's providers an EF Core provider name (<see cref="IDatabaseProvider.Name"/>) is.</summary>
    /// <exception cref="NotSupportedException">Any other provider: CrmAdmin has no migrations for it.</exception>
    public static DatabaseProvider ProviderOf(string efProviderName) => efProviderName switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => DatabaseProvider.Sqlite,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => DatabaseProvider.Postgres,
        _ => throw new NotSupportedException($"CrmAdmin has no migrations for the EF Core provider {efProviderName}."),
    };

    public IReadOnlyDictionary<string, TypeInfo> Migrations => migrations.Value;

    public ModelSnapshot? ModelSnapshot => snapshot.Value;

    public Assembly Assembly => typeof(CrmDbContext).Assembly;

    public string? FindMigrationId(string nameOrId) =>
        Migrations.Keys.FirstOrDefault(id => id == nameOrId || string.Equals(id[(id.IndexOf('_') + 1)..], nameOrId, StringComparison.OrdinalIgnoreCase));

    public Migration CreateMigration(TypeInfo migrationClass, string activeProvider)
    {
        var migration = (Migration)Activator.CreateInstance(migrationClass.AsType())!;
        migration.ActiveProvider = activeProvider;
        return migration;
    }

    private bool ForThisContext(Type type) =>
        type.GetCustomAttribute<DbContextAttribute>()?.ContextType is { } context && context.IsAssignableFrom(contextType);
}
