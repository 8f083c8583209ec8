using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CrmAdmin.Data;

/// <summary>
/// A set of compiled queries (EF.CompileAsyncQuery fields) for the context's model. A compiled query
/// belongs to the model it was first run with, and a process has one model per set of options (the
/// tests build several), so each model gets its own set.
/// </summary>
internal static class PerModel<TQueries> where TQueries : class, new()
{
    private static readonly ConditionalWeakTable<IModel, TQueries> Sets = new();

    public static TQueries For(DbContext db) => Sets.GetValue(db.Model, _ => new TQueries());
}
