using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrmAdmin.Features.Hardening;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// What the app answers on the wire: bodies over the limit or too slow, foreign hosts and proxies,
/// headers, and the API's refusal of a cookie without an antiforgery token (P5).
/// </summary>
public sealed class TransportHardeningTests
{
    /// <summary>The app on a real Kestrel port (TestServer enforces no body size or rate).</summary>
    private static (CrmAdminFactory App, Uri Address) Kestrel(Dictionary<string, string?>? settings = null)
    {
        var app = new CrmAdminFactory(settings);
        app.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        app.ClientOptions.BaseAddress = address;
        return (app, address);
    }

    private static async Task<HttpClient> AdminOverTcpAsync(CrmAdminFactory app, Uri address) =>
        new() { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2), DefaultRequestHeaders = { Authorization = new("Bearer", await app.TokenAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword)) } };

    /// <summary>A body of <paramref name="bytes"/> phone lines, streamed (never held in memory), with or without a length.</summary>
    private sealed class LinesContent(long bytes, bool chunked) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var line = Encoding.ASCII.GetBytes("+1 415 555 0100;over the limit\n");
            var block = Enumerable.Repeat(line, 65536 / line.Length).SelectMany(b => b).ToArray();
            for (long sent = 0; sent < bytes;)
            {
                var count = (int)Math.Min(block.Length, bytes - sent);
                await stream.WriteAsync(block.AsMemory(0, count));
                sent += count;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes;
            return !chunked;
        }
    }

    /// <summary>Writes what is written to it in HTTP/1.1 chunked framing; <see cref="EndAsync"/> writes the last chunk.</summary>
    private sealed class ChunkedWriter(Stream inner) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length == 0)
            {
                return;
            }

            await inner.WriteAsync(Encoding.ASCII.GetBytes($"{buffer.Length:x}\r\n"), cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
            await inner.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public Task EndAsync() => inner.WriteAsync("0\r\n\r\n"u8.ToArray()).AsTask();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>
    /// Sends a request over a raw connection and reads the answer while the body is still being
    /// written: the server answers 413 or 408 and closes the connection before the body ends, which
    /// HttpClient reports as a broken pipe rather than the answer whenever the close wins the race
    /// (seen in CI). <paramref name="headers"/> are the content's header lines, each ending in CRLF.
    /// </summary>
    private static async Task<(int Status, string Headers, string Body)> ExchangeAsync(Uri address, string token, string headers, Func<Stream, Task> writeBody)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/exceptions/import HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {token}\r\n{headers}\r\n"));
        var writing = Task.Run(async () =>
        {
            try
            {
                await writeBody(stream);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The server stopped reading, as it should.
            }
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                received.Write(chunk, 0, read);
                var text = Encoding.UTF8.GetString(received.ToArray());
                if (text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and > 0 &&
                    Regex.Match(text[..end], @"Content-Length: (\d+)", RegexOptions.IgnoreCase) is { Success: true } length &&
                    Encoding.UTF8.GetByteCount(text[(end + 4)..]) >= int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // Closed after the answer.
        }

        tcp.Close();
        await writing;
        var answer = Encoding.UTF8.GetString(received.ToArray());
        var split = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no answer: {answer}");
        return (int.Parse(answer.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), answer[..split], answer[(split + 4)..]);
    }

    [Fact]
    public async Task An_import_of_66_MB_with_its_length_answers_413_naming_the_limit()
    {
        var (app, address) = Kestrel();
        await using var _ = app;
        const long size = 66L * 1024 * 1024;

        var (status, headers, body) = await ExchangeAsync(address, await app.TokenAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword),
            $"Content-Type: text/plain\r\nContent-Length: {size}\r\n", stream => new LinesContent(size, chunked: false).CopyToAsync(stream));

        Assert.Equal(413, status);
        Assert.Contains("application/problem+json", headers);
        Assert.Contains("at most 64 MB", body);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    public static TheoryData<string> Shapes() => ["chunked", "multipart"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task An_import_of_66_MB_without_a_length_answers_413_naming_the_limit(string shape)
    {
        var (app, address) = Kestrel();
        await using var _ = app;
        HttpContent content = new LinesContent(66L * 1024 * 1024, chunked: true) { Headers = { ContentType = new("text/plain") } };
        if (shape == "multipart")
        {
            content = new MultipartFormDataContent { { content, "file", "big.txt" } };
        }

        var (status, headers, body) = await ExchangeAsync(address, await app.TokenAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword),
            $"Content-Type: {content.Headers.ContentType}\r\nTransfer-Encoding: chunked\r\n", async stream =>
            {
                var chunks = new ChunkedWriter(stream);
                await content.CopyToAsync(chunks);
                await chunks.EndAsync();
            });

        Assert.Equal(413, status);
        Assert.Contains("application/problem+json", headers);
        Assert.Contains("at most 64 MB", body);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task A_body_sent_at_16_bytes_a_second_answers_408()
    {
        var (app, address) = Kestrel(new() { ["Security:MinRequestBodyGraceSeconds"] = "2" });
        await using var _ = app;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var (status, _, body) = await ExchangeAsync(address, await app.TokenAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword),
            "Content-Type: text/plain\r\nContent-Length: 1048576\r\n", async stream =>
            {
                for (var i = 0; i < 60; i++)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("+14155550100;ab\n"));
                    await Task.Delay(1000);
                }
            });

        Assert.Equal(408, status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.Contains("bytes per second", body);
    }

    [Fact]
    public async Task Responses_carry_no_Server_header_a_narrow_CSP_and_a_Permissions_Policy_and_sensitive_API_answers_are_not_stored()
    {
        var (app, address) = Kestrel();
        await using var _ = app;
        using var admin = await AdminOverTcpAsync(app, address);

        foreach (var path in new[] { "/api/users", "/api/exceptions/export", "/api/admin/backup", "/api/exceptions/" })
        {
            using var response = await admin.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
            Assert.False(response.Headers.Contains("Server"), $"{path}: Server {string.Join(",", response.Headers.Server)}");
        }

        using var page = await new HttpClient { BaseAddress = address }.GetAsync("/Account/Login");
        Assert.False(page.Headers.Contains("Server"));
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("connect-src 'self';", csp);
        Assert.DoesNotContain("ws:", csp);
        Assert.Contains("camera=()", page.Headers.GetValues("Permissions-Policy").Single());
    }

    [Fact]
    public async Task HSTS_is_sent_over_https_only()
    {
        await using var app = new CrmAdminFactory(new Dictionary<string, string?> { ["AllowedHosts"] = "crm.example" });

        var https = await app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://crm.example") }).GetAsync("/Account/Login");
        var http = await app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://crm.example"), AllowAutoRedirect = false }).GetAsync("/Account/Login");

        Assert.StartsWith("max-age=31536000", https.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.False(http.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task A_foreign_Host_header_is_refused_and_configured_hosts_are_served()
    {
        await using var app = new CrmAdminFactory(new Dictionary<string, string?> { ["AllowedHosts"] = "crm.example;localhost" });
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var foreign = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/Account/Login") { Headers = { Host = "evil.example" } });
        var own = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/Account/Login") { Headers = { Host = "crm.example" } });

        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    /// <summary>Signs in through a proxy at 10.0.0.5 that terminated TLS; answers the sign-in cookie.</summary>
    private static async Task<string> SignInBehindProxyAsync(CrmAdminFactory app, string proxyAddress)
    {
        var jar = new CookieContainer();
        var client = app.CreateDefaultClient(new CookieContainerHandler(jar));
        client.DefaultRequestHeaders.Add(ClientAddressFactory.Header, proxyAddress);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.20");
        var form = await client.GetStringAsync("/Account/Login");
        var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login",
            ["Input.Email"] = CrmAdminFactory.AdminEmail, ["Input.Password"] = CrmAdminFactory.AdminPassword,
        }));
        return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CrmAdmin.Auth="));
    }

    [Fact]
    public async Task Forwarded_headers_count_from_a_configured_proxy_only_so_the_cookie_is_Secure_behind_TLS_termination()
    {
        await using var trusted = new ClientAddressFactory(new Dictionary<string, string?> { ["ReverseProxy:KnownProxies:0"] = "10.0.0.5" });
        await using var untrusted = new ClientAddressFactory();

        Assert.Contains("; secure", await SignInBehindProxyAsync(trusted, "10.0.0.5"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("; secure", await SignInBehindProxyAsync(trusted, "10.0.0.6"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("; secure", await SignInBehindProxyAsync(untrusted, "10.0.0.5"), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task P5_a_cookie_changes_nothing_through_the_API_without_the_antiforgery_token_or_from_a_foreign_origin()
    {
        await using var app = new CrmAdminFactory();
        var browser = await app.CreateSignedInBrowserAsync(CrmAdminFactory.AdminEmail, CrmAdminFactory.AdminPassword);
        var page = await browser.GetStringAsync("/crm/settings/exceptions");
        var token = Regex.Match(page, "<meta name=\"csrf-token\" content=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        HttpRequestMessage Import(string line, string? csrf, string? origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/exceptions/import") { Content = new StringContent(line, Encoding.UTF8, "text/plain") };
            if (csrf is not null)
            {
                request.Headers.Add(ApiAntiforgery.HeaderName, csrf);
            }

            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            return request;
        }

        var noToken = await browser.SendAsync(Import("+1 415 555 7001;no token", null, null));
        var wrongToken = await browser.SendAsync(Import("+1 415 555 7002;wrong token", "not-a-token", null));
        var foreign = await browser.SendAsync(Import("+1 415 555 7003;foreign", token, "http://localhost:9999"));
        var delete = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/exceptions/1"));
        var own = await browser.SendAsync(Import("+1 415 555 7004;own page", token, "http://localhost"));
        using var bearer = await app.CreateAdminClientAsync();
        var automation = await bearer.PostAsync("/api/exceptions/import", new StringContent("+1 415 555 7005;bearer", Encoding.UTF8, "text/plain"));

        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden],
            new[] { noToken.StatusCode, wrongToken.StatusCode, foreign.StatusCode, delete.StatusCode });
        Assert.Equal("application/problem+json", noToken.Content.Headers.ContentType?.MediaType);
        // Each refusal is logged with where it came from, a request without the header as such (not an empty origin).
        var refusals = app.Logs.Entries.Where(e => e.Message.StartsWith("Refused a cookie-authenticated")).Select(e => e.Message).ToList();
        Assert.Equal(4, refusals.Count);
        Assert.Contains(refusals, m => m.Contains("from http://localhost:9999:"));
        Assert.Equal(3, refusals.Count(m => m.Contains("from no Origin header:")));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, automation.StatusCode);
        var listed = await bearer.GetFromJsonAsync<JsonElement>("/api/exceptions/?take=50");
        Assert.Equal(["+14155557004", "+14155557005"], listed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("value").GetString()).Order());
    }
}
