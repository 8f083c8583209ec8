using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CrmAdmin.Domain.Crm;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Routing;

namespace CrmAdmin.Benchmarks;

/// <summary>
/// The figures measured against the app as its own process on loopback (T1 API, T2, T4 load), the
/// sqlite3 floor for T1, and the in-process decision latency percentiles for T4. Prints a Markdown table.
/// </summary>
public static class HttpMeasurements
{
    private static readonly List<(string Target, string Measured, string Goal)> Results = [];

    private static void Record(string target, string measured, string goal)
    {
        Results.Add((target, measured, goal));
        Console.WriteLine($"{target}: {measured} (goal {goal})");
    }

    public static async Task RunAsync(string baseDatabase)
    {
        await DecisionLatencyAsync(baseDatabase);
        await SqliteFloorAsync(baseDatabase);
        await using (var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-t1.db")))
        {
            var watch = Stopwatch.StartNew();
            var report = await app.ImportAsync(BenchInput.Lines(100_000));
            watch.Stop();
            Check(report, 100_000);
            Record("T1 100k lines via POST /api/exceptions/import into 1M", $"{watch.Elapsed.TotalSeconds:0.00} s", "≤ 1.5 s");
            await LoadAsync(app);
        }

        await using (var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-t2.db")))
        {
            var text = BenchInput.Lines(1_000_000, offset: 2_000_000);
            var watch = Stopwatch.StartNew();
            var report = await app.ImportAsync(text);
            watch.Stop();
            Check(report, 1_000_000);
            Record("T2 1M lines via the API (time)", $"{watch.Elapsed.TotalSeconds:0.0} s", "≤ 12 s");
            Record("T2 server peak working set (VmHWM)", $"{app.PeakWorkingSetMegabytes():N0} MB", "≤ 600 MB");
        }

        Console.WriteLine();
        Console.WriteLine("| target | measured | goal |");
        Console.WriteLine("|---|---|---|");
        foreach (var (target, measured, goal) in Results)
        {
            Console.WriteLine($"| {target} | {measured} | {goal} |");
        }
    }

    /// <summary>T4 in process: 20,000 dry-run decisions after a warm-up, one at a time.</summary>
    private static async Task DecisionLatencyAsync(string baseDatabase)
    {
        await using var host = await BenchHost.CreateAsync(BenchDatabase.Copy(baseDatabase, "t4-latency.db"));
        var routing = host.Get<RoutingService>();
        var random = new Random(4);
        for (var i = 0; i < 2_000; i++)
        {
            await routing.RouteCallAsync(new CallRequest(1, CallDirection.Incoming, BenchDatabase.ContactPhone(1 + random.Next(BenchDatabase.Contacts))), host.Admin);
        }

        var samples = new double[20_000];
        for (var i = 0; i < samples.Length; i++)
        {
            var number = i % 3 == 0 ? BenchDatabase.EntryPhone(2 * random.Next(500_000)) : BenchDatabase.ContactPhone(1 + random.Next(BenchDatabase.Contacts));
            var started = Stopwatch.GetTimestamp();
            await routing.RouteCallAsync(new CallRequest(1, CallDirection.Incoming, number), host.Admin);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        Record("T4 dry-run call decision in process, median", $"{samples[samples.Length / 2]:0.000} ms", "≤ 0.2 ms");
        Record("T4 dry-run call decision in process, p99", $"{samples[(int)(samples.Length * 0.99)]:0.000} ms", "≤ 1 ms");
    }

    /// <summary>The floor: the sqlite3 shell's .import of the same 100k rows, normalized, into a million-row table with the unique index.</summary>
    private static async Task SqliteFloorAsync(string baseDatabase)
    {
        var floor = BenchDatabase.Copy(baseDatabase, "floor.db");
        var csv = Path.Combine(Path.GetDirectoryName(floor)!, "floor.csv");
        await using (var writer = new StreamWriter(csv))
        {
            foreach (var line in BenchInput.Lines(100_000).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var separator = line.IndexOf(';');
                var point = ContactPointNormalizer.Normalize(line[..separator]).Point!.Value;
                await writer.WriteLineAsync($"{point.Type},{point.Value},\"{line[(separator + 1)..]}\"");
            }
        }

        await Sqlite3Async(floor, "CREATE TABLE Floor AS SELECT Type, Value, Comment FROM ExceptionEntries; CREATE UNIQUE INDEX IX_Floor ON Floor (Type, Value);");
        var watch = Stopwatch.StartNew();
        await Sqlite3Async(floor, ".mode csv", $".import {csv} Floor");
        watch.Stop();
        Record("T1 floor: sqlite3 .import of the same 100k normalized rows into 1M", $"{watch.Elapsed.TotalSeconds:0.00} s", "(reference)");
    }

    private static async Task Sqlite3Async(string database, params string[] commands)
    {
        var start = new ProcessStartInfo("sqlite3", [database, .. commands]) { RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("sqlite3 is not installed (apt-get install sqlite3)");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"sqlite3 failed: {errors}");
        }
    }

    /// <summary>T4 over HTTP: concurrent clients posting dry-run calls for 10 seconds.</summary>
    private static async Task LoadAsync(App app)
    {
        const int workers = 32;
        var stop = DateTime.UtcNow.AddSeconds(10);
        long ok = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async worker =>
        {
            var random = new Random(worker);
            while (DateTime.UtcNow < stop)
            {
                var body = JsonContent.Create(new { lineId = 1, direction = "Incoming", number = BenchDatabase.ContactPhone(1 + random.Next(BenchDatabase.Contacts)) });
                using var response = await app.Client.PostAsync("/api/routing/call", body);
                Interlocked.Increment(ref response.IsSuccessStatusCode ? ref ok : ref failed);
            }
        }));
        watch.Stop();
        Record("T4 dry-run decisions via POST /api/routing/call, 32 clients", $"{ok / watch.Elapsed.TotalSeconds:N0} /s, {failed} errors", "≥ 5,000 /s, 0 errors");
    }

