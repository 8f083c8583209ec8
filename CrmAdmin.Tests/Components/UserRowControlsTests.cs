using Bunit;
using CrmAdmin.Features.Access;
using MudBlazor;
using MudBlazor.Extensions;

namespace CrmAdmin.Tests.Components;

/// <summary>One user's role select and actions on the Users page (issue 13, item 3).</summary>
public sealed class UserRowControlsTests : MudTestContext
{
    private static readonly UserRow Me = new("me", "admin@test.local", "Administrator", false, null);
    private static readonly UserRow Other = new("other", "viewer@test.local", "Viewer", false, null);
    private readonly List<(string User, string Role)> roleChanges = [];
    private bool refuseRoleChanges;

    private IRenderedComponent<UserRowControls> RenderRow(UserRow user, bool isSelf) => Render<UserRowControls>(p => p
        .Add(c => c.User, user)
        .Add(c => c.RoleNames, ["Administrator", "Supervisor", "Viewer"])
        .Add(c => c.IsSelf, isSelf)
        .Add(c => c.ChangeRole, (u, role) =>
        {
            roleChanges.Add((u.Email, role));
            return Task.FromResult(!refuseRoleChanges);
        })
        .Add(c => c.SetLocked, (_, _) => Task.CompletedTask)
        .Add(c => c.ResetPassword, _ => Task.CompletedTask)
        .Add(c => c.Delete, _ => Task.CompletedTask));

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<UserRowControls> row, string name) =>
        row.FindAll("button").Single(b => b.GetAttribute("aria-label") == name);

    [Fact]
    public void The_own_row_cannot_demote_lock_or_delete_and_says_why()
    {
        var row = RenderRow(Me, isSelf: true);

        var reason = row.Find("[data-testid=self-reason]");
        Assert.Contains("Only another administrator can change your role or lock you", reason.TextContent);
        Assert.True(row.FindComponent<MudSelect<string>>().Instance.Disabled);
        Assert.All([Button(row, "Lock admin@test.local"), Button(row, "Delete admin@test.local")], b =>
        {
            Assert.True(b.HasAttribute("disabled"));
            Assert.Equal(reason.Id, b.GetAttribute("aria-describedby"));
        });
        Assert.False(Button(row, "Reset password of admin@test.local").HasAttribute("disabled"));
    }

    [Fact]
    public void Another_users_row_offers_every_control()
    {
        var row = RenderRow(Other, isSelf: false);

        Assert.Empty(row.FindAll("[data-testid=self-reason]"));
        Assert.False(row.FindComponent<MudSelect<string>>().Instance.Disabled);
        Assert.All(row.FindAll("button"), b => Assert.False(b.HasAttribute("disabled")));
    }

    [Theory]
    [InlineData("Cancel", false, "Viewer", 0)]
    [InlineData("Change role", true, "Viewer", 1)]
    [InlineData("Change role", false, "Supervisor", 1)]
    public async Task A_role_change_is_asked_first_and_Cancel_or_a_refusal_shows_the_role_that_stands(
        string answer, bool refused, string shownAfter, int changesApplied)
    {
        refuseRoleChanges = refused;
        var host = RenderProviders();
        var row = RenderRow(Other, isSelf: false);
        var select = row.FindComponent<MudSelect<string>>();

        // What clicking the option does; the question stays open until answered, so this is awaited after the answer.
        var choosing = row.InvokeAsync(() => select.Instance.SelectOption("Supervisor"));
        host.WaitForAssertion(() => Assert.Contains("Make viewer@test.local Supervisor?", host.Markup));
        Assert.Equal("Supervisor", select.Instance.GetState(x => x.Value));
        host.FindAll("button").Single(b => b.TextContent.Trim() == answer).Click();
        await choosing;

        row.WaitForAssertion(() => Assert.Equal(shownAfter, select.Instance.GetState(x => x.Value)));
        Assert.Equal(changesApplied, roleChanges.Count);
        Assert.All(roleChanges, c => Assert.Equal(("viewer@test.local", "Supervisor"), c));
    }
}
