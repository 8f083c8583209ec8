using System.Text;
using CrmAdmin.Domain.Exceptions;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// What a chosen file holds, shown before it is imported (I7): its name, size, non-blank lines, the first
/// lines and the encoding it is read in. Built from the very <see cref="ImportText"/> the import then reads,
/// so the preview and the import cannot disagree about the encoding or the lines. <see cref="Lines"/> counts the
/// non-blank lines (each gets a status, I2); <see cref="LastLine"/> is the last line's number, blank ones included
/// (the import's progress counts in it). <see cref="Header"/> is the header row the import will skip (I8), found by
/// the import's own parser; it is neither counted nor among the first lines.
/// </summary>
public sealed record ImportPreview(string FileName, long Size, int Lines, int LastLine, IReadOnlyList<ImportPreview.Line> FirstLines, string Encoding, bool EncodingAssumed,
    ImportHeader? Header = null)
{
    /// <summary>How many lines the preview shows.</summary>
    public const int FirstLineCount = 10;

    /// <summary>A shown line is cut here: one long line must not push the Import button off the screen.</summary>
    public const int MaxShownLineLength = 200;

    /// <summary>A line of the file as read (1-based, as the report numbers it), cut to <see cref="MaxShownLineLength"/>.</summary>
    public sealed record Line(int Number, string Text);

    /// <summary>Reads <paramref name="text"/> once: every non-blank line is counted, the first <see cref="FirstLineCount"/> lines are kept.</summary>
    public static ImportPreview Of(string fileName, long size, ImportText text)
    {
        var header = HeaderOf(text);
        var first = new List<Line>(FirstLineCount);
        var count = 0;
        var number = 0;
        using var reader = text.OpenReader();
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line) || number == header?.Line)
            {
                continue;
            }

            count++;
            if (first.Count < FirstLineCount)
            {
                first.Add(new Line(number, line.Length <= MaxShownLineLength ? line : line[..(MaxShownLineLength - 1)] + "…"));
            }
        }

        return new ImportPreview(fileName, size, count, number, first, EncodingOf(text), text.AssumedEncoding is not null, header);
    }

    /// <summary>The header row the import's parser skips, reading no further than its first line of data.</summary>
    private static ImportHeader? HeaderOf(ImportText text)
    {
        ImportHeader? header = null;
        using var reader = text.OpenReader();
        try
        {
            _ = ImportLineParser.Parse(reader, onHeader: h => header = h).FirstOrDefault();
        }
        catch (ImportFormatException)
        {
            // A quote never closed: the import refuses the file with its own message; the preview still shows the lines.
        }

        return header;
    }

    private static string EncodingOf(ImportText text) => text.AssumedEncoding ?? text.Encoding switch
    {
        UTF8Encoding => "UTF-8",
        UnicodeEncoding { CodePage: 1201 } => "UTF-16 (big-endian)",
        UnicodeEncoding => "UTF-16 (little-endian)",
        UTF32Encoding => "UTF-32",
        var declared => $"{declared.WebName} ({declared.EncodingName}), as the file declares",
    };
}
