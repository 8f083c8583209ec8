using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Net.Http.Json;
using System.Text.Json;
using CrmAdmin.Domain.Exceptions;
using Npgsql;

namespace CrmAdmin.Benchmarks;

/// <summary>
/// The PostgreSQL side of the measured run (issue 16): a 100k-line import into 1M via the API with
/// the plain COPY floor beside it, filters' p95 through the API, and dry-run decisions per second
/// with two app instances on one database.
/// </summary>
public static partial class HttpMeasurements
{
    /// <summary>
    /// The issue's filters, then neighbours of them that were slow once: a long text of words common to every
    /// tenth entry, a value with no digits, a common comment with a type none of its entries has and with a type
    /// half of them have, a common comment with a status, a value every phone holds with a type few entries holding
    /// it have (and with none) and with the type it is common in, a common comment with a common value, rarely and
    /// often together, and value texts of one or two characters: in no entry (letters, an accented letter), in 2% of the
    /// emails, in every email but with a type no entry has, in half the entries, two digits of type Phone, and one with a
    /// common comment (5,186 together); then short value texts too common for their index with a comment: in 4,502 of the
    /// 13,875 rows of "partner batch 3", in most of the 111,000 of "batch 2", and two neighbours in a few percent of a common
    /// comment's rows; last, digits whose trigrams every phone holds (each is +12000…): in 500 phones, without a type and with it, in
    /// one, in 50,000 (four and five digits), in 5,000, and four digits in 300.
    /// </summary>
    private static readonly string[] Filters =
    [
        "comment=spam%20robot%20batch%2042", "comment=telemarketing", "value=415%20555", "value=list7.example", "type=Phone", "comment=batch%201",
        "comment=former%20employee%20batch%201", "value=sender1", "comment=telemarketing&type=Phone", "comment=batch%201&type=Email",
        "comment=partner%20batch%203&status=Active", "value=12000&type=Email", "value=%2B1200&type=Email", "value=12000&type=Phone",
        "comment=batch%201&value=sender9", "comment=batch%201&value=sender1",
        "value=qz", "value=%C3%A9", "value=00&type=Email", "value=m&type=EmailDomain", "value=x", "value=87&type=Phone",
        "comment=telemarketing&value=00&type=Email",
        "comment=partner%20batch%203&value=7", "comment=batch%202&value=1", "comment=batch%201&value=9&type=Phone", "comment=telemarketing&value=99&type=Email",
        "value=2000000", "value=2000000&type=Phone", "value=12000000004", "value=0000", "value=20000", "value=1200000", "value=4567",
    ];

    /// <summary>Every PostgreSQL measurement, or one part: floor, t1, filter, load.</summary>
    public static async Task RunPostgresAsync(string? part = null)
    {
        await PostgresBenchDatabase.EnsureAsync();
        var postgres = (string connectionString) => new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__CrmAdmin"] = connectionString,
        };

        if (part is null or "floor")
        {
            await PostgresFloorAsync();
        }

        if (part is null or "t1")
        {
            await using var app = await App.StartAsync(postgres(await PostgresBenchDatabase.CopyAsync("crm_bench_t1")));
            await TimedImportAsync(app, BenchInput.Lines(100_000), 100_000, "PostgreSQL: 100k lines via POST /api/exceptions/import into 1M, first import after start", "≤ 2.0 s");
            await TimedImportAsync(app, BenchInput.Lines(100_000, offset: 4_000_000), 100_000, "PostgreSQL: 100k lines via the API into 1.1M, second import", "≤ 2.0 s");
        }

        if (part is null or "filter")
        {
            await using var app = await App.StartAsync(postgres(await PostgresBenchDatabase.CopyAsync("crm_bench_filter")));
            // As the SQLite run does: the server's start-up work (tiered compilation among it) must not weigh on the first filters.
            await app.WaitUntilIdleAsync();
            await FilterPercentilesAsync(app, "PostgreSQL");
        }

        if (part is null or "load")
        {
            var database = await PostgresBenchDatabase.CopyAsync("crm_bench_load");
            await using var first = await App.StartAsync(postgres(database));
            await using var second = await App.StartAsync(postgres(database));
            await TwoInstanceLoadAsync(first, second);
        }