    private static void Check(JsonElement report, int added)
    {
        if (report.GetProperty("added").GetInt32() != added)
        {
            throw new InvalidOperationException($"expected {added} added: {report}");
        }
    }

    private sealed class App : IAsyncDisposable
    {
        private Process process = default!;

        public HttpClient Client { get; private set; } = default!;

        public static async Task<App> StartAsync(string database)
        {
            var port = FreePort();
            var dll = Path.Combine(AppContext.BaseDirectory, "CrmAdmin.dll");
            var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ConnectionStrings__CrmAdmin"] = $"Data Source={database};Default Timeout=30";
            start.Environment["Admin__Email"] = BenchHost.AdminEmail;
            start.Environment["Admin__Password"] = BenchHost.AdminPassword;
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            var app = new App { process = Process.Start(start)! };
            app.process.OutputDataReceived += (_, _) => { };
            app.process.ErrorDataReceived += (_, _) => { };
            app.process.BeginOutputReadLine();
            app.process.BeginErrorReadLine();
            app.Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    if ((await app.Client.GetAsync("/health")).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (attempt < 600)
                {
                }

                await Task.Delay(100);
            }

            var token = await (await app.Client.PostAsJsonAsync("/api/auth/token", new { email = BenchHost.AdminEmail, password = BenchHost.AdminPassword }))
                .Content.ReadFromJsonAsync<JsonElement>();
            app.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
            return app;
        }

        public async Task<JsonElement> ImportAsync(string text)
        {
            var response = await Client.PostAsync("/api/exceptions/import", new StringContent(text, Encoding.UTF8, "text/plain"));
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        /// <summary>The process's peak resident set (Linux VmHWM).</summary>
        public long PeakWorkingSetMegabytes() =>
            long.Parse(File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmHWM:"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
