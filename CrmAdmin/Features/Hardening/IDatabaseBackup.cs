namespace CrmAdmin.Features.Hardening;

/// <summary>
/// A consistent copy of the database while the app runs, for administrators. SQLite (Data/Sqlite)
/// writes one with VACUUM INTO and the app serves it as a download; a PostgreSQL server is backed up
/// with its own tool, pg_dump, which <see cref="Instructions"/> describes.
/// </summary>
public interface IDatabaseBackup
{
    /// <summary>True when <see cref="CreateAsync"/> gives a file to download.</summary>
    bool CanDownload { get; }

    /// <summary>How backups are taken and restored on this provider, in a sentence or two for administrators.</summary>
    string Instructions { get; }

    /// <summary>
    /// A copy of the database as a stream that deletes its temporary file when disposed, with its
    /// content type and file extension.
    /// </summary>
    /// <exception cref="NotSupportedException">When <see cref="CanDownload"/> is false.</exception>
    Task<(Stream Content, string ContentType, string Extension)> CreateAsync(CancellationToken ct);
}
