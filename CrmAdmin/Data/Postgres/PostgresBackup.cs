using CrmAdmin.Features.Hardening;

namespace CrmAdmin.Data.Postgres;

/// <summary>
/// A PostgreSQL database that several instances share is backed up on the server's side, with
/// pg_dump: a consistent snapshot taken while the app runs, which the app cannot stream any better
/// (and the web server need not hold the database's owner credentials for it).
/// </summary>
internal sealed class PostgresBackup : IDatabaseBackup
{
    public bool CanDownload => false;

    public string Instructions =>
        "On PostgreSQL, back up with pg_dump while the app runs: pg_dump --format=custom --file=crmadmin.dump \"<connection string's database>\"; " +
        "restore into an empty database with pg_restore --dbname=<database> crmadmin.dump, then start the app.";

    public Task<(Stream Content, string ContentType, string Extension)> CreateAsync(CancellationToken ct) =>
        throw new NotSupportedException(Instructions);
}
