using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmAdmin.Features.Exceptions;

/// <summary>How far an import has read, for the progress bar.</summary>
public readonly record struct ImportProgress(int LinesRead);

/// <summary>
/// Bulk import (I1–I3): every non-blank line gets one status, and the valid ones are committed in
/// one transaction, so a failure part-way leaves the list exactly as it was.
/// </summary>
public sealed class ExceptionImportService(
    IDbContextFactory<CrmDbContext> dbFactory, TimeProvider clock, ILogger<ExceptionImportService> logger)
{
    private const int ProgressEveryLines = 5_000;

    public Task<ImportReport> ImportAsync(string text, EntrySource source, string actor,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default) =>
        ImportAsync(new StringReader(text), source, actor, progress, ct);

    public async Task<ImportReport> ImportAsync(TextReader text, EntrySource source, string actor,
        IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var report = new ImportReport();
        var screen = new ImportScreen(report);
        var at = clock.GetUtcNow().UtcDateTime;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var writer = new ExceptionEntryWriter(db.Database.GetDbConnection(), transaction.GetDbTransaction());

        // Lines are parsed and written a batch at a time, so memory holds one batch and the problems,
        // never the whole input twice.
        var batch = new List<ImportLine>(ExceptionEntryWriter.BatchSize);
        var nextProgress = ProgressEveryLines;
        foreach (var line in ImportLineParser.Parse(text))
        {
            ct.ThrowIfCancellationRequested();
            if (screen.Admit(line))
            {
                batch.Add(line);
                if (batch.Count == ExceptionEntryWriter.BatchSize)
                {
                    await WriteAsync(writer, batch, report, source, actor, at, ct);
                }
            }

            if (line.LineNumber >= nextProgress)
            {
                progress?.Report(new ImportProgress(line.LineNumber));
                nextProgress = line.LineNumber + ProgressEveryLines;
            }
        }

        await WriteAsync(writer, batch, report, source, actor, at, ct);
        db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.ExceptionsImported, source, null,
            $"{report.Lines} lines: {report.Added} added, {report.AlreadyListed} already listed, " +
            $"{report.DuplicateInInput} duplicate in input, {report.Invalid} invalid"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        logger.LogInformation("{Actor} imported {Lines} lines from {Source}: {Added} added, {AlreadyListed} already listed, {Duplicate} duplicate, {Invalid} invalid",
            actor, report.Lines, source, report.Added, report.AlreadyListed, report.DuplicateInInput, report.Invalid);
        return report;
    }

    private static async Task WriteAsync(ExceptionEntryWriter writer, List<ImportLine> batch, ImportReport report,
        EntrySource source, string actor, DateTime at, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var added = await writer.InsertNewAsync(
            batch.Select(l => new ExceptionEntryWriter.NewEntry(l.Point!.Value, l.Comment)).ToList(), source, actor, at, ct);
        foreach (var line in batch)
        {
            report.Record(line, added.Contains(line.Point!.Value) ? ImportLineStatus.Added : ImportLineStatus.AlreadyListed);
        }

        batch.Clear();
    }
}
