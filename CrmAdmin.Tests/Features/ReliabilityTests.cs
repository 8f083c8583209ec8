using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Domain.Exceptions;
using CrmAdmin.Features.Exceptions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// The reliability tests run alone: they load the app's own writers against each other (busy timeouts,
/// concurrent imports) and measure that, not how busy the rest of the suite keeps the machine's two cores.
/// </summary>
[CollectionDefinition(nameof(ReliabilityTests), DisableParallelization = true)]
public sealed class ReliabilityCollection;

/// <summary>Hostile input, limits, concurrency and durability settings (issue: reliability and security).</summary>
[Collection(nameof(ReliabilityTests))]
public sealed class ReliabilityTests(ITestOutputHelper output)
{
    private static readonly string[] Pieces =
    [
        "+1 415 555 {0:0000}", "00 44 20 7946 {0:0000}", "user{0}@example.com", "@dom{0}.example.org", "Ünïcødé{0}@bücher.de", "+1 (415) 555-{0:0000};dup",
        "4155550{0:000}", "+999 {0}", "not a value {0}", ";only comment", "+1 415 555 0100;=HYPERLINK(\"http://x\")", "a@b;'; DROP TABLE ExceptionEntries; --",
        "\u202E+1 415 555 {0:0000}", "😀@😀.com", "+1 415 555 {0:0000};😀 comment \u202E rtl", "x@y.z;\t=cmd|' /C calc'!A0", "\u0000\u0001\u0002", "+1\u00A0415\u00A0555\u00A0{0:0000}",
    ];

    private static readonly string[] NewLines = ["\n", "\r\n", "\r"];

    /// <summary>A hostile paste: valid and invalid values, every line ending, control characters, huge lines and comments.</summary>
    public static string HostileInput(Random random)
    {
        var text = new StringBuilder();
        if (random.Next(10) == 0)
        {
            text.Append('\uFEFF');
        }

        var lines = random.Next(1, 40);
        for (var i = 0; i < lines; i++)
        {
            switch (random.Next(12))
            {
                case 0:
                    // Random UTF-16 code units, surrogates and controls included.
                    text.Append(new string(Enumerable.Range(0, random.Next(1, 200)).Select(_ => (char)random.Next(0, 0xFFFF)).ToArray()));
                    break;
                case 1:
                    text.Append("+1 415 555 ").Append(random.Next(1000, 9999)).Append(';').Append(new string('c', random.Next(400, 10_000)));
                    break;
                case 2:
                    text.Append(new string('9', random.Next(1, 20_000)));
                    break;
                case 3:
                    text.Append(string.Empty.PadLeft(random.Next(0, 5)));
                    break;
                default:
                    text.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, Pieces[random.Next(Pieces.Length)], random.Next(0, 10_000)));
                    if (random.Next(3) == 0)
                    {
                        text.Append(';').Append(Pieces[random.Next(Pieces.Length)]);
                    }

                    break;
            }