        Console.WriteLine();
        Console.WriteLine("| target | measured | goal |");
        Console.WriteLine("|---|---|---|");
        foreach (var (target, measured, goal) in Results)
        {
            Console.WriteLine($"| {target} | {measured} | {goal} |");
        }
    }

    /// <summary>Each of <see cref="Filters"/> (and none): the first page and its total via the API, p95 of 60 after 10 to warm up.</summary>
    private static async Task FilterPercentilesAsync(App app, string provider)
    {
        foreach (var filter in Filters.Prepend(""))
        {
            var samples = new double[60];
            var lowerBound = false;
            for (var i = -10; i < samples.Length; i++)
            {
                var watch = Stopwatch.StartNew();
                var response = await app.Client.GetAsync($"/api/exceptions?{filter}&take=50");
                response.EnsureSuccessStatusCode();
                lowerBound = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("totalIsLowerBound").GetBoolean();
                if (i >= 0)
                {
                    samples[i] = watch.Elapsed.TotalMilliseconds;
                }
            }

            Array.Sort(samples);
            var name = filter.Length == 0 ? "no filter" : $"filter `{Uri.UnescapeDataString(filter)}`";
            Record($"{provider}: {name}, first page and total via GET /api/exceptions, p95", $"{samples[(int)(samples.Length * 0.95)]:0} ms{(lowerBound ? " (total: more than 10,000)" : "")}", "≤ 50 ms");
        }
    }

    /// <summary>The floor: a plain binary COPY of the same 100k normalized rows into a copy of the 1M entries with the same indexes.</summary>
    private static async Task PostgresFloorAsync()
    {
        var connectionString = await PostgresBenchDatabase.CopyAsync("crm_bench_floor");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var rows = BenchInput.Lines(100_000).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var separator = line.IndexOf(';');
            var comment = line[(separator + 1)..];
            return (Point: ContactPointNormalizer.Normalize(line[..separator]).Point!.Value, Comment: comment);
        }).ToList();
        var at = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var copy = await connection.BeginBinaryImportAsync(
                """COPY "ExceptionEntries" ("Type", "Value", "Comment", "CommentFolded", "Source", "CreatedAt", "CreatedBy", "HitCount") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var (point, comment) in rows)
                {
                    await copy.WriteRowAsync(default, point.Type.ToString(), point.Value, comment, comment.ToLowerInvariant(), "Api", at, "floor", 0);
                }

                await copy.CompleteAsync();
            }

            await transaction.CommitAsync();
        }

        watch.Stop();
        Record("PostgreSQL floor: plain binary COPY of the same 100k normalized rows into 1M (same indexes)", $"{watch.Elapsed.TotalSeconds:0.00} s", "(reference)");
    }

    /// <summary>How many 10 s rounds <see cref="TwoInstanceLoadAsync"/> measures once warm; the median is reported.</summary>
    private const int MeasuredRounds = 3;

    /// <summary>T4 with two app instances on one database: one wrk per instance, at the same time, rates added; the median of <see cref="MeasuredRounds"/> rounds.</summary>
    private static async Task TwoInstanceLoadAsync(App first, App second)
    {
        var wrk = FindOnPath("wrk") ?? throw new InvalidOperationException("wrk is missing (apt-get install wrk)");
        var script = Path.Combine(Path.GetTempPath(), "crmadmin-bench", "routing-call-pg.lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            counter = 0
            init = function(args) wrk.headers["Authorization"] = "Bearer " .. args[1] end
            request = function()
              counter = counter + 1
              local body = string.format('{"lineId":1,"direction":"Incoming","number":"+44207%06d"}', (counter * 7919) % {{BenchDatabase.Contacts}} + 1)
              return wrk.format(nil, "/api/routing/call", nil, body)
            end
            """);
        string[] Args(App app, string duration) =>
            ["-t1", "-c16", $"-d{duration}", "--latency", "-s", script, app.Client.BaseAddress!.ToString(), "--", app.Client.DefaultRequestHeaders.Authorization!.Parameter!];
        double[] Rates(string[] outputs) =>
            outputs.Select(o => double.Parse(Regex.Match(o, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        // Warm-up until steady: two instances, PostgreSQL and two load generators share two cores, so the
        // JIT's tiering (tier 0, instrumented, tier 1) takes 30-60 s under load, and a fixed 15 s measured
        // half-compiled code (3,000/s at 15 s against 5,900/s at 60 s). Rounds of 10 s until one is within
        // 5% of the one before (at most 2 minutes), then the measurement.
        var warm = Stopwatch.StartNew();
        var (previous, rate) = (0.0, 0.0);
        for (var round = 0; round < 12 && (previous == 0 || Math.Abs(rate - previous) > 0.05 * previous); round++)
        {
            previous = rate;
            rate = Rates(await Task.WhenAll(RunAsync(wrk, Args(first, "10s")), RunAsync(wrk, Args(second, "10s")))).Sum();
        }

        warm.Stop();
        Console.WriteLine($"Two-instance warm-up: {warm.Elapsed.TotalSeconds:0} s, its last rounds {previous:N0} /s and {rate:N0} /s");
        // Three measured rounds, the median reported with each: once steady, one 10 s round still swings by a third from the
        // next on these two shared cores (4,859-6,864 /s in six rounds in a row, 2026-12-04), so one round told the draw.
        var rounds = new List<(double Rate, int Errors, string P99)>();
        for (var round = 0; round < MeasuredRounds; round++)
        {
            var outputs = await Task.WhenAll(RunAsync(wrk, Args(first, "10s")), RunAsync(wrk, Args(second, "10s")));
            rounds.Add((Rates(outputs).Sum(),
                outputs.Sum(o => Regex.Match(o, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0),
                string.Join(" / ", outputs.Select(o => Regex.Match(o, @"99%\s+(\S+)").Groups[1].Value))));
        }

        var median = rounds.Select(r => r.Rate).Order().ElementAt(rounds.Count / 2);
        Record($"PostgreSQL: dry-run decisions via POST /api/routing/call, two instances, wrk 16 connections each, median of {MeasuredRounds} 10 s rounds",
            $"{median:N0} /s (rounds {string.Join(", ", rounds.Select(r => r.Rate.ToString("N0", CultureInfo.InvariantCulture)))}), "
            + $"{rounds.Sum(r => r.Errors)} errors, p99 {string.Join("; ", rounds.Select(r => r.P99))}, after {warm.Elapsed.TotalSeconds:0} s of warm-up",
            "≥ 5,000 /s, 0 errors");
    }
}
