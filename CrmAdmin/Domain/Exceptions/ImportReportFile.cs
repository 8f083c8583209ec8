namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// The full report of one import (I12), kept in the database so that every app instance can serve it:
/// every problem line as CSV (UTF-8 with a byte order mark), gzip-compressed, for its owner only and
/// until <see cref="ExpiresAt"/>. Written in the import's own transaction: an import that rolls back
/// leaves no report, and one that commits always has it.
/// </summary>
public sealed class ImportReportFile
{
    // For EF Core materialization.
    private ImportReportFile()
    {
        Id = "";
        Owner = "";
        Content = [];
    }

    /// <summary>
    /// A report of import <paramref name="importId"/> by <paramref name="owner"/>: <paramref name="id"/> is the
    /// unguessable link (32 lower-case hex digits), <paramref name="content"/> the gzip bytes, kept until
    /// <paramref name="expiresAt"/> (UTC).
    /// </summary>
    public ImportReportFile(string id, long importId, string owner, DateTime expiresAt, byte[] content)
    {
        Id = id;
        ImportId = importId;
        Owner = owner;
        ExpiresAt = expiresAt;
        Content = content;
    }

    public string Id { get; private set; }
    public long ImportId { get; private set; }
    public string Owner { get; private set; }
    public DateTime ExpiresAt { get; private set; }

    /// <summary>The report's CSV, gzip-compressed as it is served to a client that accepts gzip.</summary>
    public byte[] Content { get; private set; }
}
