using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.JSInterop;
using MudBlazor;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// CRM settings → Exceptions (X5, X6, S1, S4): the list with server-side paging and sorting, the
/// app's own filter panel (its filter lives in the query string, so a filtered list can be
/// bookmarked and Back returns to the previous filter), a visible selection, and removal after a
/// confirmation that names what goes.
/// </summary>
public partial class ExceptionsPage
{
    private static readonly int[] PageSizes = [25, 50, 100, 200];

    // The remove dialog names this many values and counts the rest.
    private const int NamedInDialog = 10;

    private MudDataGrid<ExceptionRow> grid = default!;
    private bool loaded;

    // Past ExceptionListService.CountLimit matches the count stops: the pager says so instead of a figure.
    private bool totalIsLowerBound;

    // While a page loads (the first one, or after a filter, sort or page change) the pager says so instead of
    // counts it does not have yet ("0–0 of 0" before the first page). The grid renders this each time its
    // loading state changes, so reading grid.Loading here is current.
    private bool Loading => !loaded || grid?.Loading == true;

    // How many rows are known to match when the count stopped: at least the limit, and at least every row up
    // to the end of the page shown (paging on past the limit keeps finding more).
    private int knownAtLeast;

    // While the next page loads, the rows shown are the last filter's, sort's or page's: dimmed and out of reach of the pointer
    // (app.css), so nobody reads them as the new answer or removes one thinking it matches. A new operator took them for it: under
    // load the next page took seconds. The grid renders its rows again when its loading state changes, so this is current.
    private string StaleRowClass(ExceptionRow row, int index) => loaded && grid?.Loading == true ? "crm-stale-row" : "";

    private string PagerInfoFormat => Loading
        ? "Loading…"
        : totalIsLowerBound
            ? $"{{first_item}}–{{last_item}} of more than {knownAtLeast:N0}"
            : "{first_item}–{last_item} of {all_items}";
    private bool showImport;
    private bool showHistory;
    // Bumped after an import, so an open history lists it.
    private int historyVersion;
    private bool canEdit;
    private string? lineName;
    private ExceptionFilter filter = ExceptionFilter.None;
    private IReadOnlyList<ExceptionRow> pageRows = [];
    // By id, with the row, so the dialog can name what is selected on pages no longer shown.
    private readonly Dictionary<long, ExceptionRow> selected = [];
    private string? selectionNote;

