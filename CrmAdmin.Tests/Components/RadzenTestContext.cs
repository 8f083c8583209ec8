using Bunit;
using Radzen;

namespace CrmAdmin.Tests.Components;

/// <summary>A bunit context with Radzen's services; Radzen's own JS calls are answered loosely, as its tests do.</summary>
public abstract class RadzenTestContext : BunitContext
{
    protected RadzenTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }
}
