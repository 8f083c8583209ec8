using System.Security.Claims;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using MudBlazor;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// Undoing an import from a page (I10): asks first, naming what goes, then undoes it and says what
/// happened. The Imports history and the import report both offer Undo through it, so they ask and
/// answer alike. Scoped to the circuit (its dialogs and snackbar are).
/// </summary>
public sealed class ImportUndoPrompt(IDialogService dialogs, ISnackbar snackbar, ExceptionImportHistoryService history)
{
    /// <summary>
    /// Asks whether to undo import <paramref name="importId"/> (<paramref name="description"/>, if any: when, by whom,
    /// how many it added), and if so undoes it as <paramref name="user"/> from <paramref name="source"/>.
    /// Returns the entries removed, or null when the person cancelled or may no longer edit (said in a snackbar).
    /// </summary>
    public async Task<int?> ConfirmAndUndoAsync(long importId, string? description, EntrySource source, ClaimsPrincipal user)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync($"Undo import #{importId}?",
            $"The entries import #{importId} added{(description is null ? "" : $" ({description})")} that are still listed will be removed. " +
            "Entries that were already listed stay. The removal is written to the audit log.",
            yesText: "Undo import", cancelText: "Cancel");
        if (confirmed != true)
        {
            return null;
        }

        try
        {
            var removed = await history.UndoAsync(importId, source, user);
            snackbar.Add(removed == 0
                ? $"Import #{importId} was already undone; nothing changed."
                : $"Import #{importId} undone: removed {Labels.Count(removed, "entry", "entries")}.", Severity.Success);
            return removed;
        }
        catch (AccessDeniedException)
        {
            snackbar.Add("Nothing was undone: your role no longer allows changing the exception list.", Severity.Error);
            return null;
        }
    }
}
