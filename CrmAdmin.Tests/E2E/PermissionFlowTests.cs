using System.Net.Http.Json;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

[Collection(BrowserCollection.Name)]
public sealed class PermissionFlowTests(BrowserFixture browser)
{
    private static ILocator AddToList(IPage page) => page.GetByRole(AriaRole.Button, new() { Name = "Add to list" });

    [Fact]
    public Task A_viewer_sees_the_list_without_edit_controls_and_typed_urls_or_crafted_requests_are_refused() =>
        browser.RunAsAsync(nameof(A_viewer_sees_the_list_without_edit_controls_and_typed_urls_or_crafted_requests_are_refused), BrowserFixture.Viewer, async page =>
        {
            using (var admin = await browser.App.CreateAdminClientAsync())
            {
                await admin.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 4001;perm-a", System.Text.Encoding.UTF8, "text/plain"));
            }

            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.FilterAsync(comment: "perm-a");
            await exceptions.ExpectValuesAsync("+14155554001");

            await Assertions.Expect(AddToList(page)).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove selected" })).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Actions for +14155554001" })).ToHaveCountAsync(0);
            await Assertions.Expect(exceptions.ExportLink).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("Users", new() { Exact = true })).ToHaveCountAsync(0);

            await page.GotoAsync("/crm/settings/users");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
            Assert.Contains("/Account/AccessDenied", page.Url);

            var status = await page.EvaluateAsync<int>("""
                async () => (await fetch('/api/exceptions/import', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '+1 415 555 4002;crafted' })).status
                """);
            Assert.Equal(403, status);
            var deleteStatus = await page.EvaluateAsync<int>("async () => (await fetch('/api/exceptions/1', { method: 'DELETE' })).status");
            Assert.Equal(403, deleteStatus);
            using var check = await browser.App.CreateAdminClientAsync();
            var listed = await check.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/exceptions?comment=crafted");
            Assert.Equal(0, listed.GetProperty("total").GetInt32());
        });

    [Fact]
    public Task A_supervisor_imports() =>
        browser.RunAsAsync(nameof(A_supervisor_imports), BrowserFixture.Supervisor, async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();

            await exceptions.ImportAsync("+1 415 555 5001;perm-b\nperm-b@example.com;perm-b");

            Assert.Equal("2 added", await exceptions.CountAsync("added"));
            await exceptions.FilterAsync(comment: "perm-b");
            await exceptions.ExpectValuesAsync("+14155555001", "perm-b@example.com");
            var addedBy = await exceptions.Rows.First.TextContentAsync();
            Assert.Contains(BrowserFixture.Supervisor, addedBy);
        });

    [Fact]
    public async Task An_administrator_raises_the_viewer_to_Edit_and_the_viewers_open_page_can_then_import()
    {
        var viewer = await browser.NewSignedInPageAsync(BrowserFixture.Viewer);
        var admin = await browser.NewSignedInPageAsync(CrmAdminFactory.AdminEmail);
        try
        {
            var viewerExceptions = new ExceptionsPageObject(viewer);
            await viewerExceptions.OpenAsync();
            await Assertions.Expect(AddToList(viewer)).ToHaveCountAsync(0);

            await admin.GetByText("CRM access permissions").ClickAsync();
            await admin.GetByLabel("Exceptions level for Viewer").ClickAsync();
            await admin.GetByRole(AriaRole.Option, new() { Name = "Edit", Exact = true }).ClickAsync();
            await admin.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            await Assertions.Expect(admin.GetByText("Permissions saved")).ToBeVisibleAsync();

            // No reload and no new sign-in: the open page re-checks access by itself.
            await Assertions.Expect(AddToList(viewer)).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await viewerExceptions.ImportAsync("+1 415 555 6001;perm-c");
            Assert.Equal("1 added", await viewerExceptions.CountAsync("added"));
        }
        catch
        {
            await BrowserFixture.KeepScreenshotAsync(viewer, "raise-viewer-viewer");
            await BrowserFixture.KeepScreenshotAsync(admin, "raise-viewer-admin");
            throw;
        }
        finally
        {
            using var api = await browser.App.CreateAdminClientAsync();
            await api.PutAsJsonAsync("/api/permissions", new[] { new { role = "Viewer", exceptions = "View" } });
            await viewer.Context.CloseAsync();
            await admin.Context.CloseAsync();
        }
    }
}
