namespace CrmAdmin.Domain.Exceptions;

/// <summary>Every non-blank import line gets exactly one of these (I2).</summary>
public enum ImportLineStatus
{
    Added,
    AlreadyListed,
    DuplicateInInput,
    Invalid,
}

/// <summary>A line that was not added, as the report shows it (I2, I4).</summary>
public sealed record ImportProblem(int Line, string Input, ImportLineStatus Status, EntryType? Type, string? Value, string Reason);
