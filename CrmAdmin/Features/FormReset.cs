using MudBlazor;

namespace CrmAdmin.Features;

/// <summary>What a page does with a <see cref="MudForm"/> once what it asked for is done and its values are emptied in code.</summary>
public static class FormReset
{
    /// <summary>
    /// Renders the emptied values (<paramref name="render"/>: the page's StateHasChanged), then clears the errors the
    /// fields gave as those values arrived ("Give the user's email address."): MudBlazor validates a required field
    /// whose value changes, so resetting before the render left the form telling the person off for boxes they had
    /// not filled yet. Used after Create user and Add role.
    /// </summary>
    public static async Task ReadyForNextAsync(this MudForm form, Action render)
    {
        render();
        await Task.Yield();
        await form.ResetValidationAsync();
    }
}
