using System.Text;
using CsvHelper;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// One non-blank input line after parsing: a contact point and comment, or the reason it is invalid.
/// <paramref name="ExpiresAt"/> is the expiry an export's line carries (X10, I6), or null.
/// </summary>
public sealed record ImportLine(int LineNumber, string Input, ContactPoint? Point, string? Comment, string? Error, DateTime? ExpiresAt = null);

/// <summary>
/// The header row an import skipped (I2, I8): the export's header, or a row of column names above the
/// values (<c>phone,note</c>, <c>Telefon;Kommentar</c>). It gets no status, and the preview and the
/// report say it was skipped, so no line is dropped silently. <paramref name="Line"/> is its physical line.
/// </summary>
public sealed record ImportHeader(int Line, string Input);

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
/// <para>
/// A first row that is not the export's header is still a header, skipped and reported (never given a
/// status), when it is a row of column names above values: every cell looks like a column's name (starts
/// with a letter; letters, digits, spaces and a little punctuation; no <c>@</c>, no domain), none is a
/// valid entry, one names what such a column holds (phone, e-mail, number, comment, note, Telefon,
/// Kommentar, …: <see cref="ColumnWords"/>), and a line among the next few has a valid value. A first line
/// that is a valid entry, a stray word (<c>foo</c>), or that nothing valid follows is data, as before: a real
/// first line is never taken for a header.
/// A comma-separated header (<c>phone,note</c>) makes <c>,</c> the file's separator.
/// </para>
/// </summary>
public static class ImportLineParser
{
    public static readonly string[] ExportColumns = ["type", "value", "comment", "source", "createdAt", "createdBy", "expiresAt"];

    /// <summary>How the export writes an instant (UTC, ISO 8601), and how an export's <c>expiresAt</c> is read back.</summary>
    public const string ExportTimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    // Enough of the start of the input to find a sep= line and the header behind a few blank lines.
    private const int HeadChars = 16 * 1024;

    // How many non-blank lines after a column-name row are looked at for a valid value.
    private const int HeaderEvidenceLines = 10;

    // A column's name is short: a longer cell is text, not a header.
    private const int MaxColumnNameLength = 64;

