using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>
/// Issue 13's administration flows as a person does them, on a phone and a laptop: reset a password
/// and copy it, change a role with its confirmation, delete a telephony line with its confirmation.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminFlowTests(BrowserFixture browser)
{
    public static TheoryData<int, int> Sizes() => new() { { 390, 844 }, { 1280, 800 } };

    private async Task<string> NewUserAsync(string name, Viewport viewport)
    {
        var email = $"{name}-{viewport.Width}@test.local";
        await browser.App.CreateUserAsync(email, Roles.Viewer);
        return email;
    }

    private static async Task OpenAsync(IPage page, string route)
    {
        await page.GotoAsync(route);
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }

    // MudForm renders a <form> of its own: a submit button in it (or a form around it) reloaded the page and created nothing.
    [Theory]
    [InlineData(390, 844, false)]
    [InlineData(1280, 800, true)]
    public Task Create_a_user_on_the_page_by_the_button_or_Enter_and_they_sign_in(int width, int height, bool byEnter)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"admin-create-user-{viewport}", CrmAdminFactory.AdminEmail, viewport, async page =>
        {
            var email = $"flow-created-{width}@test.local";
            await OpenAsync(page, "/crm/settings/users");
            var url = page.Url;

            await page.GetByLabel("Email of the new user").FillAsync(email);
            var password = page.GetByLabel("Password of the new user");
            await password.FillAsync(CrmAdminFactory.UserPassword);
            await (byEnter ? password.PressAsync("Enter") : page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync());

            await Assertions.Expect(page.GetByText($"User {email} created with the role Viewer.")).ToBeVisibleAsync();
            await page.Locator($"[data-user='{email}']").ExpectSeenAsync($"the new user's row ({viewport})");
            Assert.Equal(url, page.Url);
            // The emptied form is ready for the next user, not telling the person off for boxes they have not filled yet.
            await Assertions.Expect(page.GetByLabel("Email of the new user")).ToHaveValueAsync("");
            await Assertions.Expect(page.GetByText("Give the user's email address.")).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByText("Give the user a first password.")).ToHaveCountAsync(0);
            Assert.NotEqual("", await browser.App.TokenAsync(email, CrmAdminFactory.UserPassword));
        });
    }

    [Fact]
    public Task Add_a_role_on_the_permissions_page_by_Enter() =>
        browser.RunAsync(nameof(Add_a_role_on_the_permissions_page_by_Enter), async page =>
        {
            await OpenAsync(page, "/crm/settings/access-permissions");
            var url = page.Url;

            var name = page.GetByLabel("New role name");
            await name.FillAsync("Flow auditors");
            await name.PressAsync("Enter");

            await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("Flow auditors");
            Assert.Equal(url, page.Url);
            await Assertions.Expect(name).ToHaveValueAsync("");
            await Assertions.Expect(page.GetByText("Give the role a name.")).ToHaveCountAsync(0);
        });

    [Theory]
    [MemberData(nameof(Sizes))]
    public Task Reset_a_password_copy_it_and_it_signs_in(int width, int height)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"admin-reset-password-{viewport}", CrmAdminFactory.AdminEmail, viewport, async page =>
        {
            var email = await NewUserAsync("flow-reset", viewport);
            await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = browser.BaseUrl });
            await OpenAsync(page, "/crm/settings/users");

            await page.GetByRole(AriaRole.Button, new() { Name = $"Reset password of {email}" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();

            var box = page.GetByRole(AriaRole.Region, new() { Name = "New password" });
            var password = box.GetByTestId("issued-password");
            await password.ExpectSeenAsync($"the new password ({viewport})");
            await box.GetByText("shown only this once").ExpectSeenAsync($"the shown-once note ({viewport})");
            await Accessibility.ExpectNoSeriousViolationsAsync(page, $"users with a new password at {viewport}");
            await box.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
            await Assertions.Expect(page.GetByText("Password copied.")).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, "users-password-copied", Roles.Administrator, viewport);

            var shown = (await password.TextContentAsync())!.Trim();
            Assert.Equal(shown, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
            Assert.NotEqual("", await browser.App.TokenAsync(email, shown));
        });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public Task A_role_change_is_asked_first_Cancel_keeps_the_role_and_Change_role_applies_it(int width, int height)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"admin-role-change-{viewport}", CrmAdminFactory.AdminEmail, viewport, async page =>
        {
            var email = await NewUserAsync("flow-role", viewport);
            await OpenAsync(page, "/crm/settings/users");
            var role = page.GetByRole(AriaRole.Combobox, new() { Name = $"Role of {email}" });
            var dialog = page.GetByRole(AriaRole.Dialog);

            // The administrator's own row: nothing to demote or lock, and the reason in sight.
            await page.GetByText("This is you. Only another administrator can change your role or lock you.").ExpectSeenAsync($"why the own row is fixed ({viewport})");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Lock {CrmAdminFactory.AdminEmail}" })).ToBeDisabledAsync();

            await role.ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = Roles.Supervisor, Exact = true }).ClickAsync();
            await Assertions.Expect(dialog).ToContainTextAsync($"Make {email} Supervisor?");
            await Screenshots.SaveAsync(page, "users-confirm-role", Roles.Administrator, viewport);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
            await Assertions.Expect(dialog).ToHaveCountAsync(0);
            await Assertions.Expect(role).ToHaveTextAsync(Roles.Viewer);

            await role.ClickAsync();
            await page.GetByRole(AriaRole.Option, new() { Name = Roles.Supervisor, Exact = true }).ClickAsync();
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Change role" }).ClickAsync();
            await Assertions.Expect(page.GetByText($"{email} is now Supervisor.")).ToBeVisibleAsync();
            await Assertions.Expect(role).ToHaveTextAsync(Roles.Supervisor);

            using var api = await browser.App.CreateAdminClientAsync();
            var users = await api.GetFromJsonAsync<JsonElement>("/api/users");
            Assert.Equal(Roles.Supervisor, users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == email).GetProperty("role").GetString());
        });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public Task A_line_is_created_and_changed_through_the_form_and_a_bad_number_is_said_in_words(int width, int height)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"admin-line-save-{viewport}", CrmAdminFactory.AdminEmail, viewport, async page =>
        {
            var name = $"Form line {viewport}";
            await OpenAsync(page, "/telephony/lines");
            await page.GetByRole(AriaRole.Button, new() { Name = "New line" }).ClickAsync();
            var form = page.GetByRole(AriaRole.Region, new() { Name = "New line" });
            await form.GetByRole(AriaRole.Textbox, new() { Name = "Number" }).FillAsync("0800 123");
            await form.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync(name);
            await form.GetByRole(AriaRole.Button, new() { Name = "Save line" }).ClickAsync();
            // The form stays, with the reason, and what was typed is still there (it once posted the page and lost it).
            await Assertions.Expect(form).ToContainTextAsync("Not a phone number");
            await Assertions.Expect(form.GetByRole(AriaRole.Textbox, new() { Name = "Name" })).ToHaveValueAsync(name);

            await form.GetByRole(AriaRole.Textbox, new() { Name = "Number" }).FillAsync($"+44 20 7946 {width:0000}");
            await form.GetByRole(AriaRole.Button, new() { Name = "Save line" }).DblClickAsync();
            await Assertions.Expect(page.GetByText($"Line {name} (+44207946{width:0000}) saved.")).ToBeVisibleAsync();
            var changed = page.GetByRole(AriaRole.Region, new() { Name = $"Line {name}" });
            await changed.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).FillAsync(name + " 2");
            await changed.GetByRole(AriaRole.Textbox, new() { Name = "Name" }).PressAsync("Enter");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Open line {name} 2" })).ToBeVisibleAsync();

            using var api = await browser.App.CreateAdminClientAsync();
            var lines = await api.GetFromJsonAsync<JsonElement>("/api/telephony/lines");
            // A double click saved once.
            Assert.Single(lines.EnumerateArray(), l => l.GetProperty("number").GetString() == $"+44207946{width:0000}");
        });
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public Task Delete_a_line_after_confirming_and_its_past_call_stays_on_the_lead(int width, int height)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"admin-line-delete-{viewport}", CrmAdminFactory.AdminEmail, viewport, async page =>
        {
            using var api = await browser.App.CreateAdminClientAsync();
            var name = $"Flow line {viewport}";
            var line = await (await api.PostAsJsonAsync("/api/telephony/lines", new { number = $"+1 212 555 {width:0000}", name }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var lineId = line.GetProperty("id").GetInt64();
            var call = await (await api.PostAsJsonAsync("/api/routing/call", new { lineId, direction = "Incoming", number = $"+1 718 555 {width:0000}", dryRun = false }))
                .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
            var leadId = call.GetProperty("created")[0].GetProperty("id").GetInt64();

            await OpenAsync(page, "/telephony/lines");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Open line {name}" }).ClickAsync();
            var form = page.GetByRole(AriaRole.Region, new() { Name = $"Line {name}" });
            await form.GetByRole(AriaRole.Group, new() { Name = "Incoming calls" }).GetByText("Create leads or deals for new numbers").ExpectSeenAsync($"the incoming create option ({viewport})");
            await Screenshots.SaveAsync(page, "telephony-line-form", Roles.Administrator, viewport);
            await form.GetByRole(AriaRole.Button, new() { Name = "Delete line" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Assertions.Expect(dialog).ToContainTextAsync($"Delete the line {name}");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete line" }).ClickAsync();

            await Assertions.Expect(page.GetByText($"Line {name} (")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Open line {name}" })).ToHaveCountAsync(0);
            Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/api/telephony/lines/{lineId}")).StatusCode);

            await OpenAsync(page, $"/crm/leads/{leadId}");
            await page.GetByText($"on {name}").First.ExpectSeenAsync($"the deleted line's past call on the lead ({viewport})");
        });
    }
}
