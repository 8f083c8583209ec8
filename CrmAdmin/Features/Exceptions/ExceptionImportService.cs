using System.Threading.Channels;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using System.Security.Claims;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Operations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Exceptions;

/// <summary>How far an import has read, for the progress bar.</summary>
public readonly record struct ImportProgress(int LinesRead);

/// <summary>
/// What an import gives every entry it adds (I11): an expiry instant (UTC), or none. A line of an
/// export that carries its own <c>expiresAt</c> keeps that one (I6).
/// </summary>
public sealed record ImportOptions(DateTime? ExpiresAt = null)
{
    /// <summary>The longest expiry in days the paste box and the API offer: ten years.</summary>
    public const int MaxExpiresInDays = 3650;

    public static readonly ImportOptions None = new();

    /// <summary>
    /// The options of <c>?expiresInDays=N</c> or <c>?expiresAt=</c> (at most one of them), counted from
    /// <paramref name="now"/>. Throws <see cref="ImportOptionsException"/> for a number of days out of
    /// 1–<see cref="MaxExpiresInDays"/>, an instant not in the future, or both given.
    /// </summary>
    public static ImportOptions From(int? expiresInDays, DateTimeOffset? expiresAt, DateTime now)
    {
        if (expiresInDays is not null && expiresAt is not null)
        {
            throw new ImportOptionsException("Give expiresInDays or expiresAt, not both.");
        }

        if (expiresInDays is { } days)
        {
            return days is >= 1 and <= MaxExpiresInDays
                ? new ImportOptions(now.AddDays(days))
                : throw new ImportOptionsException($"expiresInDays: a whole number of days from 1 to {MaxExpiresInDays}.");
        }

        if (expiresAt is { } instant)
        {
            var utc = instant.UtcDateTime;
            return utc > now && utc <= now.AddDays(MaxExpiresInDays)
                ? new ImportOptions(utc)
                : throw new ImportOptionsException($"expiresAt: an instant in the future, at most {MaxExpiresInDays} days away, like {now.AddDays(30):yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        }

        return None;
    }
}

/// <summary>Import options that cannot be used (I11): 400 from the API, a message on the page.</summary>
public sealed class ImportOptionsException(string message) : RequestRefusedException(message);

/// <summary>
/// An import whose text has no line to give a status to (I2): empty, only blank lines, or only a header
/// row. Nothing is recorded, not even an empty entry in the import history (I10); 400 from the API, a
/// message on the page.
/// </summary>
public sealed class ImportEmptyException(string message) : RequestRefusedException(message)
{
    /// <summary>The refusal of a text with no lines at all, or with only the header row at <paramref name="header"/>.</summary>
    public static ImportEmptyException For(ImportHeader? header) => new(header is null
        ? "Nothing to import: the text has no lines."
        : $"Nothing to import: the text has only a header row (line {header.Line}: {ImportReport.Shown(header.Input)}), no lines below it.");
}

/// <summary>
/// Bulk import (I1–I3): every non-blank line gets one status, and the valid ones are committed in
/// one transaction, so a failure part-way leaves the list exactly as it was.
/// </summary>
public sealed class ExceptionImportService(
    IDbContextFactory<CrmDbContext> dbFactory, IExceptionEntryWriters writers, CrmAuthorizer authorizer, ImportReportStore reports, IOptions<ImportLimits> limits,
    TimeProvider clock, CrmMetrics metrics, ImportsInProgress imports, ILogger<ExceptionImportService> logger)
{
    private const int ProgressEveryLines = 5_000;
    // Lines per writer call. Each batch costs PostgreSQL a few statements (a lookup, the COPYs, a savepoint):
    // 10,000 rather than 2,000 took a 100k-line import into 1M from 2.1–2.5 s to 1.7–2.3 s there (SQLite:
    // 1.42 to 1.06 s). Two batches ahead keep the parser busy; a 1M-line import peaks at 536–554 MB.
    // The first batch is smaller: the writer waits for it idle (a 10,000-line batch is 50–120 ms of parsing),
    // and later batches are parsed while the one before is written.
    private const int ParseBatchLines = 10_000;
    private const int FirstBatchLines = 1_000;
    private const int BatchesAhead = 2;

    /// <summary>Imports pasted text (the paste box sends UTF-8 text, so no encoding is assumed); see <see cref="ImportAsync(TextReader, EntrySource, ClaimsPrincipal, IProgress{ImportProgress}?, CancellationToken)"/>.</summary>
    public Task<ImportReport> ImportAsync(string text, EntrySource source, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(new StringReader(text), source, user, progress, ct);

    /// <summary>Imports pasted text with <paramref name="options"/> (I11); see <see cref="ImportAsync(TextReader, EntrySource, ClaimsPrincipal, IProgress{ImportProgress}?, CancellationToken)"/>.</summary>
    public Task<ImportReport> ImportAsync(string text, EntrySource source, ImportOptions options, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(new StringReader(text), null, source, options, user, progress, ct);

    /// <summary>Imports text from a reader with <paramref name="options"/> (I11); see <see cref="ImportAsync(TextReader, EntrySource, ClaimsPrincipal, IProgress{ImportProgress}?, CancellationToken)"/>.</summary>
    public Task<ImportReport> ImportAsync(TextReader text, EntrySource source, ImportOptions options, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(text, null, source, options, user, progress, ct);

    /// <summary>
    /// Imports an upload or API body read by <see cref="ImportTextDecoder"/>; the report says which
    /// encoding was assumed when the bytes were neither UTF-8 nor declared (I7).
    /// </summary>
    public Task<ImportReport> ImportAsync(ImportText text, EntrySource source, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(text, source, ImportOptions.None, user, progress, ct);

    /// <summary>Imports an upload or API body with <paramref name="options"/> (I11); see <see cref="ImportAsync(ImportText, EntrySource, ClaimsPrincipal, IProgress{ImportProgress}?, CancellationToken)"/>.</summary>
    public async Task<ImportReport> ImportAsync(ImportText text, EntrySource source, ImportOptions options, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        using var reader = text.OpenReader();
        return await ImportAsync(reader, text.AssumedEncoding, source, options, user, progress, ct);
    }

    /// <summary>
    /// Imports as <paramref name="user"/>, who needs Edit on the exception list (P3). The report lists
    /// the first <see cref="ImportReport.DefaultMaxInlineProblems"/> problem lines and counts the rest; when there
    /// are any, <see cref="ImportReport.FullReportId"/> names the full report in <see cref="ImportReportStore"/> (I12).
    /// Throws <see cref="ImportUnreadableException"/> when a quote is never closed (nothing is imported),
    /// <see cref="ImportTooLargeException"/> past the line limit.
    /// </summary>
    public Task<ImportReport> ImportAsync(TextReader text, EntrySource source, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(text, null, source, ImportOptions.None, user, progress, ct);

    private async Task<ImportReport> ImportAsync(TextReader text, string? assumedEncoding, EntrySource source, ImportOptions options, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress, CancellationToken ct) =>
        await ImportAsync(text, assumedEncoding, source, options, await authorizer.RequireAsync(user, Policies.EditExceptions), keep: true, progress, ct);

    /// <summary>
    /// Runs the whole import path once on a line of every kind (a phone, a number prefix, an email, a domain, a repeat,
    /// an invalid line) and <see cref="WarmUpRepeatedLines"/> new phones and emails, as <see cref="WarmUpActor"/>, in a transaction it rolls back: nothing is listed, audited, counted or
    /// kept in the history. Without it the first import after a start paid for loading and compiling all of that path (EF
    /// Core's update pipeline, the writer's statements, the report, libphonenumber's metadata) while a person waited: 0.2 s
    /// of a one-line import (0.006 s once warm), and about as much of a 100k-line import into a million entries on SQLite (1.17–1.44 s
    /// against 1.08–1.21 s warmed, three runs each). Started by <see cref="ImportWarmUp"/>. Returns the report of the lines,
    /// written and then rolled back (4 + <see cref="WarmUpRepeatedLines"/> added, 1 duplicate, 1 invalid).
    /// </summary>
    internal Task<ImportReport> WarmUpAsync(CancellationToken ct) => ImportAsync(
        new StringReader(WarmUpLines), null, EntrySource.Api, ImportOptions.None, WarmUpActor, keep: false, progress: null, ct);

    /// <summary>The actor <see cref="WarmUpAsync"/> imports as; no row it writes outlives its transaction.</summary>
    internal const string WarmUpActor = "start-up warm-up";

    /// <summary>
    /// How many new phones and emails, in the usual spellings, <see cref="WarmUpAsync"/> adds after its one line of each kind.
    /// Tiered compilation optimizes a method once it has been called 30 times: with a few lines the per-line path (parsing,
    /// libphonenumber, the COPY's row writes, the report) stayed in its first, unoptimized code, and the first real import ran
    /// in it while it was optimized beside it, on the CPU the import needed. 100k lines into 1M on PostgreSQL used 2.1–3.5 s
    /// of the app's CPU the first time and 0.9–1.4 s after (2026-12-04).
    /// </summary>
    internal const int WarmUpRepeatedLines = 200;

    /// <summary>One line of each kind an import meets, then <see cref="WarmUpRepeatedLines"/> new ones (<see cref="WarmUpAsync"/>).</summary>
    private static readonly string WarmUpLines = string.Concat(
        "+1 202 555 0100;warm-up\n+1 202 555*;warm-up\nwarm-up@example.com;warm-up\n@example.com;warm-up\n+1 202 555 0100;warm-up\nnot a phone;warm-up\n",
        string.Concat(Enumerable.Range(0, WarmUpRepeatedLines).Select(i => (i % 4) switch
        {
            0 => $"+1 203 555 {i:0000};warm-up {i}\n",
            1 => $"001 (203) 556-{i:0000};warm-up {i}\n",
            2 => $"warm-up{i}@example.org;warm-up {i}\n",
            _ => $"Warm.Up{i}@Example.NET;warm-up {i}\n",
        })));

    /// <summary>
    /// The import itself, by <paramref name="actor"/> (authorized already). <paramref name="keep"/>: commit, count and log it;
    /// otherwise roll it all back once written (<see cref="WarmUpAsync"/>).
    /// </summary>
    private async Task<ImportReport> ImportAsync(TextReader text, string? assumedEncoding, EntrySource source, ImportOptions options, string actor, bool keep,
        IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        // Not the warm-up: background work need not wait for a few lines (ImportsInProgress.Settle).
        using var running = keep ? imports.Begin() : null;
        // Every problem line goes to the full report file as it is recorded; memory keeps the inline ones.
        using var fullReport = reports.Begin(actor);
        var report = new ImportReport(ImportReport.DefaultMaxInlineProblems, fullReport) { AssumedEncoding = assumedEncoding };
        var at = clock.GetUtcNow().UtcDateTime;
        var started = clock.GetTimestamp();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // I10: the import's row first, so every entry it adds carries its id.
        var import = new ExceptionImport(at, actor, source, options.ExpiresAt);
        db.ExceptionImports.Add(import);
        await db.SaveChangesAsync(ct);
        using (var writer = writers.Open(db, source, actor, at, import.Id))
        {
            // Lines stream from the parser straight into the transaction: memory holds the problems,
            // never the whole input twice. Normalizing (libphonenumber) runs on another core while
            // this one writes, in order, so the statuses are those of one line after another.
            var nextProgress = ProgressEveryLines;
            using var stopParsing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var (batches, parsing) = ParseAhead(text, new ImportScreen(report), stopParsing.Token);
            ImportHeader? header = null;
            try
            {
                var candidates = new List<NewEntry>(ParseBatchLines);
                await foreach (var batch in batches.ReadAllAsync(ct))
                {
                    if (batch.Lines[^1].LineNumber > limits.Value.MaxLines)
                    {
                        // Thrown inside the transaction: it rolls back, and the list is as it was.
                        throw new ImportTooLargeException(limits.Value.TooManyLinesMessage());
                    }

                    candidates.Clear();
                    for (var i = 0; i < batch.Lines.Length; i++)
                    {
                        if (batch.Rejections[i] is null)
                        {
                            candidates.Add(new NewEntry(batch.Lines[i].Point!.Value, batch.Lines[i].Comment, batch.Lines[i].ExpiresAt ?? options.ExpiresAt));
                        }
                    }

                    var added = writer.AddRange(candidates);
                    for (var i = 0; i < batch.Lines.Length; i++)
                    {
                        var line = batch.Lines[i];
                        if (batch.Rejections[i] is { } rejection)
                        {
                            report.Record(line, rejection.Status, rejection.Reason);
                        }
                        else
                        {
                            report.Record(line, added.Contains(line.Point!.Value) ? ImportLineStatus.Added : ImportLineStatus.AlreadyListed);
                        }
                    }

                    if (batch.Lines[^1].LineNumber >= nextProgress)
                    {
                        progress?.Report(new ImportProgress(batch.Lines[^1].LineNumber));
                        nextProgress = batch.Lines[^1].LineNumber + ProgressEveryLines;
                    }

                    ct.ThrowIfCancellationRequested();
                }
            }
            catch (ImportFormatException unreadable)
            {
                // Thrown inside the transaction: it rolls back, and nothing of the input is imported.
                throw new ImportUnreadableException(unreadable.Message);
            }
            finally
            {
                // Whatever ended the import, the parser stops reading the caller's text before we return.
                await stopParsing.CancelAsync();
                header = await parsing;
            }

            report.SkippedHeader = header;

            if (report.Lines == 0)
            {
                // Thrown inside the transaction: the import's row rolls back, so the history never shows a 0-line import.
                throw ImportEmptyException.For(report.SkippedHeader);
            }

            writer.AuditAdded();
            writer.Audit(AuditAction.ExceptionsImported,
                $"Import {import.Id}, {Labels.ImportCounts(report.Lines, report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid)}" +
                (options.ExpiresAt is { } expires ? $"; expiring {expires:yyyy-MM-dd HH:mm} UTC" : ""));
        }

        import.Finish(report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid);
        // The full report commits with the import, so every instance can serve it (I12).
        var fullReportId = await fullReport.KeepAsync(db, import.Id, ct);
        await db.SaveChangesAsync(ct);
        if (!keep)
        {
            await transaction.RollbackAsync(ct);
            return report;
        }

        await transaction.CommitAsync(ct);
        report.ImportId = import.Id;
        report.FullReportId = fullReportId;
        if (fullReportId is not null)
        {
            _ = reports.PurgeInBackground();
        }

        metrics.Imported(source, report);

        logger.LogInformation("{Actor} imported {Lines} lines from {Source} in {Elapsed} ms: {Added} added, {AlreadyListed} already listed, {Duplicate} duplicate, {Invalid} invalid",
            actor, report.Lines, source, (long)clock.GetElapsedTime(started).TotalMilliseconds,
            report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid);
        return report;
    }

    /// <summary>
    /// The parser's lines in batches, each line screened (invalid, or a repeat of an earlier line) in
    /// input order, produced on a pool thread at most a few batches ahead of the writer, so memory
    /// stays bounded however long the input is and the writer's core only writes.
    /// </summary>
    /// <remarks>The parsing task's result is the header row the parser skipped (I8), or null.</remarks>
    private (ChannelReader<ScreenedBatch> Batches, Task<ImportHeader?> Parsing) ParseAhead(TextReader text, ImportScreen screen, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<ScreenedBatch>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        var maxLines = limits.Value.MaxLines;
        var commentLimit = limits.Value.CommentLimit;
        var parsing = Task.Run(async () =>
        {
            ImportHeader? header = null;
            try
            {
                var batch = new List<ImportLine>(ParseBatchLines);
                var batchLines = FirstBatchLines;
                foreach (var line in ImportLineParser.Parse(text, commentLimit, h => header = h))
                {
                    batch.Add(line);
                    // One line past the limit is enough for the writer to refuse the import.
                    if (batch.Count == batchLines || line.LineNumber > maxLines)
                    {
                        batchLines = ParseBatchLines;
                        await channel.Writer.WriteAsync(ScreenedBatch.Of(batch, screen), ct);
                        batch.Clear();
                        if (line.LineNumber > maxLines)
                        {
                            break;
                        }
                    }
                }

                if (batch.Count > 0)
                {
                    await channel.Writer.WriteAsync(ScreenedBatch.Of(batch, screen), ct);
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                // A read error (a dropped upload) or cancellation reaches the writer, which rolls back.
                channel.Writer.Complete(e);
            }

            return header;
        }, CancellationToken.None);
        return (channel.Reader, parsing);
    }

    /// <summary>Lines and, for each, why it cannot go to the list (null: a candidate).</summary>
    private sealed record ScreenedBatch(ImportLine[] Lines, (ImportLineStatus Status, string? Reason)?[] Rejections)
    {
        public static ScreenedBatch Of(List<ImportLine> lines, ImportScreen screen)
        {
            var rejections = new (ImportLineStatus Status, string? Reason)?[lines.Count];
            for (var i = 0; i < lines.Count; i++)
            {
                rejections[i] = screen.Reject(lines[i]);
            }

            return new ScreenedBatch([.. lines], rejections);
        }
    }
}
