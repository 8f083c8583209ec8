using MimeKit;

namespace CrmAdmin.Features.Routing;

/// <summary>
/// Reads the routing facts of a raw email (<c>message/rfc822</c>, SPEC §9) with MimeKit: the sender,
/// Message-ID, In-Reply-To, References and Subject. Only headers matter, and at most
/// <see cref="FieldLimits.RawMessageBytes"/> of the message are read.
/// <list type="bullet">
/// <item>A display name in encoded words (<c>=?UTF-8?B?…?=</c>) is decoded by MimeKit and not needed: the address decides.</item>
/// <item>A From with several mailboxes: RFC 5322 §3.6.2 then requires a Sender header naming the one who
/// sent it, and that mailbox is routed; without a Sender the message is refused (400), because routing
/// by one of several authors would be a guess.</item>
/// <item>No From (or one with no mailbox) is refused (400) with the reason.</item>
/// <item>Message ids are kept in angle brackets, as the JSON form and the saved activities spell them.</item>
/// </list>
/// </summary>
public static class RawEmailReader
{
    /// <summary>The media type of a raw message.</summary>
    public const string ContentType = "message/rfc822";

    /// <summary>
    /// The request a raw message makes, with <paramref name="dryRun"/>. Throws
    /// <see cref="RawEmailTooLargeException"/> past <paramref name="maxBytes"/>, and
    /// <see cref="RoutingRequestException"/> when the message cannot be routed (no From, several
    /// authors and no Sender, headers MimeKit cannot read).
    /// </summary>
    public static async Task<EmailRequest> ReadAsync(Stream body, long maxBytes, bool dryRun, CancellationToken ct)
    {
        using var buffered = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffered.Length + read > maxBytes)
            {
                throw new RawEmailTooLargeException(maxBytes);
            }

            buffered.Write(chunk, 0, read);
        }

        buffered.Position = 0;
        HeaderList headers;
        try
        {
            // The headers alone: nothing of the body is parsed.
            headers = await HeaderList.LoadAsync(ParserOptions.Default, buffered, ct);
        }
        catch (FormatException e)
        {
            throw new RoutingRequestException($"The message's headers cannot be read as an email (RFC 5322): {e.Message}");
        }

        var message = new MimeMessage(headers);
        var from = message.From.Mailboxes.ToList();
        var sender = from.Count switch
        {
            0 => throw new RoutingRequestException(headers.Contains(HeaderId.From)
                ? "The message's From header has no email address, so there is no sender to route by."
                : "The message has no From header, so there is no sender to route by."),
            1 => from[0],
            _ => message.Sender ?? throw new RoutingRequestException(
                $"The message's From lists {from.Count} mailboxes and it has no Sender header naming the one who sent it (RFC 5322 §3.6.2); route it with one sender."),
        };

        return new EmailRequest(
            sender.Address,
            Bracketed(message.MessageId),
            Bracketed(message.InReplyTo),
            // A raw message is taken as sent: an over-long subject is cut (the activity keeps 500 characters
            // anyway), and of a very long thread the newest references are kept, the ones a reply can match.
            message.Subject is { Length: > FieldLimits.Subject } subject ? subject[..FieldLimits.Subject] : message.Subject,
            dryRun,
            message.References.Count == 0 ? null : message.References.TakeLast(FieldLimits.References).Select(id => Bracketed(id)!).ToList());
    }

    private static string? Bracketed(string? id) => string.IsNullOrWhiteSpace(id) ? null : $"<{id.Trim()}>";
}

/// <summary>A raw message larger than the limit: 413 from the API.</summary>
public sealed class RawEmailTooLargeException(long maxBytes) : Exception($"A raw email is at most {maxBytes:N0} bytes; only its headers are read.")
{
    public long MaxBytes { get; } = maxBytes;
}
