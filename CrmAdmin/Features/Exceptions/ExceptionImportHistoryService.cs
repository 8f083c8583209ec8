using System.Security.Claims;
using CrmAdmin.Data;
using CrmAdmin.Domain.Audit;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using Microsoft.EntityFrameworkCore;

namespace CrmAdmin.Features.Exceptions;

/// <summary>One import in the history (I10): who, when, from where, its counts, and when it was undone.</summary>
public sealed record ImportHistoryRow(
    long Id, DateTime At, string By, EntrySource Source, int Added, int AlreadyListed, int DuplicateInInput, int Invalid,
    DateTime? ExpiresAt, DateTime? UndoneAt, string? UndoneBy);

/// <summary>The imports history, newest first; <see cref="Total"/> counts them all.</summary>
public sealed record ImportHistoryPage(int Total, IReadOnlyList<ImportHistoryRow> Items);

/// <summary>There is no import with this id (404 from the API).</summary>
public sealed class ImportNotFoundException(long id) : Exception($"There is no import {id}.")
{
    public long Id { get; } = id;
}

/// <summary>
/// The imports history and "Undo this import" (I10). Undo removes exactly the entries the import added
/// that are still listed (each entry carries the id of the import that added it, so an entry that was
/// AlreadyListed, removed by hand, or added again by a later import is not this import's), in one
/// transaction, audited like any removal (X6). Undoing twice changes nothing the second time.
/// </summary>
public sealed class ExceptionImportHistoryService(
    IDbContextFactory<CrmDbContext> dbFactory, CrmAuthorizer authorizer, TimeProvider clock, ILogger<ExceptionImportHistoryService> logger)
{
    /// <summary>The most imports one page of the history lists.</summary>
    public const int MaxTake = 200;

    /// <summary>The newest imports first; needs View on the exception list (P3).</summary>
    public async Task<ImportHistoryPage> ListAsync(ClaimsPrincipal user, int skip = 0, int take = 50, CancellationToken ct = default)
    {
        await authorizer.RequireAsync(user, Policies.ViewExceptions);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await db.ExceptionImports.CountAsync(ct);
        var items = await db.ExceptionImports.AsNoTracking()
            .OrderByDescending(i => i.At).ThenByDescending(i => i.Id)
            .Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, MaxTake))
            .Select(i => new ImportHistoryRow(i.Id, i.At, i.By, i.Source, i.Added, i.AlreadyListed, i.DuplicateInInput, i.Invalid,
                i.ExpiresAt, i.UndoneAt, i.UndoneBy))
            .ToListAsync(ct);
        return new ImportHistoryPage(total, items);
    }

    /// <summary>
    /// Undoes import <paramref name="importId"/> as <paramref name="user"/>, who needs Edit (P3): removes
    /// the entries it added that are still listed, audits each removal and the undo itself, and marks
    /// the import undone, all in one transaction. Returns how many entries were removed: 0 when the
    /// import was undone before (nothing changes then). Throws <see cref="ImportNotFoundException"/>.
    /// </summary>
    public async Task<int> UndoAsync(long importId, EntrySource source, ClaimsPrincipal user, CancellationToken ct = default)
    {
        var actor = await authorizer.RequireAsync(user, Policies.EditExceptions);
        var at = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Marking it first takes the row's lock: of two undos at once, one marks and removes, the other
        // waits, then finds it undone and changes nothing.
        var marked = await db.ExceptionImports.Where(i => i.Id == importId && i.UndoneAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.UndoneAt, at).SetProperty(i => i.UndoneBy, actor), ct);
        if (marked == 0)
        {
            return await db.ExceptionImports.AnyAsync(i => i.Id == importId, ct) ? 0 : throw new ImportNotFoundException(importId);
        }

        var e = new StoreNames<ExceptionEntry>(db.Model);
        var a = new StoreNames<AuditEntry>(db.Model);
        // One statement each however many entries the import added (100k rows through EF's change
        // tracker take seconds); plain SQL both providers run, names from the model.
        // Only the model's quoted names are interpolated; every value is a parameter.
        var auditRemovals = $$"""
            INSERT INTO {{a.Table}} ({{a.Column(x => x.At)}}, {{a.Column(x => x.Actor)}}, {{a.Column(x => x.Action)}}, {{a.Column(x => x.Source)}}, {{a.Column(x => x.EntryType)}}, {{a.Column(x => x.Value)}})
            SELECT {0}, {1}, {2}, {3}, {{e.Column(x => x.Type)}}, {{e.Column(x => x.Value)}}
            FROM {{e.Table}} WHERE {{e.Column(x => x.ImportId)}} = {4} ORDER BY {{e.Column(x => x.Id)}}
            """;
        await db.Database.ExecuteSqlRawAsync(auditRemovals, [at, actor, nameof(AuditAction.ExceptionRemoved), source.ToString(), importId], ct);
        var removed = await db.ExceptionEntries.Where(x => x.ImportId == importId).ExecuteDeleteAsync(ct);
        db.AuditEntries.Add(new AuditEntry(at, actor, AuditAction.ImportUndone, source, null,
            $"Import {importId} undone: {Labels.Count(removed, "entry", "entries")} removed"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("{Actor} undid import {ImportId} from {Source}: {Removed} entries removed", actor, importId, source, removed);
        return removed;
    }
}
