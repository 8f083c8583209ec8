using System.Threading.Channels;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using System.Security.Claims;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

namespace CrmAdmin.Features.Exceptions;

/// <summary>How far an import has read, for the progress bar.</summary>
public readonly record struct ImportProgress(int LinesRead);

/// <summary>
/// Bulk import (I1–I3): every non-blank line gets one status, and the valid ones are committed in
/// one transaction, so a failure part-way leaves the list exactly as it was.
/// </summary>
public sealed class ExceptionImportService(
    IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, IOptions<ImportLimits> limits, TimeProvider clock, ILogger<ExceptionImportService> logger)
{
    private const int ProgressEveryLines = 5_000;
    private const int ParseBatchLines = 2_000;
    private const int BatchesAhead = 8;

    public Task<ImportReport> ImportAsync(string text, EntrySource source, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(new StringReader(text), source, user, progress, ct);

    /// <summary>Imports as <paramref name="user"/>, who needs Edit on the exception list (P3).</summary>
    public async Task<ImportReport> ImportAsync(TextReader text, EntrySource source, ClaimsPrincipal user,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        var at = clock.GetUtcNow().UtcDateTime;
        var started = clock.GetTimestamp();

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        using (var writer = new ExceptionEntryWriter(db.Database.GetDbConnection(), transaction.GetDbTransaction(), source, actor, at))
        {
            // Lines stream from the parser straight into the transaction: memory holds the problems,
            // never the whole input twice. Normalizing (libphonenumber) runs on another core while
            // this one writes, in order, so the statuses are those of one line after another.
            var nextProgress = ProgressEveryLines;
            using var stopParsing = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var (batches, parsing) = ParseAhead(text, stopParsing.Token);
            try
            {
                var rejections = new (ImportLineStatus Status, string? Reason)?[ParseBatchLines];
                var candidates = new List<(ContactPoint Point, string? Comment)>(ParseBatchLines);
                await foreach (var batch in batches.ReadAllAsync(ct))
                {
                    if (batch[^1].LineNumber > limits.Value.MaxLines)
                    {
                        // Thrown inside the transaction: it rolls back, and the list is as it was.
                        throw new ImportTooLargeException(limits.Value.TooManyLinesMessage());
                    }

                    candidates.Clear();
                    for (var i = 0; i < batch.Length; i++)
                    {
                        rejections[i] = screen.Reject(batch[i]);
                        if (rejections[i] is null)
                        {
                            candidates.Add((batch[i].Point!.Value, batch[i].Comment));
                        }
                    }

                    var added = writer.AddRange(candidates);
                    for (var i = 0; i < batch.Length; i++)
                    {
                        var line = batch[i];
                        if (rejections[i] is { } rejection)
                        {
                            report.Record(line, rejection.Status, rejection.Reason);
                        }
                        else
                        {
                            report.Record(line, added.Contains(line.Point!.Value) ? ImportLineStatus.Added : ImportLineStatus.AlreadyListed);
                        }
                    }

                    if (batch[^1].LineNumber >= nextProgress)
                    {
                        progress?.Report(new ImportProgress(batch[^1].LineNumber));
                        nextProgress = batch[^1].LineNumber + ProgressEveryLines;
                    }

                    ct.ThrowIfCancellationRequested();
                }
            }
            finally
            {
                // Whatever ended the import, the parser stops reading the caller's text before we return.
                await stopParsing.CancelAsync();
                await parsing;
            }

            writer.AuditAdded();
        }

        db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.ExceptionsImported, source, null,
            $"{report.Lines} lines: {report.Added} added, {report.AlreadyListed} already listed, " +
            $"{report.DuplicateInInput} duplicate in input, {report.Invalid} invalid"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        logger.LogInformation("{Actor} imported {Lines} lines from {Source} in {Elapsed} ms: {Added} added, {AlreadyListed} already listed, {Duplicate} duplicate, {Invalid} invalid",
            actor, report.Lines, source, (long)clock.GetElapsedTime(started).TotalMilliseconds,
            report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid);
        return report;
    }

    /// <summary>
    /// The parser's lines in batches, produced on a pool thread at most a few batches ahead of the
    /// writer, so memory stays bounded however long the input is.
    /// </summary>
    private (ChannelReader<ImportLine[]> Batches, Task Parsing) ParseAhead(TextReader text, CancellationToken ct)
    {
        var channel = Channel.CreateBounded<ImportLine[]>(new BoundedChannelOptions(BatchesAhead) { SingleReader = true, SingleWriter = true });
        var maxLines = limits.Value.MaxLines;
        var commentLimit = limits.Value.CommentLimit;
        var parsing = Task.Run(async () =>
        {
            try
            {
                var batch = new List<ImportLine>(ParseBatchLines);
                foreach (var line in ImportLineParser.Parse(text, commentLimit))
                {
                    batch.Add(line);
                    // One line past the limit is enough for the writer to refuse the import.
                    if (batch.Count == ParseBatchLines || line.LineNumber > maxLines)
                    {
                        await channel.Writer.WriteAsync([.. batch], ct);
                        batch.Clear();
                        if (line.LineNumber > maxLines)
                        {
                            break;
                        }
                    }
                }

                if (batch.Count > 0)
                {
                    await channel.Writer.WriteAsync([.. batch], ct);
                }

                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                // A read error (a dropped upload) or cancellation reaches the writer, which rolls back.
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);
        return (channel.Reader, parsing);
    }
}
