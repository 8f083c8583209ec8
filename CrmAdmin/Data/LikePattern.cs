using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace CrmAdmin.Data;

/// <summary>
/// A search box's "contains, ignoring case" as a LIKE the database runs, with the person's own % and
/// _ taken literally. SQLite's LIKE ignores ASCII case by itself; PostgreSQL's is case-sensitive, so
/// there the same pattern goes to ILIKE.
/// </summary>
public static class LikePattern
{
    public const string Escape = "\\";

    private static readonly MethodInfo Like = typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like),
        [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    private static readonly MethodInfo ILike = typeof(NpgsqlDbFunctionsExtensions).GetMethod(nameof(NpgsqlDbFunctionsExtensions.ILike),
        [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    /// <summary>A LIKE pattern matching <paramref name="text"/> (trimmed) anywhere.</summary>
    public static string Containing(string text) =>
        "%" + text.Trim().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";

    /// <summary>
    /// The rows where any of <paramref name="columns"/> contains <paramref name="text"/>, ignoring
    /// case; all rows when the text is blank. The pattern is sent as a parameter.
    /// </summary>
    public static IQueryable<T> Containing<T>(this IQueryable<T> rows, DatabaseFacade database, string? text, params Expression<Func<T, string?>>[] columns)
    {
        if (string.IsNullOrWhiteSpace(text) || columns.Length == 0)
        {
            return rows;
        }

        var like = database.IsNpgsql() ? ILike : Like;
        var pattern = new Pattern(Containing(text));
        var row = Expression.Parameter(typeof(T), "row");
        var functions = Expression.Property(null, typeof(EF), nameof(EF.Functions));
        var value = Expression.Property(Expression.Constant(pattern), nameof(Pattern.Value));
        var escape = Expression.Constant(Escape);
        var any = columns
            .Select(column => (Expression)Expression.Call(like, functions, new Rebind(column.Parameters[0], row).Visit(column.Body), value, escape))
            .Aggregate(Expression.OrElse);
        return rows.Where(Expression.Lambda<Func<T, bool>>(any, row));
    }

    // A member of an object, not a constant, so EF Core sends the pattern as a parameter.
    private sealed record Pattern(string Value);

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
