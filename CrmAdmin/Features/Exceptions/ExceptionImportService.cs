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
            // never the whole input twice.
            var nextProgress = ProgressEveryLines;
            foreach (var line in ImportLineParser.Parse(text, limits.Value.CommentLimit))
            {
                ct.ThrowIfCancellationRequested();
                if (line.LineNumber > limits.Value.MaxLines)
                {
                    // Thrown inside the transaction: it rolls back, and the list is as it was.
                    throw new ImportTooLargeException(limits.Value.TooManyLinesMessage());
                }

                if (screen.Admit(line))
                {
                    report.Record(line, writer.TryAdd(line.Point!.Value, line.Comment) ? ImportLineStatus.Added : ImportLineStatus.AlreadyListed);
                }

                if (line.LineNumber >= nextProgress)
                {
                    progress?.Report(new ImportProgress(line.LineNumber));
                    nextProgress = line.LineNumber + ProgressEveryLines;
                }
            }
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
}
