namespace CrmAdmin.Features.Exceptions;

/// <summary>How much one import may bring in (configuration section <c>Import</c>).</summary>
public sealed class ImportLimits
{
    public const string Section = "Import";

    /// <summary>Bytes of text per import, pasted, uploaded or posted. 64 MB holds a million typical lines.</summary>
    public long MaxBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Lines per import (blank lines included, as a person counts them in an editor).</summary>
    public int MaxLines { get; set; } = 1_000_000;

    /// <summary>A comment's length; never more than the list stores (X1: 500).</summary>
    public int MaxCommentLength { get; set; } = Domain.Exceptions.ExceptionEntry.MaxCommentLength;

    public int CommentLimit => Math.Clamp(MaxCommentLength, 1, Domain.Exceptions.ExceptionEntry.MaxCommentLength);

    public string TooLargeMessage(long bytes) =>
        $"The import is {Size(bytes)}; at most {Size(MaxBytes)} can be imported at once. Split it into smaller parts.";

    /// <summary>A size as a person reads it: bytes, KB or MB.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / 1024.0 / 1024.0:0.#} MB",
    };

    public string TooManyLinesMessage() =>
        $"The import has more than {MaxLines:N0} lines; nothing was imported. Split it into parts of at most {MaxLines:N0} lines.";

    /// <summary>
    /// Reads an upload or a paste of at most <see cref="MaxBytes"/> in the encoding <see cref="ImportTextDecoder"/>
    /// decides (I7), keeping the bytes once and the encoding it assumed for the report; null when there is
    /// more. Throws <see cref="ImportUnreadableException"/> when the encoding cannot be read.
    /// </summary>
    /// <param name="declaredCharset">The charset the sender declared (a file's Content-Type), if any.</param>
    /// <param name="lengthHint">The expected size in bytes, to allocate once.</param>
    public Task<ImportText?> ReadTextAsync(Stream stream, string? declaredCharset, long? lengthHint, CancellationToken ct) =>
        ImportTextDecoder.ReadAsync(stream, declaredCharset, MaxBytes, lengthHint, ct);
}

/// <summary>An import refused as a whole before anything was written (too many lines).</summary>
public sealed class ImportTooLargeException(string message) : RequestRefusedException(message);
