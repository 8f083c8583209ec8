using System.Text;
using CrmAdmin.Domain.Access;
using Microsoft.Playwright;

namespace CrmAdmin.Tests.E2E;

/// <summary>Issue 13, item 5 in the browser: a chosen file is previewed first, then imported; the report comes into view and takes focus.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ImportPreviewFlowTests(BrowserFixture browser)
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(390, 844)]
    public Task A_windows_1252_upload_shows_its_encoding_and_first_lines_then_Import_brings_the_report_into_view(int width, int height)
    {
        var viewport = new Viewport(width, height);
        return browser.RunAsAsync($"import-preview-{viewport}", BrowserFixture.Supervisor, viewport, async page =>
        {
            var exceptions = new ExceptionsPageObject(page);
            await exceptions.OpenAsync();
            await exceptions.OpenAddToListAsync();
            // As Excel on a French or German Windows saves it: no byte order mark, no charset declared.
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            var lines = Enumerable.Range(0, 12).Select(i => $"+33 1 23 45 {width % 100:00} {i:00};démarchage téléphonique, ne pas rappeler ({width})")
                .Append($"pas un numéro;Verkäufer ({width})").ToList();

            await page.GetByLabel("Upload a .txt or .csv file").SetInputFilesAsync(new FilePayload
            {
                Name = $"démarchage-{width}.csv",
                MimeType = "text/csv",
                Buffer = Encoding.GetEncoding(1252).GetBytes(string.Join("\r\n", lines) + "\r\n"),
            });

            var preview = page.GetByRole(AriaRole.Region, new() { Name = $"Preview: démarchage-{width}.csv" });
            await preview.GetByTestId("preview-encoding").ExpectSeenAsync("the encoding the file will be read as");
            await Assertions.Expect(preview.GetByTestId("preview-encoding")).ToContainTextAsync("windows-1252");
            await Assertions.Expect(preview.GetByTestId("preview-lines")).ToHaveTextAsync("13");
            var first = preview.GetByTestId("preview-first-lines").GetByRole(AriaRole.Listitem);
            await Assertions.Expect(first).ToHaveCountAsync(10);
            await Assertions.Expect(first.First).ToHaveTextAsync(lines[0]);
            await first.First.ExpectSeenAsync("the first line of the file");
            await Assertions.Expect(exceptions.Report).ToHaveCountAsync(0);
            Assert.False(await SeenByPerson.ScrollsSidewaysAsync(page), $"the preview scrolls the page sideways at {viewport}");
            await Screenshots.SaveAsync(page, "import-preview", Roles.Supervisor, viewport);

            var import = preview.GetByRole(AriaRole.Button, new() { Name = "Import 13 lines" });
            await import.ExpectSeenAsync("the preview's Import button");
            await import.ClickAsync();

            await exceptions.Report.WaitForAsync();
            Assert.Equal("12 added", await exceptions.CountAsync("added"));
            Assert.Equal("1 invalid", await exceptions.CountAsync("invalid"));
            var heading = page.GetByTestId("import-report-heading");
            await Assertions.Expect(heading).ToBeFocusedAsync();
            await heading.ExpectSeenAsync("the report's heading, scrolled into view");
            await page.GetByRole(AriaRole.Button, new() { Name = "Invalid (1)" }).ClickAsync();
            await Assertions.Expect(exceptions.ProblemRows).ToHaveCountAsync(1);
            await Assertions.Expect(exceptions.ProblemRows.First).ToContainTextAsync("pas un numéro");
            await Screenshots.SaveAsync(page, "import-report", Roles.Supervisor, viewport);
        });
    }
}
