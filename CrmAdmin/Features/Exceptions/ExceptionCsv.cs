using System.Globalization;
using CrmAdmin.Domain.Exceptions;
using CsvHelper;

namespace CrmAdmin.Features.Exceptions;

/// <summary>
/// The CSV files a person downloads: the list export (I6), which imports back as it is, and an
/// import report (I4). Every free-text cell goes through <see cref="SpreadsheetSafeText"/>.
/// </summary>
public static class ExceptionCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static async Task WriteExportAsync(IAsyncEnumerable<ExceptionRow> rows, TextWriter output, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        foreach (var column in ImportLineParser.ExportColumns)
        {
            csv.WriteField(column);
        }

        await csv.EndRecordAsync(ct);
        var written = 0;
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteField(row.Type.ToString());
            csv.WriteField(SpreadsheetSafeText.Escape(row.Value));
            csv.WriteField(SpreadsheetSafeText.Escape(row.Comment));
            csv.WriteField(row.Source.ToString());
            csv.WriteField(row.CreatedAt.ToString(ImportLineParser.ExportTimeFormat, CultureInfo.InvariantCulture));
            csv.WriteField(SpreadsheetSafeText.Escape(row.CreatedBy));
            csv.WriteField(row.ExpiresAt?.ToString(ImportLineParser.ExportTimeFormat, CultureInfo.InvariantCulture) ?? "");
            await csv.EndRecordAsync(ct);
            if (++written % 10_000 == 0)
            {
                await csv.FlushAsync(ct);
            }
        }

        await csv.FlushAsync(ct);
    }

    /// <summary>An import report (I4, I12) as CSV: line, input, status, type, value, reason.</summary>
    public static async Task WriteReportAsync(IEnumerable<ImportProblem> problems, TextWriter output, CancellationToken ct = default)
    {
        await using var csv = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);
        WriteReportHeader(csv);
        foreach (var problem in problems)
        {
            ct.ThrowIfCancellationRequested();
            WriteReportRow(csv, problem);
        }

        await csv.FlushAsync(ct);
    }

    /// <summary>The report's header row.</summary>
    public static void WriteReportHeader(CsvWriter csv)
    {
        foreach (var column in ReportColumns)
        {
            csv.WriteField(column);
        }

        csv.EndRecord();
    }

    /// <summary>One problem line of the report; free text goes through <see cref="SpreadsheetSafeText"/>.</summary>
    public static void WriteReportRow(CsvWriter csv, ImportProblem problem)
    {
        csv.WriteField(problem.Line.ToString(CultureInfo.InvariantCulture));
        csv.WriteField(SpreadsheetSafeText.Escape(problem.Input));
        csv.WriteField(problem.Status.ToString());
        csv.WriteField(problem.Type?.ToString() ?? "");
        csv.WriteField(SpreadsheetSafeText.Escape(problem.Value));
        csv.WriteField(SpreadsheetSafeText.Escape(problem.Reason));
        csv.EndRecord();
    }

    /// <summary>The report's columns.</summary>
    public static readonly string[] ReportColumns = ["line", "input", "status", "type", "value", "reason"];
}
