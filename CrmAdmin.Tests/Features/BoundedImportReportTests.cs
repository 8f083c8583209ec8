using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// I12 (issue 14, case 10): an import of hundreds of thousands of invalid lines answers with counts, the
/// first 10,000 problem lines and "N more", keeps the full report as a CSV download, and three such
/// imports at once keep the server's memory bounded.
/// </summary>
public sealed class BoundedImportReportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int InvalidLines = 400_000;

    private readonly CrmAdminFactory factory = new();
    private HttpClient client = default!;

    public async Task InitializeAsync() => client = await factory.CreateAdminClientAsync();

    public async Task DisposeAsync() => await factory.DisposeAsync();

    [Fact]
    public async Task I12_three_imports_of_400k_invalid_lines_at_once_answer_bounded_reports_with_full_CSVs_in_bounded_memory()
    {
        var text = new StringBuilder(InvalidLines * 52);
        text.Append("+1 415 555 0100;the one valid line\n");
        for (var i = 1; i < InvalidLines; i++)
        {
            text.Append("not a phone number ").Append(i.ToString("D7")).Append(";comment of an invalid line\n");
        }

        var body = Encoding.UTF8.GetBytes(text.ToString());
        text.Clear();
        using var process = Process.GetCurrentProcess();
        GC.Collect();
        process.Refresh();
        var baseline = process.WorkingSet64;
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(20);
            }
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            var response = await client.PostAsync("/api/exceptions/import", content);
            var json = await response.Content.ReadAsByteArrayAsync();
            return (response.StatusCode, Json: json);
        })));
        await sampling.CancelAsync();
        await sampler;

        output.WriteLine($"3 × {InvalidLines:N0} lines ({body.Length / 1024.0 / 1024.0:0.0} MB each): working set {baseline / 1048576} MB before, peak {peak / 1048576} MB (+{(peak - baseline) / 1048576} MB); reports {string.Join(", ", responses.Select(r => r.Json.Length / 1024 + " KB"))}");
        var added = 0;
        foreach (var (status, json) in responses)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            // A report never grows larger than the import itself.
            Assert.True(json.Length < body.Length / 5, $"the report is {json.Length} bytes for an import of {body.Length}");
            var report = JsonDocument.Parse(json).RootElement;
            added += report.GetProperty("added").GetInt32();
            var problems = InvalidLines - report.GetProperty("added").GetInt32();
            Assert.Equal(problems, report.GetProperty("invalid").GetInt32() + report.GetProperty("alreadyListed").GetInt32());
            Assert.Equal(problems, report.GetProperty("problemLines").GetInt32());
            Assert.Equal(10_000, report.GetProperty("lines").GetArrayLength());
            Assert.Equal(problems - 10_000, report.GetProperty("moreLines").GetInt32());
            // The import that added the one valid line lists from line 2; the others list it as AlreadyListed.
            Assert.Equal(report.GetProperty("added").GetInt32() == 1 ? 2 : 1, report.GetProperty("lines")[0].GetProperty("line").GetInt32());

            // The full report: every problem line, in order, as CSV (decompressed for a client that asks for no gzip).
            using var csv = new StreamReader(await client.GetStreamAsync(report.GetProperty("reportUrl").GetString()));
            Assert.Equal("line,input,status,type,value,reason", (await csv.ReadLineAsync())?.TrimStart('\uFEFF'));
            var rows = 0;
            string? last = null;
            while (await csv.ReadLineAsync() is { } row)
            {
                rows++;
                last = row;
            }

            Assert.Equal(problems, rows);
            Assert.StartsWith($"{InvalidLines},not a phone number {InvalidLines - 1:D7};comment of an invalid line,Invalid,", last);
        }

        Assert.Equal(1, added);
        // Before I12 three such imports of a million lines took the server to 2.5 GB; the reports are now
        // a few MB each and the inputs are held once as bytes.
        Assert.True(peak - baseline < 1024L * 1024 * 1024, $"the working set grew by {(peak - baseline) / 1048576} MB");
    }

    [Fact]
    public async Task I12_the_full_report_is_only_for_the_person_who_imported_and_gzip_is_served_as_stored()
    {
        var report = await (await client.PostAsync("/api/exceptions/import", new StringContent("bad one\nbad two", Encoding.UTF8, "text/plain")))
            .Content.ReadFromJsonAsync<JsonElement>();
        var url = report.GetProperty("reportUrl").GetString()!;

        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var gzipped = await client.SendAsync(request);
        await factory.CreateUserAsync("other-supervisor@test.local", "Supervisor");
        using var supervisor = await factory.CreateApiClientAsync("other-supervisor@test.local", CrmAdminFactory.UserPassword);
        var someoneElse = await supervisor.GetAsync(url);
        var unknown = await client.GetAsync("/api/exceptions/import-reports/0123456789abcdef0123456789abcdef.csv");

        Assert.Equal(0, report.GetProperty("moreLines").GetInt32());
        Assert.Equal(["gzip"], gzipped.Content.Headers.ContentEncoding);
        using (var unzipped = new StreamReader(new System.IO.Compression.GZipStream(await gzipped.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress)))
        {
            Assert.Equal(3, (await unzipped.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        Assert.Equal(HttpStatusCode.NotFound, someoneElse.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
