using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Routing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// PostgreSQL's <see cref="ICustomerFactsReader"/>: the one statement, prepared. A dry run takes a
/// connection from the data source's pool; Npgsql keeps a prepared statement on its physical
/// connection, so after the first use on a connection, preparing again costs nothing and the
/// server only binds and executes. An applied decision reads on its own transaction's connection,
/// after taking a transaction-scoped advisory lock on the customer's point: READ COMMITTED alone
/// would let two first calls from one new number, on two instances, each create a lead, where C3
/// wants the second logged to the first's (SQLite gets this from its single writer).
/// </summary>
public sealed class PostgresCustomerFactsReader(NpgsqlDataSource dataSource) : ICustomerFactsReader
{
    private const string LockPoint = "SELECT pg_advisory_xact_lock(hashtextextended(@point, 0))";

    private string? sql;

    public async Task<CustomerFacts> ReadAsync(CrmDbContext db, ContactPoint point, CancellationToken ct)
    {
        sql ??= CustomerFactsStatement.Sql(db.Model);
        if (db.Database.CurrentTransaction is not null)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using (var locking = new NpgsqlCommand(LockPoint, connection))
            {
                locking.Parameters.AddWithValue("point", $"{point.Type}:{point.Value}");
                await locking.ExecuteNonQueryAsync(ct);
            }

            await using var inTransaction = connection.CreateCommand();
            CustomerFactsStatement.Use(inTransaction, sql);
            return await CustomerFactsStatement.ReadAsync(inTransaction, point, ct);
        }

        await using var own = await dataSource.OpenConnectionAsync(ct);
        await using var command = own.CreateCommand();
        CustomerFactsStatement.Use(command, sql);
        await command.PrepareAsync(ct);
        return await CustomerFactsStatement.ReadAsync(command, point, ct);
    }
}
