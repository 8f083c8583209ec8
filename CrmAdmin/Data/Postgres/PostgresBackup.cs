using CrmAdmin.Features.Hardening;
using Npgsql;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// A PostgreSQL database that several instances share is backed up on the server's side, with
/// pg_dump: a consistent snapshot taken while the app runs, which the app cannot stream any better
/// (and the web server need not hold the database's owner credentials for it).
/// </summary>
/// <param name="connectionString">The app's connection string: the instructions name its host, port, user and database (never its password).</param>
internal sealed class PostgresBackup(string connectionString) : IDatabaseBackup
{
    public bool CanDownload => false;

    /// <summary>
    /// The pg_dump and pg_restore commands for this app's database, and the data-protection keys a copy holds. They
    /// named a placeholder ("&lt;connection string's database&gt;"), which an operator had to work out (a new operator's check).
    /// </summary>
    public string Instructions { get; } = Describe(new NpgsqlConnectionStringBuilder(connectionString));

    private static string Describe(NpgsqlConnectionStringBuilder c)
    {
        var server = $"--host={c.Host} --port={c.Port}{(string.IsNullOrEmpty(c.Username) ? "" : $" --username={c.Username}")}";
        return $"On PostgreSQL, back up with pg_dump while the app runs: pg_dump {server} --format=custom --file=crmadmin.dump {c.Database}; " +
               $"restore into an empty database with pg_restore {server} --dbname=<empty database> crmadmin.dump, then start the app on it. " +
               "The dump holds the data-protection keys: before a staging or test copy's first start, run DELETE FROM \"DataProtectionKeys\"; in it, " +
               "or it accepts the live system's cookies and tokens.";
    }

    public Task<(Stream Content, string ContentType, string Extension)> CreateAsync(CancellationToken ct) =>
        throw new NotSupportedException(Instructions);
}
