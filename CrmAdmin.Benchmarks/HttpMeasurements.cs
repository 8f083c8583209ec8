using System.Globalization;
using System.Text.RegularExpressions;
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
/// The figures measured against the app as its own process on loopback (T1 API, T2, T3 in the
/// browser, T4 load), the sqlite3 floor for T1, and the in-process decision latency percentiles for
/// T4. Prints a Markdown table.
/// </summary>
public static partial class HttpMeasurements
{
    private static readonly List<(string Target, string Measured, string Goal)> Results = [];

    private static void Record(string target, string measured, string goal)
    {
        Results.Add((target, measured, goal));
        Console.WriteLine($"{target}: {measured} (goal {goal})");
    }

    /// <summary>Every measurement, or one part: latency (T4 in process), floor, t1, load (T4), prefixes (T4 with 100k prefixes listed), t2, browser (T3).</summary>
    public static async Task RunAsync(string baseDatabase, string? part = null)
    {
        if (part is null or "latency")
        {
            await DecisionLatencyAsync(baseDatabase);
        }

        if (part is null or "floor")
        {
            await SqliteFloorAsync(baseDatabase);
        }

        if (part is null or "t1")
        {
            // Twice on one server: the first import after start also pays for JIT-compiling the
            // import path (parser, normalizer, writer); a server that has imported before does not.
            await using (var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-t1.db")))
            {
                await TimedImportAsync(app, BenchInput.Lines(100_000), 100_000, "T1 100k lines via POST /api/exceptions/import into 1M, first import after start", "≤ 1.5 s");
            }

            await using (var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-t1.db")))
            {
                Check(await app.ImportAsync(BenchInput.Lines(10_000, offset: 3_000_000)), 10_000);
                await app.WaitUntilIdleAsync();
                await TimedImportAsync(app, BenchInput.Lines(100_000), 100_000, "T1 100k lines via POST /api/exceptions/import into 1M, after a 10k-line import", "≤ 1.5 s");
            }
        }

        if (part is null or "load")
        {
            await using var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-load.db"));
            await LoadAsync(app);
        }

        if (part is null or "prefixes")
        {
            // X9: matching a number is one lookup of its prefixes by length on the unique index, so
            // T4 must not depend on how many prefixes are listed. 100k of them, all +1900ddddd*: every
            // decision probes ten prefix candidates, and none of the called numbers is blocked.
            await using var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-prefixes.db"));
            var prefixes = string.Join('\n', Enumerable.Range(0, 100_000).Select(i => $"+1900{i:D5}*;bench prefix"));
            Check(await app.ImportAsync(prefixes), 100_000);
            await LoadAsync(app, " with 100k number prefixes listed");
        }

        if (part is null or "browser")
        {
            await using var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-browser.db"));
            await ExceptionsPageInBrowserAsync(app);
        }

        if (part is null or "t2")
        {
            await using var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-t2.db"));
            await TimedImportAsync(app, BenchInput.Lines(1_000_000, offset: 2_000_000), 1_000_000, "T2 1M lines via the API (time), first import after start", "≤ 12 s");
            Record("T2 server peak working set (VmHWM)", $"{app.PeakWorkingSetMegabytes():N0} MB", "≤ 600 MB");
            // Issue 16's tail: the search indexer's backlog of a million rows must not hold the writer.
            await TimedImportAsync(app, BenchInput.Lines(100_000, offset: 5_000_000), 100_000, "T1 100k lines via the API sent right after the 1M-line import", "≤ 1.0 s");
        }

        if (part is null or "filter")
        {
            await using var app = await App.StartAsync(BenchDatabase.Copy(baseDatabase, "http-filter.db"));
            await app.WaitUntilIdleAsync();
            await FilterPercentilesAsync(app, "SQLite");
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

    /// <summary>
    /// T4 over HTTP: 32 connections posting dry-run calls for 10 seconds, from wrk (Debian's package;
    /// the script installs it). An HttpClient in this process would take a third of the two cores
    /// from the server it measures, so it is only the fallback when wrk is missing.
    /// </summary>
    private static async Task LoadAsync(App app, string listed = "")
    {
        const int connections = 32;
        await app.WaitUntilIdleAsync();
        if (FindOnPath("wrk") is { } wrk)
        {
            var script = Path.Combine(Path.GetTempPath(), "crmadmin-bench", "routing-call.lua");
            await File.WriteAllTextAsync(script, $$"""
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["Authorization"] = "Bearer {{app.Client.DefaultRequestHeaders.Authorization!.Parameter}}"
                counter = 0
                request = function()
                  counter = counter + 1
                  local body = string.format('{"lineId":1,"direction":"Incoming","number":"+44207%06d"}', (counter * 7919) % {{BenchDatabase.Contacts}} + 1)
                  return wrk.format(nil, "/api/routing/call", nil, body)
                end
                """);
            // A warm-up first: under this load the JIT's tiering takes about 15 s to promote the hot
            // path (measured in 5 s steps from start: 3.9k, 4.9k, 9.2k, 12.1k, 11.2k, 11.1k /s).
            await RunAsync(wrk, ["-t1", $"-c{connections}", "-d20s", "-s", script, app.Client.BaseAddress!.ToString()]);
            var output = await RunAsync(wrk, ["-t1", $"-c{connections}", "-d10s", "--latency", "-s", script, app.Client.BaseAddress!.ToString()]);
            var rate = Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value;
            var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? m.Groups[1].Value : "0";
            var socketErrors = Regex.Match(output, @"Socket errors: (.*)") is { Success: true } e ? $", socket errors: {e.Groups[1].Value}" : "";
            var p99 = Regex.Match(output, @"99%\s+(\S+)").Groups[1].Value;
            Record($"T4 dry-run decisions via POST /api/routing/call, wrk {connections} connections{listed}", $"{double.Parse(rate, CultureInfo.InvariantCulture):N0} /s, {non2xx} errors{socketErrors}, p99 {p99}", "≥ 5,000 /s, 0 errors");
            return;
        }

        var stop = DateTime.UtcNow.AddSeconds(10);
        long ok = 0, failed = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async worker =>
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
        Record($"T4 dry-run decisions via POST /api/routing/call, {connections} HttpClient clients (wrk missing){listed}", $"{ok / watch.Elapsed.TotalSeconds:N0} /s, {failed} errors", "≥ 5,000 /s, 0 errors");
    }

    private static async Task TimedImportAsync(App app, string text, int added, string target, string goal)
    {
        var watch = Stopwatch.StartNew();
        var report = await app.ImportAsync(text);
        watch.Stop();
        Check(report, added);
        Record(target, $"{watch.Elapsed.TotalSeconds:0.00} s", goal);
    }

    private static void Check(JsonElement report, int added)
    {
        if (report.GetProperty("added").GetInt32() != added)
        {
            throw new InvalidOperationException($"expected {added} added: {report}");
        }
    }

    private static async Task<string> RunAsync(string command, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static string? FindOnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(folder => Path.Combine(folder, command)).FirstOrDefault(File.Exists);

    private sealed class App : IAsyncDisposable
    {
        private Process process = default!;

        public HttpClient Client { get; private set; } = default!;

        private static Task<string>? published;

        public static Task<App> StartAsync(string database) =>
            StartAsync(new Dictionary<string, string> { ["ConnectionStrings__CrmAdmin"] = $"Data Source={database};Default Timeout=30" });

        /// <summary>The published app on a free port, with these environment settings (the database's among them).</summary>
        public static async Task<App> StartAsync(IReadOnlyDictionary<string, string> settings)
        {
            var port = FreePort();
            var dll = await (published ??= PublishAsync());
            var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(dll),
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Admin__Email"] = BenchHost.AdminEmail;
            start.Environment["Admin__Password"] = BenchHost.AdminPassword;
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            foreach (var (key, value) in settings)
            {
                start.Environment[key] = value;
            }

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

        /// <summary>
        /// Until the server's background work after a write (search indexing, checkpointing) has
        /// stopped using the CPU and tiered compilation has settled, so it does not weigh on what is measured next.
        /// </summary>
        public async Task WaitUntilIdleAsync()
        {
            var before = process.TotalProcessorTime;
            for (var i = 0; i < 120; i++)
            {
                await Task.Delay(500);
                process.Refresh();
                var used = process.TotalProcessorTime - before;
                before = process.TotalProcessorTime;
                if (used < TimeSpan.FromMilliseconds(25))
                {
                    return;
                }
            }
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

        /// <summary>
        /// The app as it is deployed (dotnet publish, Release): outside Development only a published
        /// app serves its static assets (Blazor's and MudBlazor's scripts and styles), which the browser needs.
        /// </summary>
        private static async Task<string> PublishAsync()
        {
            var repository = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(repository.FullName, "CrmAdmin.sln")))
            {
                repository = repository.Parent ?? throw new InvalidOperationException("Run the benchmarks from the repository's build output.");
            }

            var output = Path.Combine(Path.GetTempPath(), "crmadmin-bench", "app");
            using var publish = Process.Start(new ProcessStartInfo("dotnet",
                ["publish", Path.Combine(repository.FullName, "CrmAdmin", "CrmAdmin.csproj"), "-c", "Release", "-o", output, "-v", "q", "--nologo"])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
            })!;
            var log = await publish.StandardOutput.ReadToEndAsync();
            await publish.WaitForExitAsync();
            return publish.ExitCode == 0 ? Path.Combine(output, "CrmAdmin.dll") : throw new InvalidOperationException($"dotnet publish failed:\n{log}");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