    [Inject] private ExceptionListService Entries { get; set; } = default!;
    [Inject] private CrmAuthorizer Authorizer { get; set; } = default!;
    [Inject] private CrmSettingsService Lines { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private ImportUndoPrompt UndoPrompt { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    /// <summary>Set when opened from a telephony line's "Edit CRM exceptions" (S4): the same CRM-wide list.</summary>
    [Parameter] public long? LineId { get; set; }

    /// <summary>The filter, from the query string: <c>?comment=…&amp;value=…&amp;type=Phone|Email|EmailDomain</c> (the export API's names).</summary>
    [SupplyParameterFromQuery(Name = "comment")] public string? CommentQuery { get; set; }

    [SupplyParameterFromQuery(Name = "value")] public string? ValueQuery { get; set; }

    [SupplyParameterFromQuery(Name = "type")] public string? TypeQuery { get; set; }

    /// <summary>X10: <c>?status=active|expired</c>, as the API spells it.</summary>
    [SupplyParameterFromQuery(Name = "status")] public string? StatusQuery { get; set; }

    [Inject] private TimeProvider Clock { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    // The page and page size the grid last loaded: another (Next, Previous, a filter's first page, more rows per page) brings the
    // list's top into view and is announced (pageShown).
    private (int Page, int Size)? loadedPage;

    // Said to screen readers when another page is shown ("Rows 51–100 of 160 shown."): the pager's own text is not a live region.
    private string? pageShown;

    [CascadingParameter] private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private EntrySource Source => LineId is null ? EntrySource.Settings : EntrySource.Telephony;

    // Text, link (null: not a page of its own), and whether it is this page.
    private IReadOnlyList<(string Text, string? Href, bool Current)> Breadcrumbs => LineId is null
        ? [("CRM settings", null, false), ("Exceptions", null, true)]
        : [("Telephony", "telephony/lines", false), (lineName ?? $"Line {LineId}", null, false), ("CRM integration: exceptions", null, true)];

    private static readonly Dictionary<string, object> TableAttributes = new() { ["aria-label"] = "Exception list" };

    private string ExportUrl => WithFilter("api/exceptions/export", filter);

    private bool AllOnPageSelected => pageRows.Count > 0 && pageRows.All(r => selected.ContainsKey(r.Id));

    // Runs again whenever the sign-in state is re-announced (a changed role shows or hides the edit
    // controls) and whenever the query string changes (a search, Back, a bookmark).
    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthenticationState).User;
        canEdit = await Authorizer.AllowsAsync(user, Policies.EditExceptions);
        lineName = LineId is { } id ? (await Lines.GetLinesAsync(user)).FirstOrDefault(l => l.Id == id)?.Name : null;

        var fromQuery = FilterFromQuery();
        if (fromQuery != filter)
        {
            filter = fromQuery;
            if (selected.Count > 0)
            {
                selectionNote = $"The filter changed, so the {Labels.Count(selected.Count, "selected entry", "selected entries")} " +
                                $"{(selected.Count == 1 ? "was" : "were")} unselected.";
                selected.Clear();
            }

            // Before the first render the grid loads by itself, with this filter.
            if (grid is not null)
            {
                grid.NavigateTo(Page.First);
                await grid.ReloadServerData();
            }
        }
    }

    private ExceptionFilter FilterFromQuery() => new(
        string.IsNullOrWhiteSpace(CommentQuery) ? null : CommentQuery.Trim(),
        string.IsNullOrWhiteSpace(ValueQuery) ? null : ValueQuery.Trim(),
        Enum.TryParse<EntryType>(TypeQuery, ignoreCase: true, out var type) && Enum.IsDefined(type) ? type : null,
        Enum.TryParse<EntryStatus>(StatusQuery, ignoreCase: true, out var status) && Enum.IsDefined(status) ? status : null);

    private async Task<GridData<ExceptionRow>> LoadAsync(GridState<ExceptionRow> state, CancellationToken ct)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var column = sort is not null && Enum.TryParse<ExceptionSortColumn>(sort.SortBy, out var parsed) ? parsed : ExceptionSortColumn.CreatedAt;
        var descending = sort?.Descending ?? true;
        var user = (await AuthenticationState).User;
        var page = await Entries.ListAsync(
            new ExceptionListQuery(filter, state.Page * state.PageSize, state.PageSize, column, descending), user, ct);
        pageRows = page.Items;
        loaded = true;
        var shownUpTo = state.Page * state.PageSize + page.Items.Count;
        var full = page.Items.Count == state.PageSize;
        // Past the count's limit a page that is not full is the last one, and its end the exact total.
        totalIsLowerBound = page.TotalIsLowerBound && (full || page.Items.Count == 0);
        knownAtLeast = Math.Max(page.Total, shownUpTo);
        // While the count is a lower bound the pager must offer the next page after a full one: the grid
        // disables Next at TotalItems, which left every match past the 10,000th out of reach.
        var total = !page.TotalIsLowerBound ? page.Total : totalIsLowerBound && full ? knownAtLeast + 1 : knownAtLeast;
        if (loadedPage is { } before && before != (state.Page, state.PageSize) && RendererInfo.IsInteractive)
        {
            // The pager is below the rows: without this a phone showed the new page's last rows.
            await JS.InvokeVoidAsync("crmAdmin.showNewPage", ct, ".crm-exceptions");
            // As the pager says it (PagerInfoFormat): the total, or past the count's limit how many are known at least.
            var of = totalIsLowerBound ? $"more than {knownAtLeast:N0}" : total.ToString("N0");
            pageShown = page.Items.Count == 0 ? "No entries on this page." : $"Rows {state.Page * state.PageSize + 1:N0}–{shownUpTo:N0} of {of} shown.";
            StateHasChanged();
        }

        loadedPage = (state.Page, state.PageSize);
        return new GridData<ExceptionRow> { Items = page.Items, TotalItems = total };
    }

