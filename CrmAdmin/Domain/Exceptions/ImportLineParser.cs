using System.Text;
using CsvHelper;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// One non-blank input line after parsing: a contact point and comment, or the reason it is invalid.
/// <paramref name="ExpiresAt"/> is the expiry an export's line carries (X10, I6), or null.
/// </summary>
public sealed record ImportLine(int LineNumber, string Input, ContactPoint? Point, string? Comment, string? Error, DateTime? ExpiresAt = null);

/// <summary>
/// An input that cannot be read as lines at all (a quote opened and never closed), so nothing of it is
/// imported. <see cref="Line"/> is the physical line where the unreadable record starts.
/// </summary>
public sealed class ImportFormatException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>
/// The one parser behind the paste box, file upload and API (I5). CsvHelper reads every dialect (I8):
/// <list type="bullet">
/// <item>the export's CSV (I6) when the first line is its header, with <c>,</c>, <c>;</c> or a tab as
/// the separator (a spreadsheet re-saving the export in another locale), after an optional
/// <c>sep=;</c> line (Excel's separator hint);</item>
/// <item>otherwise <c>value;comment</c> lines (I1): the first <c>;</c> separates the comment, the rest
/// of the line is the comment, and a comment that starts with <c>"</c> follows RFC 4180 (doubled quotes,
/// a <c>;</c> or a line break inside the quotes); a line with a tab and no <c>;</c> is split at the tab
/// (two columns copied from a spreadsheet).</item>
/// </list>
/// One leading <c>'</c> (the export's formula guard) is removed from every value (I9). Line numbers are
/// the physical line where a value starts. It streams: a million lines never sit in memory at once.
/// </summary>
public static class ImportLineParser
{
    public static readonly string[] ExportColumns = ["type", "value", "comment", "source", "createdAt", "createdBy", "expiresAt"];

    /// <summary>How the export writes an instant (UTC, ISO 8601), and how an export's <c>expiresAt</c> is read back.</summary>
    public const string ExportTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    // Enough of the start of the input to find a sep= line and the header behind a few blank lines.
    private const int HeadChars = 16 * 1024;

    public static IEnumerable<ImportLine> Parse(string text, int maxCommentLength = ExceptionEntry.MaxCommentLength) =>
        Parse(new StringReader(text), maxCommentLength);

    /// <summary>Parses <paramref name="reader"/> lazily; throws <see cref="ImportFormatException"/> when a quote is never closed.</summary>
    public static IEnumerable<ImportLine> Parse(TextReader reader, int maxCommentLength = ExceptionEntry.MaxCommentLength)
    {
        maxCommentLength = Math.Clamp(maxCommentLength, 1, ExceptionEntry.MaxCommentLength);
        var head = new char[HeadChars];
        var headLength = reader.ReadBlock(head, 0, head.Length);
        var dialect = Dialect.Detect(head.AsSpan(0, headLength));

        long records = 0;
        CsvMalformedRecord? malformed = null;
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false,
            Separator = dialect.Separator,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            OnMalformedRecord = m => malformed = m,
        };

