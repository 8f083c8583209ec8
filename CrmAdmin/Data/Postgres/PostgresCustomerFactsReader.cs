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
        sql ??= CustomerFactsStatement.Sql(db.Model, positional: true, pointsOnce: true);
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
/// The pool holds at most <see cref="Connections"/>: Npgsql writes a command to an idle connection
/// while it may open one, so an unbounded pool grew to about one connection per concurrent decision
/// (64 for 64 in <c>CustomerFactsTests</c>), one command in flight on each, and every statement woke its own backend. Bounded,
/// the commands queue on the few connections and each backend reads several at a wake-up.
/// </summary>
public sealed class PostgresMultiplexedReads : IDisposable
{
    /// <summary>Its connections' <c>application_name</c> in <c>pg_stat_activity</c>, unless the connection string names one.</summary>
    public const string ApplicationName = "CrmAdmin routing reads";

    /// <param name="connectionString">The app's PostgreSQL connection string; its <c>Maximum Pool Size</c>, when lower, bounds this pool too.</param>
    public PostgresMultiplexedReads(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Multiplexing = true;
        builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.ConnectionStringBuilder.ApplicationName ??= ApplicationName;
        Connections = Math.Min(builder.ConnectionStringBuilder.MaxPoolSize, Math.Max(2, Environment.ProcessorCount));
        builder.ConnectionStringBuilder.MaxPoolSize = Connections;
        builder.ConnectionStringBuilder.MinPoolSize = Math.Min(builder.ConnectionStringBuilder.MinPoolSize, Connections);
        DataSource = builder.Build();
    }

    /// <summary>
    /// The most connections the pool opens: the app's processor count (at least 2). On two cores, one instance under
    /// <c>wrk</c> (16 connections) took 102–117 µs of PostgreSQL's CPU per decision with 1 or 2, against 149–188 µs unbounded.
    /// </summary>
    public int Connections { get; }

    /// <summary>The multiplexed data source; commands only (<c>CreateCommand</c>), never a transaction.</summary>
    public NpgsqlDataSource DataSource { get; }

    public void Dispose() => DataSource.Dispose();
}
