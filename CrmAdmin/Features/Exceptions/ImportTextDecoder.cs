using System.Text;
using System.Text.Unicode;
using UtfUnknown;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The bytes of an import and the encoding they are read in (I7). The bytes are held once; the text is
/// decoded as the parser reads it, so a 60 MB upload is never in memory twice.
/// </summary>
public sealed class ImportText
{
    private readonly byte[] bytes;
    private readonly int start;
    private readonly int length;

    internal ImportText(byte[] bytes, int start, int length, Encoding encoding, string? assumedEncoding)
    {
        this.bytes = bytes;
        this.start = start;
        this.length = length;
        Encoding = encoding;
        AssumedEncoding = assumedEncoding;
    }

    /// <summary>The encoding the text is read in (strict: it never produces U+FFFD).</summary>
    public Encoding Encoding { get; }

    /// <summary>
    /// The legacy code page the bytes were taken to be because they were neither UTF-8 nor declared, for
    /// the report to say (I7), such as "windows-1251 (Cyrillic (Windows))"; null when nothing was assumed.
    /// </summary>
    public string? AssumedEncoding { get; }

    /// <summary>The size of the text in bytes, byte order mark excluded.</summary>
    public int Length => length;

    /// <summary>A reader over the text; each call starts at its beginning.</summary>
    public TextReader OpenReader() =>
        new StreamReader(new MemoryStream(bytes, start, length, writable: false), Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);

    /// <summary>The whole text as one string (the paste box's path; the API streams from <see cref="OpenReader"/>).</summary>
    public string ReadToEnd() => Encoding.GetString(bytes, start, length);

    /// <summary>How many lines the text has (line feeds + 1), for an import's progress; decodes once, holds nothing.</summary>
    public int CountLines()
    {
        using var reader = OpenReader();
        var buffer = new char[64 * 1024];
        var lines = 1;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count('\n');
        }

        return lines;
    }
}

/// <summary>An import refused as a whole because its text cannot be read: an encoding, or a quote never closed.</summary>
public sealed class ImportUnreadableException(string message) : RequestRefusedException(message);

/// <summary>
/// Reads the bytes of an upload or API body as text (I7): UTF-8 with or without a byte order mark and
/// UTF-16/32 with one as they are; a charset the request declares as declared; other bytes that are not
/// valid UTF-8 as the legacy code page UTF.Unknown finds most likely, which the report names; and where
/// none is likely, the whole import is refused. No byte is ever read as U+FFFD.
/// </summary>
public static class ImportTextDecoder
{
    /// <summary>I7's refusal when the bytes are not UTF-8 and no code page is likely.</summary>
    public const string NotUtf8Message =
        "The file is not UTF-8; save it as CSV UTF-8 (in Excel: Save As → \"CSV UTF-8 (Comma delimited)\") and import it again. Nothing was imported.";

    /// <summary>Below this confidence (0–1) a detected code page is a guess, and guessing would store wrong text.</summary>
    public const float MinimumConfidence = 0.5f;

    // Lines with non-ASCII bytes, up to this much, are what the detector looks at: the ASCII around them
    // tells it nothing, and a sample bounds its time on a 60 MB file.
    private const int SampleBytes = 256 * 1024;

    static ImportTextDecoder() =>
        // Windows-125x, KOI8-R, ISO-8859-x, DOS code pages: .NET Core ships them in this provider only.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>
    /// Reads <paramref name="stream"/> (at most <paramref name="maxBytes"/>) and decides its encoding.
    /// Returns null when the stream is longer than the limit; throws <see cref="ImportUnreadableException"/>
    /// when its encoding cannot be read.
    /// </summary>
    /// <param name="declaredCharset">The charset parameter of the request's or the multipart part's Content-Type, if any.</param>
    /// <param name="lengthHint">The expected length (Content-Length), to allocate the buffer once.</param>
    public static async Task<ImportText?> ReadAsync(Stream stream, string? declaredCharset, long maxBytes, long? lengthHint, CancellationToken ct)
    {
        var capacity = (int)Math.Min(Math.Max(lengthHint ?? 0, 0) + 1, Math.Min(maxBytes + 1, Array.MaxLength));
        using var buffer = new MemoryStream(Math.Max(capacity, 4096));
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Decode(buffer.GetBuffer(), (int)buffer.Length, declaredCharset);
    }