        using var csv = CsvReader.Create(new HeadThenRest(head, headLength, reader), options, leaveOpen: true);
        while (true)
        {
            try
            {
                if (!csv.Read())
                {
                    yield break;
                }
            }
            catch (CsvFormatException e)
            {
                // The input is bounded by the import's size limit, so only malformed quoting gets here.
                throw new ImportFormatException((int)e.LineNumber, $"Line {e.LineNumber}: {e.Message} Nothing was imported.");
            }

            records++;
            var lineNumber = (int)csv.LineNumber;
            if (malformed is { Reason: CsvMalformedReason.UnterminatedQuote } open && open.RecordNumber == records)
            {
                throw new ImportFormatException(lineNumber, UnclosedQuote(lineNumber));
            }

            if (lineNumber <= dialect.SkipThroughLine)
            {
                continue;
            }

            var input = Encoding.UTF8.GetString(csv.RawRecord);
            if (string.IsNullOrWhiteSpace(input))
            {
                continue;
            }

            var recovered = malformed is { } bad && bad.RecordNumber == records;
            yield return dialect.IsExport
                ? ExportLine(csv, lineNumber, input, maxCommentLength)
                : ValueCommentLine(csv, dialect.Separator, lineNumber, input, recovered, maxCommentLength);
        }
    }

    private static string UnclosedQuote(int line) =>
        $"Line {line}: a quote (\") opens a comment and is never closed, so every line after it would be part of that comment. " +
        "Close the quote (inside a quoted comment a quote is written twice: \"\") or remove it; nothing was imported.";

    private static ImportLine ExportLine(CsvReader csv, int lineNumber, string input, int maxCommentLength)
    {
        if (csv.FieldCount < 2)
        {
            return new ImportLine(lineNumber, input, null, null, "expected the export's columns: " + string.Join(",", ExportColumns));
        }

        var comment = csv.FieldCount > 2 ? SpreadsheetSafeText.Unescape(csv.GetString(2)) : null;
        var line = Build(lineNumber, input, csv.GetString(1), comment, maxCommentLength);
        var expires = csv.FieldCount > 6 ? csv.GetString(6).Trim() : "";
        if (expires.Length == 0 || line.Error is not null)
        {
            return line;
        }

        // X10, I6: an exported entry's expiry comes back with it (an exported date, or any ISO 8601 instant).
        return DateTime.TryParse(expires, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? line with { ExpiresAt = DateTime.SpecifyKind(at, DateTimeKind.Utc) }
            : line with { Point = null, Error = $"expiresAt \"{expires}\" is not a date and time like 2026-12-31T00:00:00Z" };
    }

    private static ImportLine ValueCommentLine(CsvReader csv, char separator, int lineNumber, string input, bool recovered, int maxCommentLength)
    {
        // The reading dialect split the line, and its first field is the value (in the tab dialect, a
        // line that has a ';' in its first field is a value;comment line all the same: I1 comes first).
        if (csv.FieldCount >= 2 && (separator == ';' || csv.GetRawSpan(0).IndexOf((byte)';') < 0))
        {
            var valueBytes = csv.GetRawSpan(0).Length;
            string comment;
            if (csv.FieldCount > 2 || recovered)
            {
                // I1: the rest of the line, further separators and any stray quotes included, is the comment.
                comment = Encoding.UTF8.GetString(csv.RawRecord[(valueBytes + 1)..]);
            }
            else
            {
                comment = csv.GetString(1);
            }

            return Build(lineNumber, input, csv.GetString(0), comment, maxCommentLength);
        }

        // One field in this dialect, or a ';' line inside a tab-separated paste: the first ';' (I1), else
        // the first tab (I8), separates the comment. Quoting cannot be involved: no separator was quoted.
        var text = csv.FieldCount == 1 ? csv.GetString(0) : input;
        var cut = text.IndexOf(';');
        if (cut < 0)
        {
            cut = text.IndexOf('\t');
        }

        return cut < 0
            ? Build(lineNumber, input, text, null, maxCommentLength)
            : Build(lineNumber, input, text[..cut], text[(cut + 1)..], maxCommentLength);
    }

    private static ImportLine Build(int lineNumber, string input, string value, string? comment, int maxCommentLength)
    {
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (comment is not null && comment.Length > maxCommentLength)
        {
            return new ImportLine(lineNumber, input, null, comment,
                $"comment is {comment.Length} characters; at most {maxCommentLength} are allowed");
        }

        if (CanonicalText.HasReplacementCharacter(comment))
        {
            // X7, I7: a comment never silently carries a character lost in decoding either.
            return new ImportLine(lineNumber, input, null, comment,
                $"the comment contains {CanonicalText.Describe(new Rune(CanonicalText.ReplacementCharacter))}; " +
                "import the file in its original encoding or fix the comment");
        }

        // I9: cells copied from the exported sheet keep the formula guard the export added.
        var normalized = ContactPointNormalizer.Normalize(SpreadsheetSafeText.Unescape(value.Trim()));
        return new ImportLine(lineNumber, input, normalized.Point, comment, normalized.Error);
    }

    /// <summary>How the input is read: its separator, whether it is the export's CSV, and the lines before the data (sep=, header).</summary>
    private readonly record struct Dialect(char Separator, bool IsExport, int SkipThroughLine)
    {
        public static Dialect Detect(ReadOnlySpan<char> head)
        {
            var lineNumber = 0;
            char? hinted = null;
            var hintLine = 0;
            // EnumerateLines ends a line at \n, \r\n and a lone \r, as CsvHelper counts them (I1).
            foreach (var line in head.EnumerateLines())
            {
                lineNumber++;
                var trimmed = line.Trim().TrimStart('\uFEFF');
                if (trimmed.IsEmpty)
                {
                    continue;
                }

                var start = line.TrimStart().TrimStart('\uFEFF');
                if (hinted is null && start.Length >= 5 && start.StartsWith("sep=", StringComparison.OrdinalIgnoreCase) && start[5..].Trim(' ').IsEmpty)
                {
                    // Excel's separator hint (sep=; or sep=<tab>): the line is not data, and its separator is the file's.
                    hinted = start[4];
                    hintLine = lineNumber;
                    continue;
                }

                ReadOnlySpan<char> candidates = hinted is { } h ? [h] : [',', ';', '\t'];
                foreach (var separator in candidates)
                {
                    if (IsExportHeader(trimmed, separator))
                    {
                        return new Dialect(separator, true, lineNumber);
                    }
                }

                // value;comment lines: ';' unless the first line is two tab-separated columns (I8).
                var lineSeparator = hinted is '\t' or ';' ? hinted.Value : trimmed.Contains(';') || !trimmed.Contains('\t') ? ';' : '\t';
                return new Dialect(lineSeparator, false, hintLine);
            }

            return new Dialect(hinted is '\t' ? '\t' : ';', false, hintLine);
        }

        private static bool IsExportHeader(ReadOnlySpan<char> line, char separator)
        {
            var cells = 0;
            foreach (var range in line.Split(separator))
            {
                var cell = line[range].Trim().Trim('"');
                if (cells < ExportColumns.Length && !cell.Equals(ExportColumns[cells], StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }

                cells++;
            }

            return cells >= 3;
        }
    }

    /// <summary>The characters read ahead to find the dialect, then the rest of the input, as one reader.</summary>
    private sealed class HeadThenRest(char[] head, int headLength, TextReader rest) : TextReader
    {
        private int position;

        public override int Peek() => position < headLength ? head[position] : rest.Peek();

        public override int Read() => position < headLength ? head[position++] : rest.Read();

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (position < headLength)
            {
                var n = Math.Min(buffer.Length, headLength - position);
                head.AsSpan(position, n).CopyTo(buffer);
                position += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override int ReadBlock(Span<char> buffer)
        {
            var total = 0;
            int n;
            while (total < buffer.Length && (n = Read(buffer[total..])) > 0)
            {
                total += n;
            }

            return total;
        }

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => Task.FromResult(Read(buffer.AsSpan(index, count)));

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) =>
            position < headLength ? ValueTask.FromResult(Read(buffer.Span)) : rest.ReadAsync(buffer, cancellationToken);
    }
}
