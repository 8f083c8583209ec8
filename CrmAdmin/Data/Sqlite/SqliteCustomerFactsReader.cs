using System.Collections.Concurrent;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmAdmin.Data.Sqlite;

/// <summary>
/// SQLite's <see cref="ICustomerFactsReader"/>. A dry run reads through a few connections kept open
/// with the statement compiled once; an applied decision reads inside its own write transaction.
/// The deals are joined INDEXED BY their contact and company indexes, because a CRM whose deals have
/// no company yet has statistics that make SQLite prefer scanning every deal to the index.
/// </summary>
public sealed class SqliteCustomerFactsReader : ICustomerFactsReader, IDisposable
{
    // More than the cores that can run a decision at once; a connection beyond it is closed after use.
    private static readonly int MaxIdle = Environment.ProcessorCount * 2;

    private readonly ConcurrentQueue<SqliteCommand> idle = new();
    private string? connectionString;
    private string? sql;
    private bool disposed;

    public async Task<CustomerFacts> ReadAsync(CrmDbContext db, ContactPoint point, CancellationToken ct)
    {
        sql ??= CustomerFactsStatement.Sql(db.Model, index => $" INDEXED BY {index}");
        if (db.Database.CurrentTransaction is { } transaction)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = transaction.GetDbTransaction();
            CustomerFactsStatement.Use(command, sql);
            return await CustomerFactsStatement.ReadAsync(command, point, ct);
        }

        var prepared = idle.TryDequeue(out var kept) ? kept : await OpenAsync(db, ct);
        var reusable = false;
        try
        {
            var facts = await CustomerFactsStatement.ReadAsync(prepared, point, ct);
            reusable = true;
            return facts;
        }
        finally
        {
            // A command whose read failed half-way is not trusted again.
            if (reusable && !disposed && idle.Count < MaxIdle)
            {
                idle.Enqueue(prepared);
            }
            else
            {
                Close(prepared);
            }
        }
    }

    public void Dispose()
    {
        disposed = true;
        while (idle.TryDequeue(out var command))
        {
            Close(command);
        }
    }

    private async Task<SqliteCommand> OpenAsync(CrmDbContext db, CancellationToken ct)
    {
        connectionString ??= db.Database.GetConnectionString();
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        var command = connection.CreateCommand();
        CustomerFactsStatement.Use(command, sql!);
        command.Prepare();
        return command;
    }

    private static void Close(SqliteCommand command)
    {
        var connection = command.Connection;
        command.Dispose();
        connection?.Dispose();
    }
}
