using CrmAdmin.Data;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CrmAdmin.Features.Exceptions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmAdmin.Tests.Features;

/// <summary>
/// I7 (issue 14, case 1): the bytes of an upload or API body, in every encoding a spreadsheet or a
/// legacy system saves, are stored as the text they are, or the import is refused as a whole; never a
/// U+FFFD. Each case asserts the stored value and comment, the status and the encoding the report names.
/// </summary>
public abstract class ImportEncodingTests(SharedApp app) : IAsyncLifetime
{
    public sealed class OnSqlite(OnSqlite.App app) : ImportEncodingTests(app), IClassFixture<OnSqlite.App>
    {
        public sealed class App() : SharedApp(DatabaseProvider.Sqlite);
    }

    public sealed class OnPostgres(OnPostgres.App app) : ImportEncodingTests(app), IClassFixture<OnPostgres.App>
    {
        public sealed class App() : SharedApp(DatabaseProvider.Postgres);
    }

    private readonly HttpClient client = app.Admin;

    static ImportEncodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Each case starts from an empty list in the class's one app: the entries the last case imported are removed.</summary>
    public async Task InitializeAsync()
    {
        await using var db = await app.Factory.Services.GetRequiredService<IDbContextFactory<CrmDbContext>>().CreateDbContextAsync();
        await db.ExceptionEntries.ExecuteDeleteAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(byte[] bytes, string contentType, bool multipart = false)
    {
        HttpContent content;
        if (multipart)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            content = new MultipartFormDataContent { { file, "file", "list.csv" } };
        }
        else
        {
            content = new ByteArrayContent(bytes);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.PostAsync("/api/exceptions/import", content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private async Task<List<(string Value, string? Comment)>> StoredAsync() =>
        (await client.GetFromJsonAsync<JsonElement>("/api/exceptions?take=100")).GetProperty("items").EnumerateArray()
        .Select(i => (i.GetProperty("value").GetString()!, i.GetProperty("comment").GetString())).OrderBy(e => e.Item1).ToList();

    private static byte[] Bytes(string encoding, string text) => Encoding.GetEncoding(encoding).GetBytes(text);

    private const string Russian = "+7 495 123-45-67;спам, не звонить\r\n+7 495 123-45-68;поставщик услуг связи, рассылка\r\n";

    public static TheoryData<string, string, string, string, string> LegacyCodePages => new()
    {
        // encoding of the bytes, the text, the comment stored for the first line, the second line's value, its comment
        { "windows-1251", Russian, "спам, не звонить", "+74951234568", "поставщик услуг связи, рассылка" },
        { "koi8-r", Russian, "спам, не звонить", "+74951234568", "поставщик услуг связи, рассылка" },
        { "iso-8859-5", Russian, "спам, не звонить", "+74951234568", "поставщик услуг связи, рассылка" },
        { "ibm866", Russian, "спам, не звонить", "+74951234568", "поставщик услуг связи, рассылка" },
        {
            "windows-1250", "+48 22 123 45 67;Dzwoni w sprawie fotowoltaiki, nie odbierać\r\n+420 601 123 456;obtěžující prodejce, účet zrušen\r\n",
            "Dzwoni w sprawie fotowoltaiki, nie odbierać", "+420601123456", "obtěžující prodejce, účet zrušen"
        },
        {
            "windows-1252", "+33 1 23 45 67 89;démarchage téléphonique, ne pas rappeler\r\n+49 30 1234567;Verkäufer, möchte keine Anrufe\r\n",
            "démarchage téléphonique, ne pas rappeler", "+49301234567", "Verkäufer, möchte keine Anrufe"
        },
        {
            "iso-8859-7", "+30 21 0123 4567;ανεπιθύμητες κλήσεις πωλήσεων\r\n+30 21 0123 4568;διαφημιστικά μηνύματα\r\n",
            "ανεπιθύμητες κλήσεις πωλήσεων", "+302101234568", "διαφημιστικά μηνύματα"
        },
    };

    [Theory]
    [MemberData(nameof(LegacyCodePages))]
    public async Task I7_an_undeclared_legacy_code_page_is_read_as_the_one_detected_and_the_report_names_it(
        string encoding, string text, string firstComment, string secondValue, string secondComment)
    {
        var (status, body) = await PostAsync(Bytes(encoding, text), "text/csv");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("added").GetInt32());
        Assert.StartsWith(encoding == "iso-8859-1" ? "windows-1252" : Encoding.GetEncoding(encoding).WebName, body.GetProperty("assumedEncoding").GetString());
        var stored = await StoredAsync();
        Assert.Contains(stored, s => s.Comment == firstComment);
        Assert.Contains((secondValue, secondComment), stored);
        Assert.DoesNotContain(stored, s => s.Comment!.Contains('\uFFFD'));
    }

    public static TheoryData<string, string, bool> DeclaredCharsets => new()
    {
        // The issue's bytes: "спам" in Windows-1251, declared on the body or on the multipart part.
        { "windows-1251", "text/plain; charset=windows-1251", false },
        { "windows-1251", "text/plain; charset=\"windows-1251\"", false },
        { "windows-1251", "text/csv; charset=windows-1251", true },
        { "koi8-r", "text/plain; charset=KOI8-R", false },
        { "iso-8859-5", "text/plain; charset=iso-8859-5", true },
        { "ibm866", "text/plain; charset=cp866", false },
        { "utf-16", "text/plain; charset=utf-16", false },
    };

    [Theory]
    [MemberData(nameof(DeclaredCharsets))]
    public async Task I7_a_declared_charset_is_honoured_even_for_four_letters(string encoding, string contentType, bool multipart)
    {
        var (status, body) = await PostAsync(Bytes(encoding, "+7 495 123-45-67;спам\r\n"), contentType, multipart);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("added").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("assumedEncoding").ValueKind);
        Assert.Equal([("+74951234567", "спам")], await StoredAsync());
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8")]
    [InlineData("text/csv; charset=us-ascii")]
    public async Task I7_bytes_stamped_UTF8_or_ASCII_that_are_not_are_read_as_the_code_page_detected(string contentType)
    {
        var (status, body) = await PostAsync(Bytes("windows-1251", Russian), contentType);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("windows-1251", body.GetProperty("assumedEncoding").GetString());
        Assert.Contains(("+74951234568", "поставщик услуг связи, рассылка"), await StoredAsync());
    }

    public static TheoryData<byte[], string> UnicodeWithMarks => new()
    {
        { [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("+7 495 123-45-67;спам 😀\n")], "text/plain" },
        { Encoding.UTF8.GetBytes("+7 495 123-45-67;спам 😀\n"), "text/plain" },
        { [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("+7 495 123-45-67;спам 😀\r\n")], "text/plain" },
        { [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes("+7 495 123-45-67;спам 😀\r\n")], "text/csv" },
        { [0xFF, 0xFE, 0x00, 0x00, .. Encoding.UTF32.GetBytes("+7 495 123-45-67;спам 😀\r\n")], "text/plain" },
        // A byte order mark outweighs a declared charset that contradicts it.
        { [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("+7 495 123-45-67;спам 😀\r\n")], "text/plain; charset=windows-1251" },
        { [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("+7 495 123-45-67;спам 😀\n")], "text/plain; charset=iso-8859-1" },
    };

    [Theory]
    [MemberData(nameof(UnicodeWithMarks))]
    public async Task I7_UTF8_with_or_without_a_mark_and_UTF16_or_32_with_a_mark_are_read_as_they_are(byte[] bytes, string contentType)
    {
        var (status, body) = await PostAsync(bytes, contentType);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body.GetProperty("added").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("assumedEncoding").ValueKind);
        Assert.Equal([("+74951234567", "спам 😀")], await StoredAsync());
    }

    public static TheoryData<byte[], string, string> Refused => new()
    {
        // Bytes no code page explains (GB2312 text is no single-byte code page; random bytes are nothing).
        { Bytes("gb2312", "+86 10 1234 5678;骚扰电话，推销\r\n"), "text/plain", "the file is not UTF-8; save it as CSV UTF-8" },
        { [.. "+14155550100;"u8, 0x81, 0x8D, 0x8F, 0x90, 0x9D, (byte)'\n'], "text/plain", "the file is not UTF-8; save it as CSV UTF-8" },
        // A UTF-8 mark on bytes that are not UTF-8, UTF-16 without a mark (NUL bytes).
        { [0xEF, 0xBB, 0xBF, .. Bytes("windows-1251", "+7 495 123-45-67;спам\n")], "text/plain", "the file is not UTF-8; save it as CSV UTF-8" },
        { Encoding.Unicode.GetBytes("+7 495 123-45-67;x\r\n"), "text/plain", "the file is not UTF-8; save it as CSV UTF-8" },
        // A charset this server does not know, and bytes that break the declared one.
        { Bytes("windows-1251", "+7 495 123-45-67;спам\n"), "text/plain; charset=x-no-such-charset", "does not know" },
        { [.. "+7 495 123-45-67;"u8, 0x81, 0x20, 0xFD, (byte)'\n'], "text/plain; charset=shift_jis", "not valid shift_jis" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task I7_bytes_no_encoding_explains_refuse_the_whole_import_and_import_nothing(byte[] bytes, string contentType, string message)
    {
        var good = Encoding.UTF8.GetBytes("+1 415 555 0199;would be added\n");

        byte[] input = bytes is [0xEF, 0xBB, 0xBF, ..] ? [.. bytes[..3], .. good, .. bytes[3..]] : [.. good, .. bytes];

        var (status, body) = await PostAsync(input, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task I7_the_issues_four_letters_without_a_charset_are_read_as_Windows_1251_or_refused_never_stored_broken()
    {
        var (status, body) = await PostAsync([.. "+7 495 123-45-67;"u8, 0xF1, 0xEF, 0xE0, 0xEC, (byte)'\r', (byte)'\n'], "text/plain");

        if (status == HttpStatusCode.OK)
        {
            Assert.StartsWith("windows-1251", body.GetProperty("assumedEncoding").GetString());
            Assert.Equal([("+74951234567", "спам")], await StoredAsync());
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(ImportTextDecoder.NotUtf8Message, body.GetProperty("detail").GetString());
            Assert.Empty(await StoredAsync());
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/csv")]
    public async Task I8_a_quote_that_is_never_closed_refuses_the_whole_import_naming_its_line(string contentType)
    {
        var (status, body) = await PostAsync(Encoding.UTF8.GetBytes("+14155550160;fine\n+14155550161;\"never closed\n+14155550162;swallowed\n"), contentType);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Line 2: a quote (\") opens a comment and is never closed", body.GetProperty("detail").GetString());
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task X7_a_value_with_a_replacement_character_already_in_valid_UTF8_is_invalid_and_never_stored()
    {
        var (status, body) = await PostAsync(Encoding.UTF8.GetBytes("+7 495 123-45-67;\uFFFD\uFFFD\n\uFFFD@example.com;x\n"), "text/plain");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("invalid").GetInt32());
        Assert.All(body.GetProperty("lines").EnumerateArray(), l => Assert.Contains("U+FFFD replacement character", l.GetProperty("reason").GetString()));
        Assert.Empty(await StoredAsync());
    }
}
