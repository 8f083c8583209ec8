using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// PostgreSQL's <see cref="ICustomerFactsReader"/>: the one statement, prepared, its parameters numbered (Npgsql then sends it unparsed). A dry run goes
/// through <see cref="PostgresMultiplexedReads"/>: no connection of its own, its command written
/// into a shared connection's stream beside other decisions' (Npgsql's multiplexing), and
/// prepared automatically on each physical connection after its second use, so the server only
/// binds and executes. An applied decision reads on its own transaction's connection,
/// after taking a transaction-scoped advisory lock on the customer's point: READ COMMITTED alone
/// would let two first calls from one new number, on two instances, each create a lead, where C3
/// wants the second logged to the first's (SQLite gets this from its single writer).
/// </summary>
public sealed class PostgresCustomerFactsReader(PostgresMultiplexedReads reads) : ICustomerFactsReader
{
    private const string LockPoint = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

    private string? sql;

    public async Task<CustomerFacts> ReadAsync(CrmDbContext db, ContactPoint point, CancellationToken ct)
    {
        sql ??= CustomerFactsStatement.Sql(db.Model, positional: true);
        if (db.Database.CurrentTransaction is not null)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using (var locking = new NpgsqlCommand(LockPoint, connection))
            {
                locking.Parameters.Add(new NpgsqlParameter { Value = $"{point.Type}:{point.Value}" });
                await locking.ExecuteNonQueryAsync(ct);
            }

            await using var inTransaction = connection.CreateCommand();
            CustomerFactsStatement.Use(inTransaction, sql, positional: true);
            return await CustomerFactsStatement.ReadAsync(inTransaction, point, ct);
        }

        await using var command = reads.DataSource.CreateCommand();
        CustomerFactsStatement.Use(command, sql, positional: true);
        return await CustomerFactsStatement.ReadAsync(command, point, ct);
    }
}

/// <summary>
/// A second pool, multiplexed, for the reads of dry-run decisions: thousands a second, each one
/// statement outside any transaction. With a connection each, every decision cost a pool checkout
/// and its own round trip, and PostgreSQL a context switch per backend; multiplexed, concurrent
/// decisions share a few connections and their commands travel together. Multiplexing forbids
/// explicit Prepare, so statements are prepared automatically (after two uses on a connection).
/// </summary>
public sealed class PostgresMultiplexedReads : IDisposable
{
    public PostgresMultiplexedReads(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Multiplexing = true;
        builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        DataSource = builder.Build();
    }

    /// <summary>The multiplexed data source; commands only (<c>CreateCommand</c>), never a transaction.</summary>
    public NpgsqlDataSource DataSource { get; }

    public void Dispose() => DataSource.Dispose();
}
