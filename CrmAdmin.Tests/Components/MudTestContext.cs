using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using MudBlazor.Services;

namespace CrmAdmin.Tests.Components;

/// <summary>
/// A bunit context with MudBlazor's services, as MudBlazor's own tests set one up: its JS calls
/// (popover positions, focus, resize observers) are answered loosely. MudBlazor registers a service
/// that can only be disposed asynchronously, so xunit disposes this context through
/// <see cref="IAsyncLifetime"/>; the synchronous Dispose xunit calls afterwards is then a no-op.
/// </summary>
public abstract class MudTestContext : BunitContext, IAsyncLifetime
{
    private bool disposedAsync;

    protected MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    /// <summary>
    /// Renders the popover and dialog hosts a page's layout provides: menus and select lists open in
    /// the popover host, dialogs in the dialog host. Find their content in the returned fragment.
    /// </summary>
    protected IRenderedComponent<ContainerFragment> RenderProviders() => Render<ContainerFragment>(p => p.Add(c => c.ChildContent, builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudDialogProvider>(1);
        builder.AddAttribute(2, nameof(MudDialogProvider.CloseOnEscapeKey), true);
        builder.AddAttribute(3, nameof(MudDialogProvider.DefaultFocus), DefaultFocus.FirstChild);
        builder.CloseComponent();
    }));

    /// <summary>Runs before each test; override to set up services that need awaiting.</summary>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Disposes the rendered components and the services, asynchronously; overrides call the base last.</summary>
    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        disposedAsync = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposedAsync)
        {
            base.Dispose(disposing);
        }
    }

    /// <summary>A component that renders only its child content: a root for several providers at once.</summary>
    public sealed class ContainerFragment : ComponentBase
    {
        [Parameter] public RenderFragment? ChildContent { get; set; }

        protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder) => builder.AddContent(0, ChildContent);
    }
}
