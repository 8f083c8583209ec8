using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CrmAdmin.Tests.E2E;

[Collection(BrowserCollection.Name)]
public sealed class ExceptionListFlowTests(BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public Task Paste_ten_lines_read_the_report_filter_remove_one_and_reload() =>
        browser.RunAsync(nameof(Paste_ten_lines_read_the_report_filter_remove_one_and_reload), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();

            await exceptions.ImportAsync("""
                +1 415 555 1001;flow-a spam robot
                +1 (415) 555-1002;flow-a cold calls
                0044 20 7946 1003;flow-a london
                4155551004;flow-a no plus
                flow-a1@example.com;flow-a supplier; call first
                Flow-A2@Example.com;flow-a partner
                @flow-a.example.org;flow-a newsletters
                +1 415 555 1001;flow-a again
                not-an-address;flow-a junk
                flow-a3@example.com;flow-a other
                """);

            Assert.Equal("7 added", await exceptions.CountAsync("added"));
            Assert.Equal("1 duplicate in input", await exceptions.CountAsync("duplicate"));
            Assert.Equal("2 invalid", await exceptions.CountAsync("invalid"));
            var problems = await exceptions.ProblemRows.AllInnerTextsAsync();
            Assert.Equal(3, problems.Count);
            Assert.Contains("4", problems[0]);
            Assert.Contains("must start with + and a country code", problems[0]);
            Assert.Contains("repeats line 1", problems[1]);

            await page.GetByRole(AriaRole.Button, new() { Name = "Keep only the 3 lines not added in the box" }).ClickAsync();
            await Assertions.Expect(exceptions.PasteBox).ToHaveValueAsync("4155551004;flow-a no plus\n+1 415 555 1001;flow-a again\nnot-an-address;flow-a junk");

            await exceptions.FilterAsync(comment: "FLOW-A L");
            await exceptions.ExpectValuesAsync("+442079461003");
            await exceptions.FilterAsync(comment: "flow-a", value: "415 555");
            await exceptions.ExpectValuesAsync("+14155551001", "+14155551002");

            await exceptions.RemoveFromRowMenuAsync("+14155551002");
            await exceptions.ExpectValuesAsync("+14155551001");

            await page.ReloadAsync();
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await exceptions.FilterAsync(comment: "flow-a");
            await exceptions.ExpectValuesAsync("+14155551001", "+442079461003", "flow-a1@example.com", "flow-a2@example.com",
                "@flow-a.example.org", "flow-a3@example.com");
        });

    [Fact]
    public Task Select_several_and_remove_them_after_confirming_and_cancel_changes_nothing() =>
        browser.RunAsync(nameof(Select_several_and_remove_them_after_confirming_and_cancel_changes_nothing), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.ImportAsync("+1 415 555 2001;flow-b\n+1 415 555 2002;flow-b\n+1 415 555 2003;flow-b");
            await exceptions.FilterAsync(comment: "flow-b");
            await exceptions.ExpectValuesAsync("+14155552001", "+14155552002", "+14155552003");

            await exceptions.SelectAsync("+14155552001");
            await exceptions.SelectAsync("+14155552003");
            var removeSelected = page.GetByRole(AriaRole.Button, new() { Name = "Remove selected (2)" });
            await removeSelected.ClickAsync();
            await exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await exceptions.ExpectValuesAsync("+14155552001", "+14155552002", "+14155552003");

            await removeSelected.ClickAsync();
            await exceptions.ConfirmRemovalAsync();

            await exceptions.ExpectValuesAsync("+14155552002");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove selected (0)" })).ToBeDisabledAsync();
        });

    [Fact]
    public Task Upload_a_csv_file_and_export_the_list() =>
        browser.RunAsync(nameof(Upload_a_csv_file_and_export_the_list), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();

            await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload
            {
                Name = "flow-c.csv",
                MimeType = "text/csv",
                Buffer = Encoding.UTF8.GetBytes("+1 415 555 3001;flow-c =formula\nflow-c@example.com;flow-c\nbad;flow-c"),
            });
            // Choosing a file previews it; Import imports it.
            await page.GetByRole(AriaRole.Button, new() { Name = "Import 3 lines" }).ClickAsync();
            await exceptions.Report.WaitForAsync();
            Assert.Equal("2 added", await exceptions.CountAsync("added"));
            Assert.Equal("1 invalid", await exceptions.CountAsync("invalid"));

            await exceptions.FilterAsync(comment: "flow-c");
            await exceptions.ExpectValuesAsync("+14155553001", "flow-c@example.com");
            var download = await page.RunAndWaitForDownloadAsync(() => exceptions.ExportLink.ClickAsync());
            var csv = await File.ReadAllTextAsync(await download.PathAsync());

            Assert.Equal("type,value,comment,source,createdAt,createdBy,expiresAt", csv.TrimStart('\uFEFF').Split("\r\n")[0]);
            Assert.Equal(3, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("'+14155553001,flow-c =formula,Settings", csv);
        });

    [Fact]
    public Task I7_I12_a_windows_1251_upload_keeps_its_comments_says_how_it_was_read_and_downloads_its_full_report() =>
        browser.RunAsync(nameof(I7_I12_a_windows_1251_upload_keeps_its_comments_says_how_it_was_read_and_downloads_its_full_report), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();

            // As Excel or 1C on a Russian Windows saves it: no byte order mark, no charset declared.
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            await page.GetByLabel("Upload a .txt or .csv file").SetInputFilesAsync(new FilePayload
            {
                Name = "flow-1251.csv",
                MimeType = "text/csv",
                Buffer = Encoding.GetEncoding(1251).GetBytes("+7 495 123-45-67;спам звонки\r\nrassylka@example.com;спам рассылка\r\nплохая строка;спам\r\n"),
            });
            await Assertions.Expect(page.GetByTestId("preview-encoding")).ToContainTextAsync("windows-1251");
            await page.GetByRole(AriaRole.Button, new() { Name = "Import 3 lines" }).ClickAsync();
            await exceptions.Report.WaitForAsync();
            Assert.Equal("2 added", await exceptions.CountAsync("added"));
            Assert.Equal("1 invalid", await exceptions.CountAsync("invalid"));
            await Assertions.Expect(page.GetByTestId("assumed-encoding")).ToContainTextAsync("windows-1251");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download report (CSV)" }).ClickAsync());
            var report = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.Contains("плохая строка;спам", report);

            await exceptions.FilterAsync(comment: "спам звонки");
            await exceptions.ExpectValuesAsync("+74951234567");
        });

    [Fact]
    public Task An_import_clicked_twice_runs_once() =>
        browser.RunAsync(nameof(An_import_clicked_twice_runs_once), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();
            await exceptions.PasteBox.FillAsync("+1 415 555 9101;twice\n+1 415 555 9102;twice\n+1 415 555 9103;twice");
            var importsBefore = await ImportsAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).DblClickAsync();
            await exceptions.Report.WaitForAsync();
            await page.WaitForTimeoutAsync(500);

            Assert.Equal("3 added", await exceptions.CountAsync("added"));
            Assert.Equal("0 already listed", await exceptions.CountAsync("already-listed"));
            Assert.Equal(importsBefore + 1, await ImportsAsync());
        });

    private async Task<long> ImportsAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={browser.App.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM AuditEntries WHERE Action = 'ExceptionsImported'";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public Task A_100k_line_paste_completes_in_the_browser() =>
        browser.RunAsync(nameof(A_100k_line_paste_completes_in_the_browser), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            var text = BulkLines(100_000);
            Assert.True(Encoding.UTF8.GetByteCount(text) > 2_000_000, "the paste should be about 2.5 MB");

            var watch = Stopwatch.StartNew();
            await exceptions.PasteAsync(text);
            var pasted = watch.Elapsed;
            // Editing after the paste must not send the box's 2.5 MB to the server (it once did, on
            // every key press, and the circuit dropped): the box has no Blazor event handler at all.
            await page.Keyboard.PressAsync("Control+End");
            await page.Keyboard.TypeAsync("typo");
            for (var i = 0; i < 4; i++)
            {
                await page.Keyboard.PressAsync("Backspace");
            }

            await page.Keyboard.PressAsync("End");
            await exceptions.ClickImportAsync();
            // An import this size takes seconds in a browser (the paste travels in chunks first): a
            // person sees how far it has got, not a frozen page.
            await Assertions.Expect(exceptions.Progress).ToContainTextAsync(new Regex(@"Importing… [\d,]+ of 100,000 lines read"), new() { Timeout = 30_000 });
            await exceptions.Report.WaitForAsync(new() { Timeout = 180_000 });
            watch.Stop();
            await Assertions.Expect(exceptions.Progress).ToHaveCountAsync(0);

            Assert.Equal("100,000 added", await exceptions.CountAsync("added"));
            Assert.Equal("0 invalid", await exceptions.CountAsync("invalid"));
            Assert.Equal("100,000 lines read", await exceptions.CountAsync("lines"));
            await Assertions.Expect(exceptions.PasteBox).ToHaveValueAsync("");
            // Past 10,000 matches the list stops counting and says so, rather than show a made-up figure.
            await Assertions.Expect(page.GetByText(new Regex(@"^1–50 of more than 10,000$"))).ToBeVisibleAsync();
            output.WriteLine($"100,000-line paste ({Encoding.UTF8.GetByteCount(text):N0} bytes) pasted in {pasted.TotalSeconds:0.00} s, imported (Import click to report) in {(watch.Elapsed - pasted).TotalSeconds:0.00} s");
        });

    [Fact]
    public Task Ctrl_Enter_in_the_paste_box_imports() =>
        browser.RunAsync(nameof(Ctrl_Enter_in_the_paste_box_imports), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();
            await exceptions.PasteBox.FillAsync("+1 415 555 9201;flow-k\n+1 415 555 9202;flow-k");

            await exceptions.PasteBox.PressAsync("Control+Enter");

            await exceptions.Report.WaitForAsync();
            Assert.Equal("2 added", await exceptions.CountAsync("added"));
            Assert.Equal("2 lines read", await exceptions.CountAsync("lines"));
        });

    [Fact]
    public Task The_filter_is_in_the_address_so_reload_and_Back_keep_it_and_an_empty_result_offers_to_clear_it() =>
        browser.RunAsync(nameof(The_filter_is_in_the_address_so_reload_and_Back_keep_it_and_an_empty_result_offers_to_clear_it), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.ImportAsync("+1 415 555 9301;flow-q first\n+1 415 555 9302;flow-q second");

            await exceptions.FilterAsync(comment: "flow-q first");
            await exceptions.ExpectValuesAsync("+14155559301");
            Assert.Contains("comment=flow-q%20first", page.Url);

            await page.ReloadAsync();
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await exceptions.ExpectValuesAsync("+14155559301");
            await Assertions.Expect(page.GetByLabel("Comment contains")).ToHaveValueAsync("flow-q first");

            await exceptions.FilterAsync(comment: "flow-q nothing like this");
            await Assertions.Expect(page.GetByText("No entries match these filters.")).ToBeVisibleAsync();
            // An empty grid keeps readable column headers, none drawn over another.
            foreach (var header in new[] { "Type", "Phone or email", "Comment", "Added", "Blocked" })
            {
                await page.GetByRole(AriaRole.Columnheader, new() { Name = header }).ExpectSeenAsync($"the {header} column header of the empty list");
            }

            await page.GoBackAsync();
            await exceptions.ExpectValuesAsync("+14155559301");

            await exceptions.FilterAsync(comment: "flow-q nothing like this");
            await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
            await Assertions.Expect(page.GetByLabel("Comment contains")).ToHaveValueAsync("");
            await Assertions.Expect(exceptions.Row("+14155559302")).ToBeVisibleAsync();
            Assert.DoesNotContain("comment=", page.Url);
        });

    [Fact]
    public Task The_selection_is_shown_a_filter_change_clears_it_and_the_dialog_names_ten_values_and_the_count() =>
        browser.RunAsync(nameof(The_selection_is_shown_a_filter_change_clears_it_and_the_dialog_names_ten_values_and_the_count), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            var values = Enumerable.Range(0, 12).Select(i => $"+1415555{9400 + i}").ToList();
            await exceptions.ImportAsync(string.Join("\n", values.Select(v => v + ";flow-s")) + "\n+1 415 555 9499;flow-t");

            await exceptions.FilterAsync(comment: "flow-s");
            await exceptions.ExpectValuesAsync([.. values]);
            await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select all on this page" }).CheckAsync();
            await Assertions.Expect(page.GetByText("12 selected")).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Remove selected (12)" }).ClickAsync();
            await Assertions.Expect(exceptions.Dialog).ToContainTextAsync("Remove 12 entries?");
            await Assertions.Expect(exceptions.Dialog.GetByTestId("values-to-remove").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(10);
            await Assertions.Expect(exceptions.Dialog.GetByTestId("more-to-remove")).ToHaveTextAsync("… and 2 more entries.");
            await exceptions.Dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

            // Another filter: the 12 are no longer in sight, so they are no longer selected, and the page says so.
            await exceptions.FilterAsync(comment: "flow-t");
            await exceptions.ExpectValuesAsync("+14155559499");
            await Assertions.Expect(page.GetByText("The filter changed, so the 12 selected entries were unselected.")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove selected (0)" })).ToBeDisabledAsync();

            await exceptions.SelectAsync("+14155559499");
            await Assertions.Expect(page.GetByText("1 selected")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Clear selection" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove selected (0)" })).ToBeDisabledAsync();
        });

    [Fact]
    public Task An_international_domain_reads_in_Unicode_with_the_stored_form_in_its_title() =>
        browser.RunAsync(nameof(An_international_domain_reads_in_Unicode_with_the_stored_form_in_its_title), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.ImportAsync("flow-i@bücher.example;flow-i");

            await exceptions.FilterAsync(comment: "flow-i");
            await exceptions.ExpectValuesAsync("flow-i@bücher.example");
            await Assertions.Expect(exceptions.List.GetByTestId("entry-value")).ToHaveAttributeAsync("title", "flow-i@bücher.example (stored as flow-i@xn--bcher-kva.example)");
        });

    // Where a cell on a phone ends and how far the table has scrolled sideways: what shows in the first screen.
    private const string PlaceInRow = """
        el => {
          const table = el.closest('.mud-table-container');
          const menu = el.closest('tr').querySelector('td.crm-cell-menu');
          return [el.getBoundingClientRect().right, menu ? menu.getBoundingClientRect().left : innerWidth, table.scrollLeft];
        }
        """;

    [Fact]
    public Task On_a_phone_another_page_begins_in_sight_at_its_first_column_is_announced_and_keeps_the_pagers_focus() =>
        browser.RunAsAsync(nameof(On_a_phone_another_page_begins_in_sight_at_its_first_column_is_announced_and_keeps_the_pagers_focus),
            BrowserFixture.Supervisor, new Viewport(390, 844), async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            // 160 entries: pages of 50 as long as the first (so the browser cannot keep the pager in sight by showing a whole page).
            var values = Enumerable.Range(0, 160).Select(i => $"+1415555{7600 + i}").ToList();
            await exceptions.ImportAsync(string.Join("\n", values.Select(v => v + ";flow-pages")));
            await exceptions.FilterAsync(comment: "flow-pages");
            await Assertions.Expect(exceptions.Rows).ToHaveCountAsync(50);
            var pager = page.GetByTestId("grid-pager");
            var next = pager.GetByRole(AriaRole.Button, new() { Name = "Next page" });
            var table = page.Locator(".crm-exceptions .mud-table-container");
            var shown = page.GetByTestId("page-shown");

            // The list's top (its selection bar) just under the app bar, and the table at its first column.
            async Task ExpectListTopInSightAsync(string newestOnPage)
            {
                await Assertions.Expect(exceptions.Row(newestOnPage)).ToBeInViewportAsync();
                var place = await exceptions.List.EvaluateAsync<double[]>(
                    "el => [el.closest('.crm-exceptions').getBoundingClientRect().top, document.querySelector('.mud-appbar').getBoundingClientRect().bottom, el.closest('.mud-table-container').scrollLeft]");
                Assert.InRange(place[0], place[1], place[1] + 100);
                Assert.Equal(0, place[2]);
            }

            // With the mouse, the table swiped sideways to its Added column first.
            await table.EvaluateAsync("el => el.scrollLeft = 200");
            await next.ScrollIntoViewIfNeededAsync();
            Assert.True(await exceptions.List.EvaluateAsync<double>("el => el.getBoundingClientRect().top") < 0, "The pager is a screen or more below the list's top.");
            await next.ClickAsync();
            await ExpectListTopInSightAsync(values[109]);
            await Assertions.Expect(shown).ToHaveTextAsync("Rows 51–100 of 160 shown.");

            // With the keyboard: Enter on Next, and Enter again, the pager's button keeping the focus while the page loads.
            await next.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await ExpectListTopInSightAsync(values[59]);
            await Assertions.Expect(next).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Enter");
            await ExpectListTopInSightAsync(values[9]);
            await Assertions.Expect(shown).ToHaveTextAsync("Rows 151–160 of 160 shown.");
            // At the list's end Next is disabled: the focus stays in the pager, on its first enabled button.
            await Assertions.Expect(next).ToBeDisabledAsync();
            await Assertions.Expect(pager.GetByRole(AriaRole.Button, new() { Name = "First page" })).ToBeFocusedAsync();

            // First page, where First is disabled in turn: the focus on Next. Three quick presses there, none waiting for its page, go
            // three pages on (the pager is not disabled while a page loads, which dropped the focus and the presses with it).
            await page.Keyboard.PressAsync("Enter");
            await ExpectListTopInSightAsync(values[159]);
            await Assertions.Expect(next).ToBeFocusedAsync();
            for (var press = 0; press < 3; press++)
            {
                await page.Keyboard.PressAsync("Enter");
            }

            await Assertions.Expect(shown).ToHaveTextAsync("Rows 151–160 of 160 shown.");
            await Assertions.Expect(exceptions.Rows).ToHaveCountAsync(10);

            // More rows per page, chosen at the pager: the first page of 100, from its top.
            await next.ScrollIntoViewIfNeededAsync();
            await pager.Locator(".mud-table-pagination-select").ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = "100", Exact = true }).ClickAsync();
            await Assertions.Expect(exceptions.Rows).ToHaveCountAsync(100);
            await ExpectListTopInSightAsync(values[159]);
            await Assertions.Expect(shown).ToHaveTextAsync("Rows 1–100 of 160 shown.");

            // Back to 50 rows with the keyboard: the list changes, and the focus stays on the rows-per-page box.
            var size = pager.GetByRole(AriaRole.Combobox);
            await size.FocusAsync();
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.GetByRole(AriaRole.Option, new() { Name = "50", Exact = true })).ToBeVisibleAsync();
            await page.Keyboard.PressAsync("ArrowUp");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(shown).ToHaveTextAsync("Rows 1–50 of 160 shown.");
            await Assertions.Expect(exceptions.Rows).ToHaveCountAsync(50);
            await Assertions.Expect(size).ToBeFocusedAsync();
        });

    [Fact]
    public Task On_a_phone_an_entry_reads_whole_in_the_first_screen_and_on_a_laptop_who_added_it_and_from_where() =>
        browser.RunAsAsync(nameof(On_a_phone_an_entry_reads_whole_in_the_first_screen_and_on_a_laptop_who_added_it_and_from_where),
            BrowserFixture.Supervisor, new Viewport(390, 844), async page =>
        {
            const string value = "reception.front-desk@switchboard.flow-narrow.example";
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.ImportAsync($"{value};flow-narrow a robocaller that rings every weekday morning\n4155550198;flow-narrow no plus");

            // The report's reason for a line not added reads in the screen's width, not in a column off its edge.
            var reason = exceptions.Report.GetByTestId("problem-reason");
            await Assertions.Expect(reason).ToContainTextAsync("must start with + and a country code");
            var reasonPlace = await reason.EvaluateAsync<double[]>(
                "el => [el.getBoundingClientRect().left, el.getBoundingClientRect().right, innerWidth, el.closest('.mud-table-container').scrollLeft]");
            Assert.True(reasonPlace[0] >= 0 && reasonPlace[1] <= reasonPlace[2] && reasonPlace[3] == 0,
                $"the reason spans {reasonPlace[0]}–{reasonPlace[1]} px of a {reasonPlace[2]} px screen (report scrolled {reasonPlace[3]} px)");
            await reason.ExpectSeenWholeAsync("the reason the line was not added");

            await exceptions.FilterAsync(comment: "flow-narrow");
            await exceptions.ExpectValuesAsync(value);

            // The value, its type and its comment, before any sideways swipe: whole (the value wraps) and
            // clear of the row's actions fixed at the right edge.
            var row = exceptions.Row(value);
            await Assertions.Expect(page.GetByTestId("swipe-hint")).ToBeVisibleAsync();
            await Assertions.Expect(exceptions.List.GetByRole(AriaRole.Columnheader, new() { Name = "Comment" })).ToBeHiddenAsync();
            foreach (var (testId, what) in new[] { ("entry-value", "value"), ("entry-type-narrow", "type"), ("entry-comment-narrow", "comment") })
            {
                var cell = row.GetByTestId(testId);
                await Assertions.Expect(cell).ToBeVisibleAsync();
                var place = await cell.EvaluateAsync<double[]>(PlaceInRow);
                Assert.True(place[2] == 0 && place[0] <= place[1] + 0.5,
                    $"the {what} ends at {place[0]} px, past the row's actions at {place[1]} px (table scrolled {place[2]} px)");
            }

            await row.GetByTestId("entry-value").ExpectSeenWholeAsync("the value");
            await row.GetByTestId("entry-type-narrow").ExpectSeenWholeAsync("the type");
            await Assertions.Expect(row.GetByTestId("entry-type-narrow")).ToHaveTextAsync("Email");
            await Assertions.Expect(row.GetByTestId("entry-comment-narrow")).ToHaveTextAsync("flow-narrow a robocaller that rings every weekday morning");

            // On a tablet the whole row fits: no swipe, the type and comment still under the value.
            await page.SetViewportSizeAsync(768, 1024);
            await Assertions.Expect(page.GetByTestId("swipe-hint")).ToBeHiddenAsync();
            await Assertions.Expect(row.GetByTestId("entry-comment-narrow")).ToBeVisibleAsync();
            var fits = await exceptions.List.EvaluateAsync<double[]>("t => [t.closest('.mud-table-container').scrollWidth, t.closest('.mud-table-container').clientWidth]");
            Assert.True(fits[0] <= fits[1] + 1, $"at 768 px the table needs {fits[0]} px and has {fits[1]} px");

            // On a laptop the same row says who added it and from where, whole, and the long value wraps rather than being cut.
            await page.SetViewportSizeAsync(1280, 800);
            await row.GetByTestId("entry-value").ExpectSeenWholeAsync("the long value at 1280 px");
            var addedBy = row.GetByTestId("entry-added-by");
            await Assertions.Expect(addedBy).ToHaveTextAsync($"{BrowserFixture.Supervisor} · CRM settings");
            await addedBy.ExpectSeenWholeAsync("who added the entry and from where");
            await Assertions.Expect(page.GetByTestId("swipe-hint")).ToBeHiddenAsync();
            await Assertions.Expect(row.GetByTestId("entry-comment")).ToBeVisibleAsync();
        });

    /// <summary>Half phones in varied international spellings, half emails, each with a comment.</summary>
    public static string BulkLines(int count)
    {
        var text = new StringBuilder(count * 30);
        for (var i = 0; i < count; i++)
        {
            var n = 1_000_000 + i;
            _ = (i % 4) switch
            {
                0 => text.Append($"+1 646 {n / 10000 % 1000:000} {n % 10000:0000};bulk phone {i}\n"),
                1 => text.Append($"001 (332) {n / 10000 % 1000:000}-{n % 10000:0000};bulk phone {i}\n"),
                2 => text.Append($"bulk.user{i}@example.com;bulk email {i}\n"),
                _ => text.Append($"Bulk.Person{i}@Example.ORG;bulk email {i}\n"),
            };
        }

        return text.ToString();
    }
}
