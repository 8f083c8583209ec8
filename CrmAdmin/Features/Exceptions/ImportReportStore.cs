using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CsvHelper;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The full reports of imports (I12): every problem line, written while the import runs to a gzip-
/// compressed CSV in a temporary folder, so memory holds only the inline lines however many problems
/// there are, and the file stays smaller than the import (its lines repeat a few reasons). A report is
/// kept for <see cref="Lifetime"/> (at most <see cref="MaxReports"/> at once, oldest dropped first) and
/// read back only by the person who imported, with Edit on the list. The files live on this instance:
/// behind a load balancer the download must reach the instance that ran the import.
/// </summary>
public sealed class ImportReportStore : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public const int MaxReports = 50;

    private readonly ConcurrentDictionary<string, StoredReport> reports = new(StringComparer.Ordinal);
    private readonly CrmAuthorizer authorizer;
    private readonly TimeProvider clock;
    private readonly ILogger<ImportReportStore> logger;

    /// <summary>Creates the store's own folder under the system's temporary folder and clears stale ones left by earlier runs.</summary>
    public ImportReportStore(CrmAuthorizer authorizer, TimeProvider clock, ILogger<ImportReportStore> logger)
    {
        this.authorizer = authorizer;
        this.clock = clock;
        this.logger = logger;
        var root = Path.Combine(Path.GetTempPath(), "crmadmin-import-reports");
        Directory.CreateDirectory(root);
        RemoveStale(root);
        Folder = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;
    }

    /// <summary>Where this store's files are (one folder per running app).</summary>
    public string Folder { get; }

    /// <summary>A log for one import's problem lines; it creates its file on the first line only.</summary>
    public FullReportWriter Begin(string owner) => new(this, owner);

    /// <summary>The media type of <see cref="OpenAsync"/>'s stream.</summary>
    public const string ContentType = ExceptionCsv.ContentType;

    /// <summary>
    /// The full report with this id as CSV (UTF-8 with a byte order mark, for Excel): decompressed, or the
    /// stored gzip bytes when <paramref name="gzip"/> (a client that accepts gzip). Null when there is no
    /// such report for this user (never made, expired, or someone else's); throws
    /// <see cref="AccessDeniedException"/> without Edit on the list (P3).
    /// </summary>
    public async Task<Stream?> OpenAsync(string id, ClaimsPrincipal user, bool gzip = false)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        Purge();
        if (!reports.TryGetValue(id, out var report) || report.Owner != actor)
        {
            return null;
        }

        try
        {
            var file = new FileStream(report.Path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
            return gzip ? file : new GZipStream(file, CompressionMode.Decompress);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private void Register(string id, string owner, string path, long bytes)
    {
        reports[id] = new StoredReport(path, owner, clock.GetUtcNow().UtcDateTime + Lifetime);
        logger.LogInformation("Kept the full report {Id} of an import by {Owner} ({Bytes} bytes compressed)", id, owner, bytes);
        Purge();
    }

    private void Purge()
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var expired = reports.Where(r => r.Value.ExpiresAt <= now)
            .Concat(reports.OrderByDescending(r => r.Value.ExpiresAt).Skip(MaxReports))
            .Select(r => r.Key).Distinct().ToList();
        foreach (var id in expired)
        {
            if (reports.TryRemove(id, out var report))
            {
                Delete(report.Path);
            }
        }
    }

    private void RemoveStale(string root)
    {
        // Folders of earlier runs (a crash leaves them): another app on this machine keeps its folder fresh.
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            try
            {
                if (Directory.GetLastWriteTimeUtc(folder) < clock.GetUtcNow().UtcDateTime - Lifetime)
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (IOException e)
            {
                logger.LogDebug(e, "Could not remove the stale import report folder {Folder}", folder);
            }
            catch (UnauthorizedAccessException e)
            {
                logger.LogDebug(e, "Could not remove the stale import report folder {Folder}", folder);
            }
        }
    }

    private void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            logger.LogWarning(e, "Could not delete the import report {Path}", path);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException e)
        {
            logger.LogDebug(e, "Could not remove the import report folder {Folder}", Folder);
        }
    }

    private sealed record StoredReport(string Path, string Owner, DateTime ExpiresAt);

    /// <summary>
    /// Writes one import's problem lines as they are recorded (the report's <see cref="IImportProblemLog"/>).
    /// <see cref="Keep"/> after the commit makes the report downloadable; disposing without it deletes the file.
    /// </summary>
    public sealed class FullReportWriter(ImportReportStore store, string owner) : IImportProblemLog, IDisposable
    {
        private FileStream? file;
        private CsvWriter? csv;
        private string? path;

        /// <summary>Adds a line; the first one creates the file and writes the header.</summary>
        public void Write(ImportProblem problem)
        {
            if (csv is null)
            {
                path = Path.Combine(store.Folder, NewId() + ".csv.gz");
                file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
                var text = new StreamWriter(new GZipStream(file, CompressionLevel.Fastest), new UTF8Encoding(true), 64 * 1024);
                csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: false);
                ExceptionCsv.WriteReportHeader(csv);
            }

            ExceptionCsv.WriteReportRow(csv, problem);
        }

        /// <summary>Finishes the file and registers it; returns its id, or null when no line was written.</summary>
        public string? Keep()
        {
            if (csv is null || path is null)
            {
                return null;
            }

            csv.Dispose();
            csv = null;
            var bytes = new FileInfo(path).Length;
            var id = Path.GetFileName(path)[..^".csv.gz".Length];
            store.Register(id, owner, path, bytes);
            path = null;
            return id;
        }

        public void Dispose()
        {
            csv?.Dispose();
            file?.Dispose();
            if (path is not null)
            {
                store.Delete(path);
            }
        }

        // 128 random bits: the id is the link, so it must not be guessable.
        private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }
}
