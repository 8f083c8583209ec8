using System.Text;
using CsvHelper;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>One non-blank input line after parsing: a contact point and comment, or the reason it is invalid.</summary>
public sealed record ImportLine(int LineNumber, string Input, ContactPoint? Point, string? Comment, string? Error);

/// <summary>
/// The one parser behind the paste box, file upload and API (I5). It reads <c>value;comment</c>
/// lines (I1) and, when the first line is the export's header, the export's CSV, so an exported
/// file imports as it is (I6). It streams: a million lines never sit in memory at once.
/// </summary>
public static class ImportLineParser
{
    public static readonly string[] ExportColumns = ["type", "value", "comment", "source", "createdAt", "createdBy"];

    public static IEnumerable<ImportLine> Parse(string text, int maxCommentLength = ExceptionEntry.MaxCommentLength) =>
        Parse(new StringReader(text), maxCommentLength);

    public static IEnumerable<ImportLine> Parse(TextReader reader, int maxCommentLength = ExceptionEntry.MaxCommentLength)
    {
        maxCommentLength = Math.Clamp(maxCommentLength, 1, ExceptionEntry.MaxCommentLength);
        var lineNumber = 0;
        var seenContent = false;
        // ReadLine ends a line at \n, \r\n and a lone \r alike (I1).
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (lineNumber == 1 && line.Length > 0 && line[0] == '\uFEFF')
            {
                line = line[1..];
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!seenContent && IsExportHeader(line))
            {
                foreach (var csvLine in ParseExportCsv(reader, lineNumber, maxCommentLength))
                {
                    yield return csvLine;
                }

                yield break;
            }

            seenContent = true;
            var separator = line.IndexOf(';');
            var value = separator < 0 ? line : line[..separator];
            var comment = separator < 0 ? null : line[(separator + 1)..];
            yield return Build(lineNumber, line, value, comment, maxCommentLength);
        }
    }

    private static ImportLine Build(int lineNumber, string input, string value, string? comment, int maxCommentLength)
    {
        comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (comment is not null && comment.Length > maxCommentLength)
        {
            return new ImportLine(lineNumber, input, null, comment,
                $"comment is {comment.Length} characters; at most {maxCommentLength} are allowed");
        }

        var normalized = ContactPointNormalizer.Normalize(value);
        return new ImportLine(lineNumber, input, normalized.Point, comment, normalized.Error);
    }

    private static bool IsExportHeader(string line)
    {
        var cells = line.Split(',');
        if (cells.Length < 3)
        {
            return false;
        }

        for (var i = 0; i < cells.Length && i < ExportColumns.Length; i++)
        {
            if (!string.Equals(cells[i].Trim().Trim('"'), ExportColumns[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static readonly CsvReaderOptions ExportCsv = CsvReaderOptions.Default with
    {
        HasHeader = false,
        Separator = ',',
        SkipEmptyLines = true,
        TrackLineNumbers = true,
    };

    private static IEnumerable<ImportLine> ParseExportCsv(TextReader reader, int headerLine, int maxCommentLength)
    {
        // A stray quote is recovered as text (CsvHelper's default), so one bad record is reported as
        // Invalid on its own line instead of stopping the import.
        using var csv = CsvReader.Create(reader, ExportCsv, leaveOpen: true);
        while (csv.Read())
        {
            var lineNumber = headerLine + (int)csv.LineNumber;
            var input = Encoding.UTF8.GetString(csv.RawRecord);
            if (csv.FieldCount < 2)
            {
                yield return new ImportLine(lineNumber, input, null, null,
                    "expected the export's columns: " + string.Join(",", ExportColumns));
                continue;
            }

            var comment = csv.FieldCount > 2 ? SpreadsheetSafeText.Unescape(csv.GetString(2)) : null;
            yield return Build(lineNumber, input, SpreadsheetSafeText.Unescape(csv.GetString(1)), comment, maxCommentLength);
        }
    }
}