    // A new order starts at its first page: staying on page 200 of another order shows rows from its middle.
    private void SortChanged() => grid.NavigateTo(Page.First);

    private void ToggleImport() => showImport = !showImport;

    // A new history entry per search: Back returns to the previous filter, and the address can be bookmarked.
    // OnParametersSetAsync then applies it. Empty parts leave the query string.
    private void Search(ExceptionFilter newFilter) => Navigation.NavigateTo(Navigation.GetUriWithQueryParameters(new Dictionary<string, object?>
    {
        ["comment"] = newFilter.Comment,
        ["value"] = newFilter.Value,
        ["type"] = newFilter.Type?.ToString(),
        ["status"] = newFilter.Status?.ToString().ToLowerInvariant(),
    }));

    private void ClearFilters() => Search(ExceptionFilter.None);

    private async Task OnImportedAsync(ImportReport report)
    {
        if (report.Added > 0)
        {
            await grid.ReloadServerData();
        }

        historyVersion++;
    }

    private void ToggleHistory() => showHistory = !showHistory;

    // After an undo: the entries it removed leave the grid, and a selection of them means nothing now.
    // The import report's Undo: asks and answers as the Imports history's does (ImportUndoPrompt).
    private async Task<bool> UndoImportAsync(long importId)
    {
        var user = (await AuthenticationState).User;
        if (await UndoPrompt.ConfirmAndUndoAsync(importId, null, Source, user) is null)
        {
            return false;
        }

        await OnImportUndoneAsync();
        return true;
    }

    // The history shows the import as undone, whichever of the two Undo buttons was used.
    private async Task OnImportUndoneAsync()
    {
        selected.Clear();
        historyVersion++;
        await grid.ReloadServerData();
    }

    /// <summary>X10: "Remove expired", after a confirmation that names what goes.</summary>
    private void RemoveExpired() => _ = ConfirmAndRemoveExpiredAsync();

    private async Task ConfirmAndRemoveExpiredAsync()
    {
        try
        {
            var user = (await AuthenticationState).User;
            var expired = await Entries.ListAsync(new ExceptionListQuery(new ExceptionFilter(Status: EntryStatus.Expired), 0, NamedInDialog), user);
            if (expired.Total == 0)
            {
                Snackbar.Add("No entry has expired.", Severity.Info);
                return;
            }

            var parameters = new DialogParameters<RemoveEntriesDialog>
            {
                { d => d.Values, expired.Items.Select(r => Labels.ForPeople(r.Value)).ToList() },
                { d => d.Count, expired.Total },
            };
            var dialog = await Dialogs.ShowAsync<RemoveEntriesDialog>(expired.Total == 1 ? "Remove 1 expired entry?" : $"Remove {expired.Total:N0} expired entries?", parameters);
            if (await dialog.Result is not { Canceled: false })
            {
                return;
            }

            await InvokeAsync(async () =>
            {
                // Everything expired at the moment of removal: entries that expired since the dialog opened too.
                var removed = await Entries.RemoveExpiredAsync(Source, user);
                selected.Clear();
                Snackbar.Add($"Removed {Labels.Count(removed, "expired entry", "expired entries")}.", Severity.Success);
                await grid.ReloadServerData();
                StateHasChanged();
            });
        }
        catch (AccessDeniedException)
        {
            Snackbar.Add("Nothing was removed: your role no longer allows changing the exception list.", Severity.Error);
        }
        catch (Exception failure)
        {
            await DispatchExceptionAsync(failure);
        }
    }

    private bool IsExpired(ExceptionRow row) => row.IsExpiredAt(Clock.GetUtcNow().UtcDateTime);