            text.Append(NewLines[random.Next(NewLines.Length)]);
        }

        return text.ToString();
    }

    /// <summary>The non-blank lines as a person sees them: \n, \r\n and a lone \r each end one.</summary>
    private static int NonBlankLines(string text) =>
        text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Count(l => !string.IsNullOrWhiteSpace(l));

    [Fact]
    public void The_parser_gives_every_non_blank_line_of_thousands_of_hostile_inputs_exactly_one_result()
    {
        var random = new Random(20261122);
        for (var i = 0; i < 5_000; i++)
        {
            var input = HostileInput(random);
            if (input.TrimStart('\uFEFF').StartsWith("type,value", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            ImportHeader? header = null;
            var lines = ImportLineParser.Parse(input, onHeader: h => header = h).ToList();

            // A first line of column names above values is the skipped header (I8): counted apart, never a line.
            Assert.Equal(NonBlankLines(input), lines.Count + (header is null ? 0 : 1));
            Assert.True(header is null || lines.Count > 0 && header.Line < lines[0].LineNumber, "a header comes before every line");
            Assert.All(lines, l => Assert.True(l.Point is null != (l.Error is null), $"line {l.LineNumber}: exactly one of value and reason"));
            Assert.All(lines.Where(l => l.Point is not null), l => Assert.Equal(l.Point, ContactPointNormalizer.Normalize(l.Point!.Value.Value).Point));
        }
    }

    [Fact]
    public async Task The_import_service_survives_a_thousand_hostile_imports_and_stores_exactly_the_added_lines()
    {
        await using var host = await ServiceTestHost.CreateAsync();
        var importer = host.Get<ExceptionImportService>();
        var random = new Random(7);
        long stored = 0;
        var empty = 0;
        var statuses = new int[4];
        for (var i = 0; i < 1_000; i++)
        {
            var input = HostileInput(random);
            ImportReport report;
            try
            {
                report = await importer.ImportAsync(input, EntrySource.Api, host.Supervisor);
            }
            catch (ImportEmptyException)
            {
                // Only blank lines: refused, and nothing recorded (checked below, with the import history).
                Assert.Equal(0, NonBlankLines(input));
                empty++;
                continue;
            }

            Assert.Equal(NonBlankLines(input), report.Lines + (report.SkippedHeader is null ? 0 : 1));
            Assert.Equal(report.Lines - report.Added, report.Problems.Count);
            stored += report.Added;
            (statuses[0], statuses[1], statuses[2], statuses[3]) = (statuses[0] + report.Added, statuses[1] + report.AlreadyListed, statuses[2] + report.DuplicateInInput, statuses[3] + report.Invalid);
        }

        await using var db = host.Database.CreateDbContext();
        Assert.Equal(stored, await db.ExceptionEntries.LongCountAsync());
        Assert.Equal(1_000 - empty, await db.ExceptionImports.CountAsync());
        var values = await db.ExceptionEntries.Select(e => new { e.Type, e.Value }).ToListAsync();
        Assert.All(values, v => Assert.Equal(new ContactPoint(v.Type, v.Value), ContactPointNormalizer.Normalize(v.Value).Point));
        output.WriteLine($"1,000 hostile imports ({empty} blank, refused): {statuses[0]} added, {statuses[1]} already listed, {statuses[2]} duplicate, {statuses[3]} invalid; {stored} stored");
    }

    [Fact]
    public async Task Configured_limits_refuse_with_a_clear_message_and_import_nothing()
    {
        await using var app = new CrmAdminFactory(new Dictionary<string, string?> { ["Import:MaxLines"] = "3", ["Import:MaxCommentLength"] = "10" });
        using var admin = await app.CreateAdminClientAsync();

        var tooMany = await admin.PostAsync("/api/exceptions/import", new StringContent("+14155550101\n+14155550102\n+14155550103\n+14155550104", Encoding.UTF8, "text/plain"));
        var longComment = await (await admin.PostAsync("/api/exceptions/import", new StringContent("+14155550105;12345678901", Encoding.UTF8, "text/plain")))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Contains("more than 3 lines; nothing was imported", await tooMany.Content.ReadAsStringAsync());
        Assert.Equal("comment is 11 characters; at most 10 are allowed", longComment.GetProperty("lines")[0].GetProperty("reason").GetString());
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_import_larger_than_Kestrels_default_body_cap_reaches_the_configured_limit()
    {
        await using var app = new CrmAdminFactory();
        app.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        app.ClientOptions.BaseAddress = new Uri(((Microsoft.AspNetCore.Hosting.Server.IServer)app.Services.GetService(typeof(Microsoft.AspNetCore.Hosting.Server.IServer))!)
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First());
        using var admin = await app.CreateAdminClientAsync();

        // 31 MB: more than Kestrel's 30 MB default, less than Import:MaxBytes (64 MB). One blank line, so it parses at once, then one entry.
        var response = await admin.PostAsync("/api/exceptions/import", new StringContent(new string(' ', 31 * 1024 * 1024) + "\n+14155550100", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("added").GetInt32());
    }

    [Fact]
    public async Task Two_imports_fifty_routing_decisions_and_deletes_at_once_all_succeed_and_every_count_adds_up()
    {
        await using var app = new CrmAdminFactory();
        using var admin = await app.CreateAdminClientAsync();
        var line = (await (await admin.PostAsJsonAsync("/api/telephony/lines", new { number = "+12125550000", name = "Main" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var doomed = string.Join("\n", Enumerable.Range(0, 300).Select(i => $"doomed{i}@example.com"));
        await admin.PostAsync("/api/exceptions/import", new StringContent(doomed, Encoding.UTF8, "text/plain"));
        var doomedIds = (await admin.GetFromJsonAsync<JsonElement>("/api/exceptions?take=500")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
        // Two imports that overlap on 2,000 of their 5,000 values each.
        var first = string.Join("\n", Enumerable.Range(0, 5_000).Select(i => $"+1 646 555 {i:0000}"));
        var second = string.Join("\n", Enumerable.Range(3_000, 5_000).Select(i => $"+1 646 555 {i % 10_000:0000}"));

        var imports = new[] { first, second }.Select(text => Task.Run(async () =>
            await (await admin.PostAsync("/api/exceptions/import", new StringContent(text, Encoding.UTF8, "text/plain"))).Content.ReadFromJsonAsync<JsonElement>())).ToList();
        var calls = Enumerable.Range(0, 50).Select(i => Task.Run(() => admin.PostAsJsonAsync("/api/routing/call",
            new { lineId = line, direction = "Incoming", number = $"+1 917 555 {i % 10:0000}", dryRun = false }))).ToList();
        var deletes = doomedIds.Select(id => Task.Run(() => admin.DeleteAsync($"/api/exceptions/{id}"))).ToList();
        await Task.WhenAll(imports.Cast<Task>().Concat(calls).Concat(deletes));

        Assert.All(calls, c => Assert.Equal(HttpStatusCode.OK, c.Result.StatusCode));
        Assert.All(deletes, d => Assert.Equal(HttpStatusCode.NoContent, d.Result.StatusCode));
        var reports = imports.Select(i => i.Result).ToList();
        Assert.Equal(8_000, reports.Sum(r => r.GetProperty("added").GetInt32()));
        Assert.Equal(2_000, reports.Sum(r => r.GetProperty("alreadyListed").GetInt32()));
        await using var connection = new SqliteConnection($"Data Source={app.DatabaseFile};Pooling=False");
        await connection.OpenAsync();
        Assert.Equal(8_000L, await ScalarAsync(connection, "SELECT COUNT(*) FROM ExceptionEntries"));
        Assert.Equal(8_000L, await ScalarAsync(connection, "SELECT COUNT(*) FROM (SELECT DISTINCT Type, Value FROM ExceptionEntries)"));
        // Ten numbers called five times each at once: one lead per number, every call logged to it.
        Assert.Equal(10L, await ScalarAsync(connection, "SELECT COUNT(*) FROM Leads"));
        Assert.Equal(50L, await ScalarAsync(connection, "SELECT COUNT(*) FROM Activities"));
        Assert.Equal(300L, await ScalarAsync(connection, "SELECT COUNT(*) FROM AuditEntries WHERE Action = 'ExceptionRemoved'"));
    }

    [Fact]
    public async Task Every_connection_is_WAL_with_full_synchronous_commits_and_reads_the_file_mapped()
    {
        await using var app = new CrmAdminFactory();
        using var admin = await app.CreateAdminClientAsync();
        var contexts = (Microsoft.EntityFrameworkCore.IDbContextFactory<CrmAdmin.Data.CrmDbContext>)app.Services.GetService(typeof(Microsoft.EntityFrameworkCore.IDbContextFactory<CrmAdmin.Data.CrmDbContext>))!;
        await using var db = await contexts.CreateDbContextAsync();
        await db.Database.OpenConnectionAsync();
        var connection = (SqliteConnection)db.Database.GetDbConnection();

        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode"));
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA synchronous"));
        // No commit copies the log into the file: the background checkpointer does (next test).
        Assert.Equal(0L, await ScalarAsync(connection, "PRAGMA wal_autocheckpoint"));
        // Pages read where the OS keeps them, not copied into each connection's small cache.
        Assert.Equal(1L << 30, await ScalarAsync(connection, "PRAGMA mmap_size"));
    }

    [Fact]
    public async Task Committed_entries_reach_the_database_file_itself_in_the_background()
    {
        await using var app = new CrmAdminFactory(pooledConnections: true);
        using var admin = await app.CreateAdminClientAsync();
        var lines = string.Join("\n", Enumerable.Range(0, 5_000).Select(i => $"checkpointed{i}@example.com"));
        (await admin.PostAsync("/api/exceptions/import", new StringContent(lines, Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();

        // The file alone, without its write-ahead log, is what a checkpoint has copied so far.
        var copy = Path.Combine(Path.GetTempPath(), $"crmadmin-file-only-{Guid.NewGuid():N}.db");
        long inFile = -1;
        try
        {
            for (var attempt = 0; attempt < 75 && inFile != 5_000; attempt++)
            {
                await Task.Delay(200);
                File.Copy(app.DatabaseFile, copy, overwrite: true);
                try
                {
                    await using var connection = new SqliteConnection($"Data Source={copy};Pooling=False");
                    await connection.OpenAsync();
                    inFile = (long)(await ScalarAsync(connection, "SELECT COUNT(*) FROM ExceptionEntries"))!;
                }
                catch (SqliteException)
                {
                    // Copied half-way through a checkpoint, or before the table reached the file: look again.
                }
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(copy + suffix);
            }
        }

        Assert.Equal(5_000L, inFile);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