    /// <summary>
    /// Words a column of contact points or comments is named with, in the languages the list's users export from;
    /// a cell's word matches when it is one of these, or starts or ends with one (<c>Telefonnummer</c>, <c>PhoneNumber</c>, <c>Rufnummer</c>).
    /// </summary>
    public static readonly IReadOnlySet<string> ColumnWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "phone", "telephone", "tel", "mobile", "cell", "number", "fax", "email", "mail", "address", "contact", "value", "comment", "note", "notes",
        "remark", "remarks", "description", "name", "type", "domain", "prefix",
        "telefon", "nummer", "handy", "mobil", "kommentar", "bemerkung", "notiz", "hinweis", "adresse", "wert",
        "téléphone", "numéro", "commentaire", "remarque", "courriel",
        "teléfono", "número", "comentario", "nota", "correo", "telefone", "comentário", "observação",
        "telefono", "numero", "commento", "uwagi", "opis",
        "телефон", "номер", "комментарий", "примечание", "почта", "телефона",
    };

    /// <summary>Parses <paramref name="text"/>; see <see cref="Parse(TextReader, int, Action{ImportHeader}?)"/>.</summary>
    public static IEnumerable<ImportLine> Parse(string text, int maxCommentLength = ExceptionEntry.MaxCommentLength, Action<ImportHeader>? onHeader = null) =>
        Parse(new StringReader(text), maxCommentLength, onHeader);

    /// <summary>
    /// Parses <paramref name="reader"/> lazily; throws <see cref="ImportFormatException"/> when a quote is never closed.
    /// A header row is not among the lines: <paramref name="onHeader"/> is called with it, once, before the first line.
    /// </summary>
    public static IEnumerable<ImportLine> Parse(TextReader reader, int maxCommentLength = ExceptionEntry.MaxCommentLength, Action<ImportHeader>? onHeader = null)
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

            if (lineNumber == dialect.HeaderLine)
            {
                onHeader?.Invoke(new ImportHeader(lineNumber, input.TrimEnd('\r', '\n').TrimStart('\uFEFF')));
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

    /// <summary>
    /// How the input is read: its separator, whether it is the export's CSV, the line through which nothing is
    /// data (a sep= line), and the header row's line (0: none).
    /// </summary>
    private readonly record struct Dialect(char Separator, bool IsExport, int SkipThroughLine, int HeaderLine)
    {
        public static Dialect Detect(ReadOnlySpan<char> head)
        {
            var lineNumber = 0;
            char? hinted = null;
            var hintLine = 0;
            // EnumerateLines ends a line at \n, \r\n and a lone \r, as CsvHelper counts them (I1).
            var lines = head.EnumerateLines();
            while (lines.MoveNext())
            {
                var line = lines.Current;
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
                        return new Dialect(separator, true, hintLine, lineNumber);
                    }
                }

                // value;comment lines: ';' unless the first line is two tab-separated columns (I8).
                var lineSeparator = hinted is '\t' or ';' ? hinted.Value : trimmed.Contains(';') || !trimmed.Contains('\t') ? ';' : '\t';
                if (ColumnNamesSeparator(trimmed, hinted) is { } headerSeparator && ValueFollows(lines, headerSeparator))
                {
                    // A column-name row above values: its separator is the file's (phone,note makes ',' one).
                    return new Dialect(headerSeparator == ',' ? ',' : lineSeparator, false, hintLine, lineNumber);
                }

                return new Dialect(lineSeparator, false, hintLine, 0);
            }

            return new Dialect(hinted is '\t' ? '\t' : ';', false, hintLine, 0);
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

        /// <summary>
        /// The separator of <paramref name="line"/> when every cell of it looks like a column's name and none is a
        /// valid entry (<c>phone</c>, <c>Telefon;Kommentar</c>, <c>E-mail address,Note</c>); null when it is not such a row.
        /// A row with no separator is one column's name; the separator is then ';', the lines' own.
        /// </summary>
        private static char? ColumnNamesSeparator(ReadOnlySpan<char> line, char? hinted)
        {
            var separator = hinted ?? (line.Contains(';') ? ';' : line.Contains('\t') ? '\t' : line.Contains(',') ? ',' : ';');
            var cells = 0;
            var named = false;
            foreach (var range in line.Split(separator))
            {
                var cell = line[range].Trim().Trim('"').Trim();
                if (cell.IsEmpty && cells > 0)
                {
                    // A trailing or skipped column a spreadsheet left without a name.
                    continue;
                }

                if (!IsColumnName(cell))
                {
                    return null;
                }

                named |= HasColumnWord(cell);
                cells++;
            }

            return cells > 0 && named ? separator : null;
        }

        /// <summary>Whether a word of <paramref name="cell"/> (letters between anything else) is, starts or ends with one of <see cref="ColumnWords"/>.</summary>
        private static bool HasColumnWord(ReadOnlySpan<char> cell)
        {
            var start = 0;
            for (var i = 0; i <= cell.Length; i++)
            {
                if (i < cell.Length && (char.IsLetter(cell[i]) || char.GetUnicodeCategory(cell[i]) is System.Globalization.UnicodeCategory.NonSpacingMark))
                {
                    continue;
                }

                if (i > start)
                {
                    var word = cell[start..i].ToString();
                    if (ColumnWords.Contains(word) || ColumnWords.Any(w => w.Length >= 4 && (word.StartsWith(w, StringComparison.OrdinalIgnoreCase) || word.EndsWith(w, StringComparison.OrdinalIgnoreCase))))
                    {
                        return true;
                    }
                }

                start = i + 1;
            }

            return false;
        }

        /// <summary>
        /// Starts with a letter, then letters, digits, spaces and the punctuation column names use (<c>_ - . # / ( ) ' &amp;</c>);
        /// no <c>@</c> and no dot between letters (a domain is a value, however mistyped); and not a valid entry.
        /// </summary>
        private static bool IsColumnName(ReadOnlySpan<char> cell)
        {
            if (cell.IsEmpty || cell.Length > MaxColumnNameLength || !char.IsLetter(cell[0]))
            {
                return false;
            }

            for (var i = 0; i < cell.Length; i++)
            {
                var c = cell[i];
                var allowed = char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark
                    || c is ' ' or '_' or '-' or '#' or '/' or '(' or ')' or '\'' or '&'
                    || (c == '.' && (i + 1 == cell.Length || !char.IsLetter(cell[i + 1])));
                if (!allowed)
                {
                    return false;
                }
            }

            return !ContactPointNormalizer.Normalize(cell.ToString()).IsValid;
        }

        /// <summary>Whether one of the next few non-blank lines starts with a valid value: the evidence that the row above them names columns.</summary>
        private static bool ValueFollows(SpanLineEnumerator lines, char separator)
        {
            ReadOnlySpan<char> cuts = [';', '\t', separator];
            var looked = 0;
            while (looked < HeaderEvidenceLines && lines.MoveNext())
            {
                var line = lines.Current.Trim();
                if (line.IsEmpty)
                {
                    continue;
                }

                looked++;
                var cut = line.IndexOfAny(cuts);
                var value = (cut < 0 ? line : line[..cut]).Trim().Trim('"').Trim();
                if (ContactPointNormalizer.Normalize(SpreadsheetSafeText.Unescape(value.ToString())).IsValid)
                {
                    return true;
                }
            }

            return false;
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
