using AngleSharp.Dom;
using Bunit;
using CrmAdmin.Data;
using CrmAdmin.Features.Access;
using CrmAdmin.Features.Crm;
using CrmAdmin.Features.Exceptions;
using CrmAdmin.Tests.Features;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmAdmin.Tests.Components;

/// <summary>The exceptions page over a real (empty) database whose first query waits until the test lets it through.</summary>
public sealed class ExceptionsPageTests : MudTestContext
{
    private TestDatabase database = default!;
    private readonly GatedFactory gated = new();

    public override async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        gated.Inner = database;
        AddAuthorization().SetAuthorized("viewer@test.local").SetPolicies(Policies.ViewExceptions);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(sp => new CrmAuthorizer(sp.GetRequiredService<IAuthorizationService>()));
        Services.AddSingleton(sp => new ExceptionListService(gated, new CrmAdmin.Data.Sqlite.SqliteExceptionEntryWriters(), new CrmAdmin.Data.Sqlite.SqliteExceptionSearch(),
            sp.GetRequiredService<CrmAuthorizer>(), TimeProvider.System, NullLogger<ExceptionListService>.Instance));
        Services.AddSingleton(sp => new CrmSettingsService(database, sp.GetRequiredService<CrmAuthorizer>(), TimeProvider.System));
        Services.AddSingleton(sp => new ExceptionImportHistoryService(database, sp.GetRequiredService<CrmAuthorizer>(), TimeProvider.System,
            NullLogger<ExceptionImportHistoryService>.Instance));
        Services.AddScoped<ImportUndoPrompt>();
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public override async Task DisposeAsync()
    {
        gated.Open();
        await base.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public void While_the_first_page_loads_the_grid_says_loading_and_the_pager_claims_no_count_then_the_empty_state_follows()
    {
        var page = Render<ExceptionsPage>();

        page.WaitForAssertion(() => Assert.True(gated.Waiting));
        Assert.Equal("Loading entries…", page.Find("[data-testid=list-loading]").TextContent.Trim());
        Assert.Equal("status", page.Find("[data-testid=list-loading]").GetAttribute("role"));
        Assert.Empty(page.FindAll("[data-testid=empty-list]"));
        Assert.DoesNotContain("0–0 of 0", page.Markup);
        Assert.Contains("Loading…", page.Find("[data-testid=grid-pager]").TextContent);

        gated.Open();

        page.WaitForAssertion(() => Assert.Contains("No entries yet.", page.Find("[data-testid=empty-list]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=list-loading]"));
        Assert.Contains("0–0 of 0", page.Markup);
    }

    [Fact]
    public async Task X5_past_the_count_limit_the_pager_pages_on_to_the_last_match_and_a_new_sort_starts_at_the_first_page()
    {
        await database.ExecuteAsync($"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ExceptionListService.CountLimit + 60})
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
            SELECT 'Email', 'bulk' || i || '@example.com', 'Bulk list', 'bulk list', 'Api', '2026-11-22 09:30:00', 'test', 0 FROM n;
            """);
        gated.Open();
        var page = Render<ExceptionsPage>();
        string Pager() => page.Find("[data-testid=grid-pager]").TextContent;
        IElement Button(string label) => page.Find($"[data-testid=grid-pager] button[aria-label='{label}']");
        page.WaitForAssertion(() => Assert.Contains("1–50 of more than 10,000", Pager()));

        // "Last" goes as far as is known: the page after the count's limit.
        await page.InvokeAsync(() => Button("Last page").Click());
        page.WaitForAssertion(() => Assert.Contains("10,001–10,050 of more than 10,050", Pager()));
        Assert.False(Button("Next page").HasAttribute("disabled"));

        await page.InvokeAsync(() => Button("Next page").Click());
        // The last page is not full: its end is the exact count, and there is no next page.
        page.WaitForAssertion(() => Assert.Contains("10,051–10,060 of 10,060", Pager()));
        Assert.True(Button("Next page").HasAttribute("disabled"));
        Assert.Equal("bulk1@example.com", page.FindAll("[data-testid=entry-value]")[^1].TextContent.Trim());

        await page.InvokeAsync(() => page.FindAll(".mud-table-sort-label, .sortable-column-header").First().Click());
        page.WaitForAssertion(() => Assert.Contains("1–50 of more than 10,000", Pager()));
    }

    [Fact]
    public async Task While_the_next_page_loads_the_last_answers_rows_are_marked_stale_and_then_the_new_rows_are_not()
    {
        await database.ExecuteAsync("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3)
            INSERT INTO "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount")
            SELECT 'Email', 'stale' || i || '@example.com', 'Stale list', 'stale list', 'Api', '2026-11-22 09:30:00', 'test', 0 FROM n;
            """);
        gated.Open();
        var page = Render<ExceptionsPage>();
        IReadOnlyList<IElement> Rows() => page.FindAll("tr:has([data-testid=entry-value])");
        page.WaitForAssertion(() => Assert.Equal(3, Rows().Count));
        Assert.All(Rows(), r => Assert.DoesNotContain("crm-stale-row", r.ClassName ?? ""));

        // A new sort asks for the page again; the database holds the answer back.
        gated.Close();
        await page.InvokeAsync(() => page.FindAll(".mud-table-sort-label, .sortable-column-header").First().Click());
        page.WaitForAssertion(() => Assert.True(gated.Waiting));
        page.WaitForAssertion(() => Assert.All(Rows(), r => Assert.Contains("crm-stale-row", r.ClassName ?? "")));
        Assert.Contains("Loading…", page.Find("[data-testid=grid-pager]").TextContent);

        gated.Open();
        page.WaitForAssertion(() => Assert.Contains("1–3 of 3", page.Find("[data-testid=grid-pager]").TextContent));
        Assert.All(Rows(), r => Assert.DoesNotContain("crm-stale-row", r.ClassName ?? ""));
    }

    /// <summary>Hands out the database's contexts only once opened, so the page can be seen mid-load.</summary>
    private sealed class GatedFactory : IDbContextFactory<CrmDbContext>
    {
        private TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDbContextFactory<CrmDbContext> Inner { get; set; } = default!;

        public bool Waiting { get; private set; }

        public void Open() => gate.TrySetResult();

        /// <summary>Holds the next contexts back again, until <see cref="Open"/>.</summary>
        public void Close() => gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CrmDbContext CreateDbContext() => Inner.CreateDbContext();

        public async Task<CrmDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            Waiting = !gate.Task.IsCompleted;
            await gate.Task.WaitAsync(cancellationToken);
            return Inner.CreateDbContext();
        }
    }
}