    private void Select(ExceptionRow row, bool on)
    {
        selectionNote = null;
        if (on)
        {
            selected[row.Id] = row;
        }
        else
        {
            selected.Remove(row.Id);
        }
    }

    private void SelectPage(bool on)
    {
        foreach (var row in pageRows)
        {
            Select(row, on);
        }
    }

    private void ClearSelection()
    {
        selected.Clear();
        selectionNote = null;
    }

    // Menu item and button handlers start the confirmation without awaiting it: MudMenuItem waits
    // for its handler before it closes, and would stay open behind the dialog.
    private void RemoveOne(ExceptionRow row) => _ = ConfirmAndRemoveAsync([row]);

    private void RemoveSelected() => _ = ConfirmAndRemoveAsync(selected.Values.ToList());

    private async Task ConfirmAndRemoveAsync(IReadOnlyList<ExceptionRow> rows)
    {
        try
        {
            var parameters = new DialogParameters<RemoveEntriesDialog>
            {
                { d => d.Values, rows.Take(NamedInDialog).Select(r => Labels.ForPeople(r.Value)).ToList() },
                { d => d.Count, rows.Count },
            };
            var title = rows.Count == 1 ? "Remove 1 entry?" : $"Remove {rows.Count:N0} entries?";
            var dialog = await Dialogs.ShowAsync<RemoveEntriesDialog>(title, parameters);
            if (await dialog.Result is not { Canceled: false })
            {
                return;
            }

            await InvokeAsync(() => RemoveAsync(rows));
        }
        catch (Exception failure)
        {
            await DispatchExceptionAsync(failure);
        }
    }

    private async Task RemoveAsync(IReadOnlyList<ExceptionRow> rows)
    {
        var ids = rows.Select(r => r.Id).ToList();
        int removed;
        try
        {
            removed = await Entries.RemoveAsync(ids, Source, (await AuthenticationState).User);
        }
        catch (AccessDeniedException)
        {
            Snackbar.Add("Nothing was removed: your role no longer allows changing the exception list.", Severity.Error);
            canEdit = false;
            StateHasChanged();
            return;
        }

        foreach (var id in ids)
        {
            selected.Remove(id);
        }

        var message = $"Removed {Labels.Count(removed, "entry", "entries")} from exceptions.";
        if (removed < ids.Count)
        {
            message += $" {Labels.Count(ids.Count - removed, "entry was", "entries were")} already removed by someone else.";
        }

        Snackbar.Add(message, Severity.Success);
        await grid.ReloadServerData();
        // Started outside an event handler's render cycle (see RemoveOne): the selection bar must be told.
        StateHasChanged();
    }

    private static string AddedText(ExceptionRow row) =>
        $"Added {row.CreatedAt:yyyy-MM-dd HH:mm} UTC by {row.CreatedBy} from {Labels.Of(row.Source)}";

    private static string BlockedText(ExceptionRow row) =>
        $"Blocked {Labels.Count(row.HitCount, "time")}" + (row.LastHitAt is { } hit ? $", last on {hit:yyyy-MM-dd HH:mm} UTC" : "");

    /// <summary><paramref name="path"/> with the filter's non-empty parts as <c>comment</c>, <c>value</c> and <c>type</c>.</summary>
    private static string WithFilter(string path, ExceptionFilter f)
    {
        var query = new Dictionary<string, string?>
        {
            ["comment"] = f.Comment,
            ["value"] = f.Value,
            ["type"] = f.Type?.ToString(),
            ["status"] = f.Status?.ToString().ToLowerInvariant(),
        };
        return QueryHelpers.AddQueryString(path, query.Where(p => p.Value is not null));
    }

    /// <summary>Rows are the same entry when their ids are: the grid's selection and re-renders survive a reload.</summary>
    private sealed class RowsById : IEqualityComparer<ExceptionRow>
    {
        public static readonly RowsById Instance = new();

        public bool Equals(ExceptionRow? x, ExceptionRow? y) => x?.Id == y?.Id;

        public int GetHashCode(ExceptionRow row) => row.Id.GetHashCode();
    }
}
