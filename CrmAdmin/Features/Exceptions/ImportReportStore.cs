using System.IO.Compression;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CrmAdmin.Data;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The full reports of imports (I12): every problem line, written while the import runs to a gzip-
/// compressed CSV in a temporary folder, so memory holds only the inline lines however many problems
/// there are, and the file stays smaller than the import (its lines repeat a few reasons). At the end of
/// the import the file goes into the database (<see cref="ImportReportFile"/>) in the import's own
/// transaction, so any app instance on that database serves the download. A report is kept for
/// <see cref="Lifetime"/> (at most <see cref="MaxReports"/> at once, oldest dropped first) and read back
/// only by the person who imported, with Edit on the list.
/// </summary>
public sealed class ImportReportStore : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public const int MaxReports = 50;

    private readonly IDbContextFactory<CrmDbContext> dbFactory;
    private readonly CrmAuthorizer authorizer;
    private readonly TimeProvider clock;
    private readonly ILogger<ImportReportStore> logger;

    // How many purges were asked for since the running one began its pass (0: none runs).
    private int purgesAsked;

    /// <summary>Creates the store's own folder under the system's temporary folder and clears stale ones left by earlier runs.</summary>
    public ImportReportStore(IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock, ILogger<ImportReportStore> logger)
    {
        this.dbFactory = dbFactory;
        this.authorizer = authorizer;
        this.clock = clock;
        this.logger = logger;
        var root = Path.Combine(Path.GetTempPath(), "crmadmin-import-reports");
        Directory.CreateDirectory(root);
        RemoveStale(root);
        Folder = Directory.CreateDirectory(Path.Combine(root, Guid.NewGuid().ToString("N"))).FullName;
    }

    /// <summary>Where this store's files of imports still running are (one folder per running app).</summary>
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
    public async Task<Stream?> OpenAsync(string id, ClaimsPrincipal user, bool gzip = false, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var content = await db.ImportReportFiles.AsNoTracking()
            .Where(r => r.Id == id && r.Owner == actor && r.ExpiresAt > now)
            .Select(r => r.Content)
            .SingleOrDefaultAsync(ct);
        if (content is null)
        {
            return null;
        }

        var stored = new MemoryStream(content, writable: false);
        return gzip ? stored : new GZipStream(stored, CompressionMode.Decompress);
    }

    /// <summary>
    /// Starts <see cref="PurgeAsync"/> on the thread pool, or, while one runs, has it go once more when it ends;
    /// returns the purge. An import's answer does not wait for it (on SQLite it queues behind the other writers,
    /// perhaps a long import).
    /// </summary>
    public Task PurgeInBackground()
    {
        if (Interlocked.Increment(ref purgesAsked) > 1)
        {
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            while (true)
            {
                var asked = Volatile.Read(ref purgesAsked);
                await PurgeAsync();
                if (Interlocked.CompareExchange(ref purgesAsked, 0, asked) == asked)
                {
                    return;
                }
            }
        });
    }

    /// <summary>
    /// Deletes the expired reports and the oldest past <see cref="MaxReports"/>, in a transaction of its own
    /// (an import's would hold the rows' locks, and two imports purging at once could deadlock). A failure is
    /// logged, not thrown: the next purge retries.
    /// </summary>
    public async Task PurgeAsync(CancellationToken ct = default)
    {
        try
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            // An explicit transaction: on SQLite it waits its turn among this process's writers (SqliteWriterQueue).
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var surplus = await db.ImportReportFiles.Where(r => r.ExpiresAt > now)
                .OrderByDescending(r => r.ExpiresAt).ThenByDescending(r => r.Id)
                .Skip(MaxReports).Select(r => r.Id).ToListAsync(ct);
            var purged = await db.ImportReportFiles.Where(r => r.ExpiresAt <= now || surplus.Contains(r.Id)).ExecuteDeleteAsync(ct);
            await transaction.CommitAsync(ct);
            if (purged > 0)
            {
                logger.LogInformation("Purged {Count} expired or surplus import reports", purged);
            }
        }
        catch (Exception e)
        {
            // Best effort, behind the import's answer and perhaps during shutdown: nothing waits for it to throw.
            logger.LogWarning(e, "Could not purge the import reports; the next import's purge will retry");
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

    /// <summary>
    /// Writes one import's problem lines as they are recorded (the report's <see cref="IImportProblemLog"/>).
    /// <see cref="KeepAsync"/> before the import's commit puts the report into the database; disposing deletes the file.
    /// </summary>
    public sealed class FullReportWriter(ImportReportStore store, string owner) : IImportProblemLog, IDisposable
    {
        private FileStream? file;
        private CsvWriter? csv;

        /// <summary>Adds a line; the first one creates the file and writes the header.</summary>
        public void Write(ImportProblem problem)
        {
            if (csv is null)
            {
                var path = Path.Combine(store.Folder, Guid.NewGuid().ToString("N") + ".csv.gz");
                file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);
                var text = new StreamWriter(new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true), new UTF8Encoding(true), 64 * 1024);
                csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: false);
                ExceptionCsv.WriteReportHeader(csv);
            }

            ExceptionCsv.WriteReportRow(csv, problem);
        }

        /// <summary>
        /// Finishes the file and adds it to <paramref name="db"/> as the report of <paramref name="importId"/>, for
        /// the caller's SaveChanges in the import's transaction; returns its id (the download link's), or null
        /// when no line was written.
        /// </summary>
        public async Task<string?> KeepAsync(CrmDbContext db, long importId, CancellationToken ct = default)
        {
            if (csv is null || file is null)
            {
                return null;
            }

            // Closes the gzip stream (its last block) but not the file, which is read back and deleted on close.
            csv.Dispose();
            csv = null;
            await file.FlushAsync(ct);
            var content = new byte[file.Length];
            file.Position = 0;
            await file.ReadExactlyAsync(content, ct);
            var id = NewId();
            db.ImportReportFiles.Add(new ImportReportFile(id, importId, owner, store.clock.GetUtcNow().UtcDateTime + Lifetime, content));
            store.logger.LogInformation("Kept the full report {Id} of import {ImportId} by {Owner} ({Bytes} bytes compressed)", id, importId, owner, content.Length);
            return id;
        }

        public void Dispose()
        {
            csv?.Dispose();
            // Deleted on close (a crash leaves it to the next start's clearing of stale folders).
            file?.Dispose();
        }

        // 128 random bits: the id is the link, so it must not be guessable.
        private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }
}
