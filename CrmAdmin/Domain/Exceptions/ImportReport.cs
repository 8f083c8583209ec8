using System.Runtime.InteropServices;

namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// Counts of every status and the lines that were not added, with their reasons (I2). Added lines
/// are only counted: the report of a 100k-line paste stays as small as its problems.
/// </summary>
public sealed class ImportReport
{
    private readonly List<ImportProblem> problems = [];

    public int Added { get; private set; }
    public int AlreadyListed { get; private set; }
    public int DuplicateInInput { get; private set; }
    public int Invalid { get; private set; }
    public int Lines => Added + AlreadyListed + DuplicateInInput + Invalid;

    /// <summary>The lines that were not added, in the order they were recorded (input order).</summary>
    public IReadOnlyList<ImportProblem> Problems => problems;

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

        problems.Add(new ImportProblem(line.LineNumber, line.Input, status, line.Point?.Type, line.Point?.Value,
            reason ?? line.Error ?? DefaultReason(status)));
    }

    /// <summary>The pasted text reduced to the lines that still need a person's attention (I4).</summary>
    public string LinesToFix() =>
        string.Join("\n", problems.Where(p => p.Status == ImportLineStatus.Invalid).Select(p => p.Input));

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
