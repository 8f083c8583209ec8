namespace CrmAdmin.Domain.Exceptions;

/// <summary>
/// One bulk import (I10): who ran it, when, from where, what its report counted, and when it was
/// undone. The entries it added carry its id (<see cref="ExceptionEntry.ImportId"/>), so undoing it
/// removes exactly those still listed, never the AlreadyListed lines it left as they were.
/// </summary>
public sealed class ExceptionImport
{
    // For EF Core materialization.
    private ExceptionImport()
    {
        By = "";
    }

    /// <summary>An import begun at <paramref name="at"/> (UTC) by <paramref name="by"/>; the counts follow with <see cref="Finish"/>.</summary>
    public ExceptionImport(DateTime at, string by, EntrySource source, DateTime? expiresAt)
    {
        At = at;
        By = by;
        Source = source;
        ExpiresAt = expiresAt;
    }

    public long Id { get; private set; }
    public DateTime At { get; private set; }
    public string By { get; private set; }
    public EntrySource Source { get; private set; }

    /// <summary>The expiry the import gave its entries (I11), or null.</summary>
    public DateTime? ExpiresAt { get; private set; }

    public int Added { get; private set; }
    public int AlreadyListed { get; private set; }
    public int DuplicateInInput { get; private set; }
    public int Invalid { get; private set; }

    /// <summary>When the import was undone (I10); null while it stands.</summary>
    public DateTime? UndoneAt { get; private set; }

    public string? UndoneBy { get; private set; }

    /// <summary>Records the report's counts (I2).</summary>
    public void Finish(int added, int alreadyListed, int duplicateInInput, int invalid)
    {
        Added = added;
        AlreadyListed = alreadyListed;
        DuplicateInInput = duplicateInInput;
        Invalid = invalid;
    }
}
