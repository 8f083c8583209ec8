using Bunit;
using CrmAdmin.Features.Hardening;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Components;

/// <summary>
/// The settings page's backup card (issue 16): a download on SQLite; on PostgreSQL, whose database is
/// backed up with pg_dump on the server's side, the instructions themselves and no download link.
/// </summary>
public sealed class BackupCardTests : MudTestContext
{
    private sealed class FakeBackup(bool canDownload) : IDatabaseBackup
    {
        public bool CanDownload => canDownload;

        public string Instructions => "On PostgreSQL, back up with pg_dump while the app runs.";

        public Task<(Stream Content, string ContentType, string Extension)> CreateAsync(CancellationToken ct) => throw new NotSupportedException();
    }

    private IRenderedComponent<BackupCard> RenderCard(bool canDownload)
    {
        Services.AddSingleton<IDatabaseBackup>(new FakeBackup(canDownload));
        return Render<BackupCard>();
    }

    [Fact]
    public void A_database_that_can_be_downloaded_offers_the_download_link()
    {
        var card = RenderCard(canDownload: true);

        var link = card.Find("a[data-action=backup]");
        Assert.Equal("api/admin/backup", link.GetAttribute("href"));
        Assert.True(link.HasAttribute("download"));
        Assert.Empty(card.FindAll("[data-testid=backup-instructions]"));
    }

    [Fact]
    public void A_database_backed_up_with_its_own_tools_says_how_and_offers_no_download()
    {
        var card = RenderCard(canDownload: false);

        Assert.Equal("On PostgreSQL, back up with pg_dump while the app runs.", card.Find("[data-testid=backup-instructions]").TextContent.Trim());
        Assert.Empty(card.FindAll("a[href='api/admin/backup']"));
    }
}
