using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CrmAdmin.Data;

/// <summary>
/// An entity's table, columns and indexes as the EF model maps them, quoted for SQL (both providers
/// quote identifiers with double quotes), so hand-written statements follow the model instead of
/// repeating its names as literals.
/// </summary>
public sealed class StoreNames<T>
{
    private readonly IEntityType entity;
    private readonly StoreObjectIdentifier table;

    public StoreNames(IModel model)
    {
        entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var name = entity.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped to a table.");
        table = StoreObjectIdentifier.Table(name, entity.GetSchema());
        Table = Quote(name);
        UnquotedTable = name;
    }

    /// <summary>The quoted table name.</summary>
    public string Table { get; }

    /// <summary>The table name as the catalog stores it (for sqlite_sequence and the like).</summary>
    public string UnquotedTable { get; }

    /// <summary>The quoted column of a property, by its name (shadow properties included).</summary>
    public string this[string property] =>
        Quote(entity.FindProperty(property)?.GetColumnName(table) ?? throw new InvalidOperationException($"{typeof(T).Name}.{property} is not mapped."));

    /// <summary>The quoted column of a property.</summary>
    public string Column<TValue>(Expression<Func<T, TValue>> property) =>
        this[NameOf(property)];

    /// <summary>
    /// A NULL of the property's store type: PostgreSQL types a UNION's column from its first branch,
    /// and an untyped NULL there would be text.
    /// </summary>
    public string TypedNull<TValue>(Expression<Func<T, TValue>> property)
    {
        var name = NameOf(property);
        return $"CAST(NULL AS {entity.FindProperty(name)!.GetColumnType(table)})";
    }

    /// <summary>A property's value as the store holds it (through the model's value converter, e.g. an enum's name), for a parameter.</summary>
    public object? StoreValue<TValue>(Expression<Func<T, TValue>> property, TValue value)
    {
        var name = NameOf(property);
        return entity.FindProperty(name)!.GetTypeMapping().Converter is { } converter ? converter.ConvertToProvider(value) : value;
    }

    /// <summary>The quoted name of the index over exactly these properties, in this order.</summary>
    public string Index(params string[] properties) =>
        Quote(entity.GetIndexes().Single(i => i.Properties.Select(p => p.Name).SequenceEqual(properties)).GetDatabaseName()
              ?? throw new InvalidOperationException($"No index over {string.Join(", ", properties)} on {typeof(T).Name}."));

    private static string NameOf<TValue>(Expression<Func<T, TValue>> property) =>
        ((MemberExpression)(property.Body is UnaryExpression { Operand: var operand } ? operand : property.Body)).Member.Name;

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
