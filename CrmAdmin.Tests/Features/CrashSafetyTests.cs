using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The app as its own process, killed with SIGKILL in the middle of a 100k-line import: after a
/// restart the import is all there or not at all, and the database passes integrity_check.
/// </summary>
[LongRunning]
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int Lines = 100_000;
    private readonly string folder = Directory.CreateTempSubdirectory("crmadmin-crash-").FullName;

    private string Database => Path.Combine(folder, "crash.db");

    [Fact]
    public async Task A_process_killed_mid_import_keeps_all_or_none_of_it_and_an_intact_database()
    {
        var text = string.Join("\n", Enumerable.Range(0, Lines).Select(i => $"crash{i}@example.com;killed import"));
        var outcomes = new List<string>();
        foreach (var killAfterWalBytes in new[] { 1L << 20, 4L << 20 })
        {
            var (process, baseUrl) = await StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(client));
            var before = CountEntries();

            var import = client.PostAsync("/api/exceptions/import", new StringContent(text, Encoding.UTF8, "text/plain"));
            // The import is inside its transaction once the write-ahead log grows past the page cache.
            var wal = Database + "-wal";
            var watch = Stopwatch.StartNew();
            while (!import.IsCompleted && (!File.Exists(wal) || new FileInfo(wal).Length < killAfterWalBytes) && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(5);
            }

            var killedMidImport = !import.IsCompleted;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try
            {
                // The connection dies with the process; an import that finished first simply answered.
                (await import).Dispose();
            }
            catch (HttpRequestException)
            {
            }

            var (restarted, restartedUrl) = await StartAsync();
            using var after = new HttpClient { BaseAddress = new Uri(restartedUrl) };
            after.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(after));
            Assert.True((await after.GetAsync("/api/exceptions?take=1")).IsSuccessStatusCode);
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            var count = CountEntries();

            Assert.True(count == before || count == before + Lines, $"after the crash {count - before} of {Lines} lines are there");
            Assert.Equal("ok", IntegrityCheck());
            outcomes.Add($"killed {(killedMidImport ? "mid-import" : "after the import")} at {killAfterWalBytes >> 20} MB of WAL: {count - before} of {Lines} lines kept");
            // Run the next round from a clean slate, so 'all' and 'none' stay distinguishable.
            if (count != before)
            {
                break;
            }
        }

        output.WriteLine(string.Join("\n", outcomes));
        Assert.Contains(outcomes, o => o.Contains("mid-import"));
    }

    private async Task<(Process Process, string BaseUrl)> StartAsync()
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var app = Path.Combine(RepositoryRoot.Path, "CrmAdmin", "bin", Configuration(), "net10.0", "CrmAdmin.dll");
        var start = new ProcessStartInfo("dotnet", [app, "--urls", baseUrl])
        {
            WorkingDirectory = Path.Combine(RepositoryRoot.Path, "CrmAdmin"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__CrmAdmin"] = $"Data Source={Database}";
        start.Environment["Admin__Email"] = CrmAdminFactory.AdminEmail;
        start.Environment["Admin__Password"] = CrmAdminFactory.AdminPassword;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = new Uri(baseUrl) };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return (process, baseUrl);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("CrmAdmin did not start");
    }

    private static async Task<string> TokenAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/auth/token", new { email = CrmAdminFactory.AdminEmail, password = CrmAdminFactory.AdminPassword });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    /// <summary>
    /// The entries in the database file, counted there: the list's total stops at 10,000 (a lower bound past it), and an
    /// import that finished before the kill leaves 100,000.
    /// </summary>
    private int CountEntries()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """SELECT count(*) FROM "ExceptionEntries" """;
        return Convert.ToInt32(command.ExecuteScalar());
    }

    private string IntegrityCheck()
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>The configuration the tests were built in: the app beside them was built the same way.</summary>
    private static string Configuration() => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
