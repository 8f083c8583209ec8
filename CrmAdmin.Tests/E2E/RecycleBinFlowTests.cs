using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

[Collection(BrowserCollection.Name)]
public sealed class RecycleBinFlowTests(BrowserFixture browser)
{
    [Fact]
    public Task Add_a_lead_to_exceptions_then_restore_it_and_both_are_back_as_they_were() =>
        browser.RunAsync(nameof(Add_a_lead_to_exceptions_then_restore_it_and_both_are_back_as_they_were), async page =>
        {
            using var api = await browser.App.CreateAdminClientAsync();
            var contact = await (await api.PostAsJsonAsync("/api/contacts", new { name = "Flow-E Caller", phones = new[] { "+1 646 555 8001" } }))
                .Content.ReadFromJsonAsync<JsonElement>();
            var lead = (await (await api.PostAsJsonAsync("/api/leads", new { title = "Flow-E robocall", phones = new[] { "+1 646 555 8002" }, contactId = contact.GetProperty("id").GetInt64() }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

            await page.GotoAsync($"/crm/leads/{lead}");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Lead actions" }).ClickAsync();
            await page.GetByRole(AriaRole.Menuitem, new() { Name = "Add to exceptions" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Entries to add" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
            await Assertions.Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Moved to the Recycle bin" })).ToContainTextAsync("Contact: Flow-E Caller");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Add to exceptions" }).ClickAsync();

            await page.WaitForURLAsync("**/crm/leads");
            Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/leads/{lead}")).StatusCode);
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.FilterAsync(value: "646 555 800");
            await exceptions.ExpectValuesAsync("+16465558001", "+16465558002");

            await page.GotoAsync("/crm/recycle-bin");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Restore Flow-E robocall" }).ClickAsync();
            await Assertions.Expect(dialog.GetByRole(AriaRole.Checkbox)).ToBeCheckedAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Restore" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restore Flow-E robocall" })).ToHaveCountAsync(0);

            await page.GotoAsync($"/crm/leads/{lead}");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Flow-E robocall" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-field=phones]")).ToHaveTextAsync("+16465558002");
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/contacts/{contact.GetProperty("id").GetInt64()}")).StatusCode);
            var listed = await api.GetFromJsonAsync<JsonElement>("/api/exceptions?value=646%20555%20800");
            Assert.Equal(0, listed.GetProperty("total").GetInt32());
        });
}
