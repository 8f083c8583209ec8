using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmAdmin.Data;

/// <summary>
/// Why the start-up could not use the database, in one sentence an operator can act on, for the failures a
/// deployment meets first: a PostgreSQL database not created yet, a user the server refuses, a server that
/// cannot be reached or speaks no PostgreSQL (SSL, another server on the port), a user without the right to create
/// tables; a SQLite file the app may not open or write, or one that is not a database.
/// Before, each of them stopped the app with an unhandled exception's stack trace.
/// </summary>
public static class DatabaseStartupFailure
{
    /// <summary>The sentence for <paramref name="exception"/> on the app's database (its provider and connection string as the app uses them); see the overload.</summary>
    public static string? Explain(Exception exception, IServiceProvider services)
    {
        using var db = services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContext();
        return Explain(exception, db.Database.IsNpgsql() ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite, db.Database.GetConnectionString());
    }

    /// <summary>
    /// The sentence for <paramref name="exception"/> (or one of its inner exceptions), naming the server and
    /// database or file from <paramref name="connectionString"/> (ConnectionStrings:CrmAdmin); null for any
    /// other failure, which is then thrown as it is.
    /// </summary>
    public static string? Explain(Exception exception, DatabaseProvider provider, string? connectionString)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var why = provider == DatabaseProvider.Postgres ? Postgres(e, connectionString) : Sqlite(e, connectionString);
            if (why is not null)
            {
                return why;
            }
        }

        return null;
    }

    private static string? Postgres(Exception e, string? connectionString)
    {
        var at = new NpgsqlConnectionStringBuilder(connectionString);
        var server = $"{at.Host}:{at.Port}";
        return e switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
                $"The PostgreSQL database \"{at.Database}\" does not exist on {server}. Create it empty, owned by the user the app " +
                $"connects as (createdb --owner={at.Username} {at.Database}), or name another in ConnectionStrings:CrmAdmin.",
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
                $"PostgreSQL on {server} refused the user \"{at.Username}\": {p.MessageText}. Check the user and password in ConnectionStrings:CrmAdmin.",
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } p =>
                $"The user \"{at.Username}\" may not change the PostgreSQL database \"{at.Database}\" on {server}: {p.MessageText}. The app " +
                "creates its tables at start-up, so it connects as the database's owner (or a user allowed to create in its schema).",
            // No answer within the connection's Timeout: nothing there, a firewall, or a server that is not PostgreSQL and waits.
            NpgsqlException { InnerException: TimeoutException } =>
                $"PostgreSQL at {server} did not answer within the connection's timeout ({e.InnerException!.Message}). Check that a PostgreSQL " +
                "server (not another service) listens there and accepts connections from this machine, and that ConnectionStrings:CrmAdmin names it.",
            NpgsqlException { InnerException: SocketException } or NpgsqlException { IsTransient: true, InnerException: IOException } =>
                $"PostgreSQL cannot be reached at {server} ({e.InnerException!.Message}). Check that the server runs and accepts " +
                "connections from this machine, and that ConnectionStrings:CrmAdmin names it.",
            // Whatever else failed before the server answered a statement: SSL, the protocol (another kind of server on that port).
            NpgsqlException n and not PostgresException =>
                $"PostgreSQL at {server} could not be used ({n.Message}). Check the host, port and SSL Mode in ConnectionStrings:CrmAdmin.",
            _ => null,
        };
    }

    private static string? Sqlite(Exception e, string? connectionString)
    {
        var file = Path.GetFullPath(new SqliteConnectionStringBuilder(connectionString).DataSource);
        return e switch
        {
            SqliteException { SqliteErrorCode: 14 or 8 } s => // SQLITE_CANTOPEN, SQLITE_READONLY
                $"SQLite cannot open or write the database file {file} ({s.Message}). Check that the app's user may write to it and to its folder, or name another file in ConnectionStrings:CrmAdmin.",
            SqliteException { SqliteErrorCode: 26 or 11 or 10 or 13 } s => // SQLITE_NOTADB, SQLITE_CORRUPT, SQLITE_IOERR, SQLITE_FULL
                $"SQLite cannot use {file} as the database ({s.Message}). Name a CrmAdmin database file (or a new one) in ConnectionStrings:CrmAdmin, or restore the file from a backup.",
            UnauthorizedAccessException or IOException =>
                $"The folder of the SQLite database file {file} cannot be created or written ({e.Message}). Check that the app's user may write there, or name another file in ConnectionStrings:CrmAdmin.",
            _ => null,
        };
    }
}