    /// <summary>Decides how the first <paramref name="length"/> bytes of <paramref name="bytes"/> are read (I7); see the class summary.</summary>
    public static ImportText Decode(byte[] bytes, int length, string? declaredCharset)
    {
        var data = bytes.AsSpan(0, length);
        if (ByteOrderMark(data) is { } bom)
        {
            // The bytes say what they are, whatever the request declared.
            return Strict(bytes, bom.Length, length - bom.Length, bom.Encoding, null,
                $"The file starts with a {bom.Encoding.WebName} byte order mark but is not valid {bom.Encoding.WebName}. {NotUtf8Message}");
        }

        var declared = Declared(declaredCharset);
        if (declared is not null && declared.CodePage is not (65001 or 20127))
        {
            return Strict(bytes, 0, length, declared, null,
                $"The request declares charset {declared.WebName}, but the bytes are not valid {declared.WebName}. Declare the charset the file is saved in, or save it as CSV UTF-8.");
        }

        if (Utf8.IsValid(data))
        {
            // A NUL byte is no character of any text a spreadsheet saves: UTF-16 without a byte order mark.
            return data.Contains((byte)0)
                ? throw new ImportUnreadableException("The file has NUL bytes, so it is not UTF-8 text (UTF-16 needs a byte order mark). " + NotUtf8Message)
                : new ImportText(bytes, 0, length, StrictEncoding(Encoding.UTF8), null);
        }

        // Declared UTF-8 (many clients stamp it on any body) or nothing declared, and not UTF-8: the legacy
        // code page the bytes most likely are, if one is likely at all.
        var sample = NonAsciiLines(data);
        foreach (var candidate in Candidates(sample))
        {
            if (IsPlausible(candidate, sample) && IsValid(candidate, data))
            {
                return new ImportText(bytes, 0, length, candidate, Describe(candidate));
            }
        }

        throw new ImportUnreadableException(NotUtf8Message);
    }

    /// <summary>The charset parameter of a Content-Type (quotes removed), or null when it has none; <see cref="Decode"/> judges it.</summary>
    public static string? CharsetOf(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type) && type.Charset.HasValue
            ? type.Charset.Value?.Trim('"')
            : null;

    private static Encoding? Declared(string? charset)
    {
        if (string.IsNullOrWhiteSpace(charset))
        {
            return null;
        }

        try
        {
            return StrictEncoding(Encoding.GetEncoding(charset.Trim().Trim('"')));
        }
        catch (ArgumentException)
        {
            throw new ImportUnreadableException($"The request declares charset \"{charset}\", which this server does not know. Declare a known charset or send UTF-8.");
        }
    }

    private static (Encoding Encoding, int Length)? ByteOrderMark(ReadOnlySpan<byte> data) => data switch
    {
        [0xEF, 0xBB, 0xBF, ..] => (StrictEncoding(Encoding.UTF8), 3),
        [0xFF, 0xFE, 0x00, 0x00, ..] => (StrictEncoding(Encoding.UTF32), 4),
        [0x00, 0x00, 0xFE, 0xFF, ..] => (StrictEncoding(Encoding.GetEncoding(12001)), 4),
        [0xFF, 0xFE, ..] => (StrictEncoding(Encoding.Unicode), 2),
        [0xFE, 0xFF, ..] => (StrictEncoding(Encoding.BigEndianUnicode), 2),
        _ => null,
    };

    private static ImportText Strict(byte[] bytes, int start, int length, Encoding encoding, string? assumed, string refusal) =>
        IsValid(encoding, bytes.AsSpan(start, length))
            ? new ImportText(bytes, start, length, encoding, assumed)
            : throw new ImportUnreadableException(refusal);

    private static Encoding StrictEncoding(Encoding encoding) =>
        Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private static bool IsValid(Encoding strict, ReadOnlySpan<byte> data)
    {
        try
        {
            strict.GetCharCount(data);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The detector's likely single- and multi-byte code pages, most likely first (ISO-8859-1 read as its superset Windows-1252, as browsers do).</summary>
    private static IEnumerable<Encoding> Candidates(byte[] sample)
    {
        var detected = CharsetDetector.DetectFromBytes(sample);
        foreach (var detail in detected.Details.Where(d => d.Confidence > MinimumConfidence).OrderByDescending(d => d.Confidence))
        {
            if (detail.Encoding is not { } encoding || encoding.CodePage is 65001 or 20127 or 1200 or 1201 or 12000 or 12001)
            {
                continue;
            }

            yield return StrictEncoding(encoding.CodePage == 28591 ? Encoding.GetEncoding(1252) : encoding);
        }
    }

    /// <summary>
    /// Whether the sample reads as text a person wrote in this code page: no C1 control characters
    /// (what Latin-1 makes of Windows-1252's quotes), no box-drawing or block characters (what a DOS
    /// code page makes of Windows or ISO letters).
    /// </summary>
    private static bool IsPlausible(Encoding encoding, byte[] sample)
    {
        string text;
        try
        {
            text = encoding.GetString(sample);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is (>= '\u0080' and <= '\u009F') or (>= '\u2500' and <= '\u259F') or CrmAdmin.Domain.Exceptions.CanonicalText.ReplacementCharacter)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The lines that have a byte above 0x7F, up to <see cref="SampleBytes"/>: all the detector needs to see.</summary>
    private static byte[] NonAsciiLines(ReadOnlySpan<byte> data)
    {
        var sample = new List<byte>(Math.Min(data.Length, SampleBytes));
        var rest = data;
        while (sample.Count < SampleBytes && rest.IndexOfAnyExceptInRange((byte)0, (byte)0x7F) is var at and >= 0)
        {
            var lineStart = rest[..at].LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
            var lineEnd = rest[at..].IndexOfAny((byte)'\n', (byte)'\r');
            var end = lineEnd < 0 ? rest.Length : at + lineEnd;
            var line = rest[lineStart..end];
            sample.AddRange(line[..Math.Min(line.Length, SampleBytes - sample.Count)]);
            sample.Add((byte)'\n');
            rest = rest[end..];
        }

        return [.. sample];
    }

    private static string Describe(Encoding encoding) => $"{encoding.WebName} ({encoding.EncodingName})";
}
