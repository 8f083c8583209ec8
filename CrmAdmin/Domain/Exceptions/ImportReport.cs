using System.Runtime.InteropServices;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>Where every problem line of an import goes, beyond the ones kept inline: the full report (I12).</summary>
public interface IImportProblemLog
{
    /// <summary>Called once per non-Added line, in input order.</summary>
    void Write(ImportProblem problem);
}

/// <summary>
/// Counts of every status and the lines that were not added, with their reasons (I2). Added lines
/// are only counted, and at most the first <see cref="MaxInlineProblems"/> problem lines are kept
/// (I12): a million invalid lines make a report of a few megabytes, not hundreds, and the rest is
/// written to the full report log as they come.
/// </summary>
public sealed class ImportReport(int maxInlineProblems = ImportReport.DefaultMaxInlineProblems, IImportProblemLog? fullReport = null)
{
    /// <summary>I12: at most this many non-Added lines are listed inline.</summary>
    public const int DefaultMaxInlineProblems = 10_000;

    private readonly List<ImportProblem> problems = [];

    public int MaxInlineProblems { get; } = Math.Max(0, maxInlineProblems);

    public int Added { get; private set; }
    public int AlreadyListed { get; private set; }
    public int DuplicateInInput { get; private set; }
    public int Invalid { get; private set; }
    public int Lines => Added + AlreadyListed + DuplicateInInput + Invalid;

    /// <summary>Every line that was not added, inline or not.</summary>
    public int ProblemLines => AlreadyListed + DuplicateInInput + Invalid;

    /// <summary>The problem lines past the inline ones ("and N more"); the full report lists them.</summary>
    public int MoreProblems => ProblemLines - problems.Count;

    /// <summary>The first <see cref="MaxInlineProblems"/> lines that were not added, in input order.</summary>
    public IReadOnlyList<ImportProblem> Problems => problems;

    /// <summary>
    /// I7: the legacy encoding the bytes were read as when they were neither UTF-8 nor declared, such as
    /// "windows-1251 (Cyrillic)"; null when the text was UTF-8, UTF-16 with a byte order mark, or declared.
    /// </summary>
    public string? AssumedEncoding { get; init; }

    /// <summary>
    /// I2, I8: the header row the import skipped (the export's, or column names above the values), or null.
    /// It is not a line of <see cref="Lines"/>: it gets no status, and the report says it was skipped.
    /// </summary>
    public ImportHeader? SkippedHeader { get; set; }

    /// <summary>"header skipped: line 1, phone,note": how the report and the preview name a skipped header row.</summary>
    public static string HeaderSkipped(ImportHeader header) => $"Header skipped: line {header.Line}, {Shown(header.Input)}";

    /// <summary>A line as a message shows it: at most 200 characters, one long line must not fill the screen.</summary>
    public static string Shown(string input) => input.Length <= 200 ? input : input[..199] + "…";

    /// <summary>The import's id (I10): the history lists it and undo takes it. Null until the import commits.</summary>
    public long? ImportId { get; set; }

    /// <summary>The id of the full report (every problem line) to download as CSV, or null when there is none.</summary>
    public string? FullReportId { get; set; }

    public void Record(ImportLine line, ImportLineStatus status, string? reason = null)
    {
        switch (status)
        {
            case ImportLineStatus.Added:
                Added++;
                return;
            case ImportLineStatus.AlreadyListed:
                AlreadyListed++;
                break;
            case ImportLineStatus.DuplicateInInput:
                DuplicateInInput++;
                break;
            case ImportLineStatus.Invalid:
                Invalid++;
                break;
        }

        var problem = new ImportProblem(line.LineNumber, line.Input, status, line.Point?.Type, line.Point?.Value,
            reason ?? line.Error ?? DefaultReason(status));
        fullReport?.Write(problem);
        if (problems.Count < MaxInlineProblems)
        {
            problems.Add(problem);
        }
    }

    /// <summary>
    /// The pasted text reduced to the lines that were not added (I4): Invalid, DuplicateInInput and
    /// AlreadyListed, in input order, and never an Added line, so importing the box again adds nothing
    /// twice. Among the inline lines only: when <see cref="MoreProblems"/> is above 0 the full report has the rest.
    /// </summary>
    public string LinesToFix() => string.Join("\n", problems.Select(p => p.Input));

    private static string DefaultReason(ImportLineStatus status) => status switch
    {
        ImportLineStatus.AlreadyListed => "already in the exception list; its comment was kept",
        ImportLineStatus.DuplicateInInput => "repeats an earlier line",
        _ => "invalid",
    };
}

/// <summary>
/// The part of classifying an import that needs no database (I2): Invalid lines and lines that
/// repeat an earlier one after normalization. What passes is a candidate: Added or AlreadyListed,
/// which only the list itself can tell.
/// </summary>
public sealed class ImportScreen(ImportReport report)
{
    private readonly Dictionary<ContactPoint, int> firstLineOf = [];

    /// <summary>True when the line should go to the list; otherwise its status is already recorded.</summary>
    public bool Admit(ImportLine line)
    {
        if (Reject(line) is { } rejection)
        {
            report.Record(line, rejection.Status, rejection.Reason);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Why the line cannot go to the list, or null when it is a candidate, recording nothing: a
    /// writer that decides a batch at once records every line afterwards, in input order.
    /// </summary>
    public (ImportLineStatus Status, string? Reason)? Reject(ImportLine line)
    {
        if (line.Point is not { } point)
        {
            return (ImportLineStatus.Invalid, null);
        }

        // One hash lookup a line: a million-line import screens every line.
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(firstLineOf, point, out var seen);
        if (seen)
        {
            return (ImportLineStatus.DuplicateInInput, $"repeats line {first} ({point.Value})");
        }

        first = line.LineNumber;
        return null;
    }
}
