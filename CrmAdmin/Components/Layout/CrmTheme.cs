using MudBlazor;

namespace CrmAdmin.Components.Layout;

/// <summary>
/// The app's one MudBlazor theme. Every text colour meets WCAG AA on the surface it is drawn on
/// (4.5:1 for text, 3:1 for control outlines): the figures are in the comments, measured against
/// white (#ffffff) unless said otherwise. Fonts are the system stack: a web font would be a request
/// the Content-Security-Policy refuses and a closed network cannot answer.
/// </summary>
public static class CrmTheme
{
    private static readonly string[] SystemFonts =
        ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "Noto Sans", "Liberation Sans", "sans-serif"];

    /// <summary>The theme given to <c>MudThemeProvider</c> in the main layout.</summary>
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4340d2",            // 7.2:1; white text on it 7.2:1 (app bar, filled buttons)
            PrimaryContrastText = "#ffffff",
            Secondary = "#6b4fbb",          // 6.1:1 (MudBlazor's pink default is 3.4:1)
            SecondaryContrastText = "#ffffff",
            Tertiary = "#0b5cad",
            TertiaryContrastText = "#ffffff",
            Info = "#0b5cad",               // 6.7:1
            InfoContrastText = "#ffffff",
            Success = "#1b6e3a",            // 6.3:1
            SuccessContrastText = "#ffffff",
            Warning = "#8a5300",            // 6.3:1
            WarningContrastText = "#ffffff",
            Error = "#b3261e",              // 6.5:1
            ErrorContrastText = "#ffffff",
            Dark = "#1e1e2e",
            TextPrimary = "#1e1e2e",        // 16.4:1
            TextSecondary = "#5f6270",      // 6.1:1; 5.6:1 on the page background
            ActionDefault = "#5f6270",      // icon buttons: 6.1:1
            LinesInputs = "#767676",        // field outlines: 4.5:1 (controls need 3:1)
            Background = "#f4f5f9",
            Surface = "#ffffff",
            AppbarBackground = "#4340d2",
            AppbarText = "#ffffff",         // 7.2:1
            DrawerBackground = "#ffffff",
            DrawerText = "#1e1e2e",
            DrawerIcon = "#5f6270",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SystemFonts },
            H1 = new H1Typography { FontFamily = SystemFonts },
            H2 = new H2Typography { FontFamily = SystemFonts },
            H3 = new H3Typography { FontFamily = SystemFonts },
            H4 = new H4Typography { FontFamily = SystemFonts, FontSize = "1.75rem", FontWeight = "500" },
            H5 = new H5Typography { FontFamily = SystemFonts },
            H6 = new H6Typography { FontFamily = SystemFonts },
            Subtitle1 = new Subtitle1Typography { FontFamily = SystemFonts },
            Subtitle2 = new Subtitle2Typography { FontFamily = SystemFonts },
            Body1 = new Body1Typography { FontFamily = SystemFonts },
            Body2 = new Body2Typography { FontFamily = SystemFonts },
            Button = new ButtonTypography { FontFamily = SystemFonts, TextTransform = "none" },
            Caption = new CaptionTypography { FontFamily = SystemFonts },
            Overline = new OverlineTypography { FontFamily = SystemFonts },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "260px" },
    };
}
